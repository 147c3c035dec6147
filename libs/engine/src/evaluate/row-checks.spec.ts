import fc from 'fast-check';
import { holds, type NumberCondition, quantityCheck, quantityTest } from './row-checks';

const UNITS = ['g/dL', 'g/L', '%'];

describe('quantityTest', () => {
  const above12 = quantityTest(UNITS, 'g/dL', { type: 'comparator', comparator: 'gt', value: 12 });

  it('converts each unit into the filter unit before comparing', () => {
    expect([above12(13, 0), above12(125, 1), above12(120, 1), above12(12, 0)]).toEqual([true, true, false, false]);
  });

  it('fails a missing value, a missing unit and a unit that does not convert', () => {
    expect([above12(Number.NaN, 0), above12(13, -1), above12(13, 2)]).toEqual([false, false, false]);
  });

  it('compares the value as it is when the filter names no unit, whatever the unit', () => {
    const range: NumberCondition = { type: 'range', min: 5, max: 7 };
    const any = quantityTest(UNITS, undefined, range);
    expect([any(5, 2), any(7, -1), any(7.5, 0), any(Number.NaN, 0)]).toEqual([true, true, false, false]);
  });
});

describe('quantityCheck', () => {
  it('passes a row exactly when its value and unit pass the test', () => {
    const condition: NumberCondition = { type: 'comparator', comparator: 'ge', value: 1 };
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(fc.double({ min: -1e6, max: 1e6 }), fc.constant(Number.NaN)),
            fc.integer({ min: -1, max: 2 }),
          ),
          {
            minLength: 1,
          },
        ),
        (rows) => {
          const values = Float64Array.from(rows.map(([value]) => value));
          const units = Int32Array.from(rows.map(([, unit]) => unit));
          const test = quantityTest(UNITS, 'g/L', condition);
          const check = quantityCheck(values, units, test);
          rows.forEach(([value, unit], row) => expect(check(row)).toBe(test(value, unit)));
        },
      ),
    );
  });

  it('reads each row of its columns', () => {
    const check = quantityCheck(Float64Array.of(1, 9, 3), Int32Array.of(2, 2, 2), (x) =>
      holds({ type: 'comparator', comparator: 'gt', value: 2 }, x),
    );
    expect([check(0), check(1), check(2)]).toEqual([false, true, true]);
  });
});
