import type { Comparator } from '@fq/ccdl';
import { unitConverter } from '../codes/units';
import { type AgeUnit, latestBirthForAge } from '../dates';

/** Whether one row of a table passes a filter. */
export type RowCheck = (row: number) => boolean;

export const AGE_UNITS: readonly AgeUnit[] = ['a', 'mo', 'wk', 'd'];

/** A numeric condition from a quantity filter. */
export type NumberCondition =
  { type: 'comparator'; comparator: Comparator; value: number } | { type: 'range'; min: number; max: number };

type QuantityFilter =
  | { type: 'quantity-comparator'; comparator: Comparator; value: number }
  | { type: 'quantity-range'; minValue: number; maxValue: number };

/** The numeric condition of a CCDL quantity filter (value filter or attribute filter). */
export function numberCondition(filter: QuantityFilter): NumberCondition {
  return filter.type === 'quantity-range'
    ? { type: 'range', min: filter.minValue, max: filter.maxValue }
    : { type: 'comparator', comparator: filter.comparator, value: filter.value };
}

/** Whether `x` satisfies the condition. */
export function holds(condition: NumberCondition, x: number): boolean {
  if (condition.type === 'range') {
    return x >= condition.min && x <= condition.max;
  }
  const v = condition.value;
  switch (condition.comparator) {
    case 'gt':
      return x > v;
    case 'ge':
      return x >= v;
    case 'lt':
      return x < v;
    case 'le':
      return x <= v;
    case 'eq':
      return x === v;
    case 'ne':
      return x !== v;
  }
}

/** Whether one quantity (a value and the index of its unit, -1 for none) passes a filter. */
export type QuantityTest = (value: number, unit: number) => boolean;

/**
 * A quantity passes when its value, converted into `unit` (when the filter names one), satisfies the condition; a
 * missing value or an unconvertible unit fails. `unitNames` are the index's units, by unit index.
 */
export function quantityTest(
  unitNames: readonly string[],
  unit: string | undefined,
  condition: NumberCondition,
): QuantityTest {
  if (unit === undefined) {
    return (x) => !Number.isNaN(x) && holds(condition, x);
  }
  const converters = unitNames.map((from) => unitConverter(from, unit));
  return (x, u) => {
    if (Number.isNaN(x) || u < 0) {
      return false;
    }
    const convert = converters[u];
    if (convert === null) {
      return false;
    }
    const converted = convert(x);
    return !Number.isNaN(converted) && holds(condition, converted);
  };
}

/** A quantity column's row passes when its value and unit pass `test`. */
export function quantityCheck(values: Float64Array, units: Int32Array, test: QuantityTest): RowCheck {
  return (row) => test(values[row], units[row]);
}

// Bounds beyond any human age keep the calendar arithmetic finite without changing any answer.
const AGE_LIMIT = 1_000_000;
const clamp = (n: number): number => Math.max(-AGE_LIMIT, Math.min(AGE_LIMIT, n));

/**
 * What an age condition means for a row's birth day range [start, end], as birth-day bounds computed once:
 * `end <= endBound && start > startBound` (or, for `ne`, either of two such tests); `never` when no age can match.
 * Ages fall as the birth day rises, so the youngest age comes from the range's end and the oldest from its start.
 */
export type AgeBounds =
  | { kind: 'never' }
  | { kind: 'between'; endBound: number; startBound: number }
  | { kind: 'either'; endBound: number; startBound: number };

/** The birth-day bounds of an age condition in completed `unit`s at `today`. */
export function ageBounds(today: number, unit: AgeUnit, condition: NumberCondition): AgeBounds {
  // youngest >= k  ⟺  end <= latest(k);  oldest <= k  ⟺  start > latest(k + 1).
  const latest = (k: number): number => latestBirthForAge(today, clamp(k), unit);
  let minYoungest = -Infinity;
  let maxOldest = Infinity;
  if (condition.type === 'range') {
    minYoungest = Math.ceil(condition.min);
    maxOldest = Math.floor(condition.max);
  } else {
    const v = condition.value;
    const integral = Number.isInteger(v);
    switch (condition.comparator) {
      case 'gt':
        minYoungest = Math.floor(v) + 1;
        break;
      case 'ge':
        minYoungest = Math.ceil(v);
        break;
      case 'lt':
        maxOldest = Math.ceil(v) - 1;
        break;
      case 'le':
        maxOldest = Math.floor(v);
        break;
      case 'eq':
        if (!integral) {
          return { kind: 'never' };
        }
        minYoungest = v;
        maxOldest = v;
        break;
      case 'ne':
        // Every possible age differs from v: all above it or all below it.
        if (integral) {
          return { kind: 'either', endBound: latest(v + 1), startBound: latest(v) };
        }
        // No whole number of units equals a fraction: every age passes.
        break;
    }
  }
  return {
    kind: 'between',
    endBound: minYoungest === -Infinity ? Infinity : latest(minYoungest),
    startBound: maxOldest === Infinity ? -Infinity : latest(maxOldest + 1),
  };
}

/**
 * An age column (birth day ranges) passes when every possible birth day gives an age that satisfies the condition:
 * the row check of its computed bounds.
 */
export function ageBoundsCheck(start: Int32Array, end: Int32Array, bounds: AgeBounds): RowCheck {
  switch (bounds.kind) {
    case 'never':
      return () => false;
    case 'either': {
      const { endBound, startBound } = bounds;
      return (row) => start[row] <= end[row] && (end[row] <= endBound || start[row] > startBound);
    }
    case 'between': {
      const { endBound, startBound } = bounds;
      return (row) => start[row] <= end[row] && end[row] <= endBound && start[row] > startBound;
    }
  }
}
