import fc from 'fast-check';
import { COMPARATORS, type QuantityInput, quantityFilterOf, quantityInputOf } from './filter-values';

const PERCENT = [{ code: '%', display: '%' }];
const input = (patch: Partial<QuantityInput>): QuantityInput => ({
  mode: 'none',
  value: '',
  minValue: '',
  maxValue: '',
  unit: '%',
  ...patch,
});

describe('quantityFilterOf', () => {
  it('makes a comparator filter with the unit the catalog names', () => {
    expect(quantityFilterOf(input({ mode: 'gt', value: '7' }), PERCENT)).toEqual({
      ok: true,
      filter: { type: 'quantity-comparator', comparator: 'gt', value: 7, unit: { code: '%', display: '%' } },
    });
    expect(quantityFilterOf(input({ mode: 'le', value: '6,5' }), PERCENT)).toMatchObject({ filter: { value: 6.5 } });
  });

  it('makes a range filter and refuses an inverted one', () => {
    expect(quantityFilterOf(input({ mode: 'range', minValue: '5', maxValue: '9' }), PERCENT)).toMatchObject({
      filter: { type: 'quantity-range', minValue: 5, maxValue: 9 },
    });
    expect(quantityFilterOf(input({ mode: 'range', minValue: '9', maxValue: '5' }), PERCENT)).toEqual({
      ok: false,
      problem: 'the upper bound 5 is below the lower bound 9',
    });
  });

  it('asks for a number rather than sending a wrong one', () => {
    expect(quantityFilterOf(input({ mode: 'gt', value: 'seven' }), PERCENT)).toEqual({
      ok: false,
      problem: 'enter a number',
    });
    expect(quantityFilterOf(input({ mode: 'range', minValue: '1' }), PERCENT)).toEqual({
      ok: false,
      problem: 'a range needs two numbers',
    });
    expect(quantityFilterOf(input({ mode: 'none', value: 'x' }), PERCENT)).toEqual({ ok: true, filter: undefined });
  });

  it('never throws and only ever yields finite numbers, whatever is typed', () => {
    const modes = fc.constantFrom<QuantityInput['mode']>('none', 'range', ...COMPARATORS.map(([code]) => code));
    expect(() =>
      fc.assert(
        fc.property(
          modes,
          fc.string(),
          fc.string(),
          fc.string(),
          fc.string(),
          (mode, value, minValue, maxValue, unit) => {
            const result = quantityFilterOf({ mode, value, minValue, maxValue, unit }, PERCENT);
            if (result.ok && result.filter !== undefined) {
              const numbers =
                result.filter.type === 'quantity-range'
                  ? [result.filter.minValue, result.filter.maxValue]
                  : result.filter.type === 'quantity-comparator'
                    ? [result.filter.value]
                    : [];
              return numbers.every(Number.isFinite);
            }
            return result.ok || result.problem !== '';
          },
        ),
      ),
    ).not.toThrow();
  });

  it('reads back the filter it wrote', () => {
    expect(() =>
      fc.assert(
        fc.property(
          fc.constantFrom(...COMPARATORS.map(([code]) => code)),
          fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
          (comparator, value) => {
            const written = quantityFilterOf(input({ mode: comparator, value: String(value) }), PERCENT);
            const filter = written.ok ? written.filter : undefined;
            return JSON.stringify(quantityFilterOf(quantityInputOf(filter, '%'), PERCENT)) === JSON.stringify(written);
          },
        ),
      ),
    ).not.toThrow();
  });
});
