import fc from 'fast-check';
import { unitConverter } from './units';

/** Converts `value` from `from` into `to`, or null when the units are not convertible. */
function convert(value: number, from: string, to: string): number | null {
  const converter = unitConverter(from, to);
  return converter === null ? null : converter(value);
}

describe('unitConverter', () => {
  it('returns the value unchanged for the same unit, UCUM or not', () => {
    expect(convert(7.25, 'mg/dL', 'mg/dL')).toBe(7.25);
    expect(convert(3, '{beats}/min', '{beats}/min')).toBe(3);
    expect(convert(1, 'not-a-unit', 'not-a-unit')).toBe(1);
  });

  it('converts mass concentrations: mg/dL and g/dL into g/L', () => {
    expect(convert(100, 'mg/dL', 'g/L')).toBe(1);
    expect(convert(1.5, 'g/dL', 'g/L')).toBe(15);
    expect(convert(1, 'g/L', 'mg/dL')).toBe(100);
  });

  it('converts between substance concentrations', () => {
    expect(convert(5.5, 'mmol/L', 'mmol/L')).toBe(5.5);
    expect(convert(5500, 'umol/L', 'mmol/L')).toBe(5.5);
    expect(convert(5.5, 'mmol/L', 'umol/L')).toBe(5500);
  });

  it('never converts between dimensionless units such as % and mmol/mol', () => {
    expect(unitConverter('%', 'mmol/mol')).toBeNull();
    expect(unitConverter('mmol/mol', '%')).toBeNull();
    expect(unitConverter('%', '1')).toBeNull();
  });

  it('never converts a mass concentration into a substance concentration', () => {
    expect(unitConverter('mg/dL', 'mmol/L')).toBeNull();
    expect(unitConverter('mmol/L', 'mg/dL')).toBeNull();
    expect(unitConverter('g/L', 'mol/L')).toBeNull();
  });

  it('refuses units of different dimensions', () => {
    expect(unitConverter('mg/dL', 'kg')).toBeNull();
    expect(unitConverter('mm[Hg]', '/min')).toBeNull();
  });

  it('returns null for a unit that is not UCUM or is arbitrary', () => {
    expect(unitConverter('not-a-unit', 'g/L')).toBeNull();
    expect(unitConverter('g/L', 'mg/deciliter')).toBeNull();
    expect(unitConverter('mcg/L', 'ug/L')).toBeNull();
    expect(unitConverter('MG/DL', 'g/L')).toBeNull();
    expect(unitConverter('[IU]/L', '[IU]/mL')).toBeNull();
  });

  it('makes 10*3/uL and 10*9/L equal after rounding', () => {
    expect(convert(5, '10*3/uL', '10*9/L')).toBe(5);
    expect(convert(7.3, '10*9/L', '10*3/uL')).toBe(7.3);
    expect(convert(0.1, '10*3/uL', '10*9/L')).toBe(0.1);
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 4 }), (n, scale) => {
        const value = n / 10 ** scale;
        expect(convert(value, '10*3/uL', '10*9/L')).toBe(value);
        expect(convert(value, '10*9/L', '10*3/uL')).toBe(value);
      }),
    );
  });

  it('converts back and forth to the same value within 12 significant digits', () => {
    const pairs: Array<[string, string]> = [
      ['mg/dL', 'g/L'],
      ['umol/L', 'mmol/L'],
      ['mm[Hg]', 'kPa'],
      ['[lb_av]', 'kg'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.double({ min: 0.001, max: 1e6, noNaN: true }), ([from, to], value) => {
        const back = convert(convert(value, from, to)!, to, from)!;
        expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.abs(value) * 1e-10);
      }),
    );
  });

  it('gives the same converter for repeated calls', () => {
    expect(unitConverter('mg/dL', 'g/L')).toBe(unitConverter('mg/dL', 'g/L'));
    expect(unitConverter('mg/dL', 'mmol/L')).toBeNull();
  });
});
