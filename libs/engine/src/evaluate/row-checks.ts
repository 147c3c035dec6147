import type { Comparator } from '@fq/ccdl';
import { unitConverter } from '../codes/units';
import { type AgeUnit, latestBirthForAge } from '../dates';

/** Whether one row of a table passes a filter. */
export type RowCheck = (row: number) => boolean;

export const AGE_UNITS: readonly AgeUnit[] = ['a', 'mo', 'wk', 'd'];

/** A numeric condition from a quantity filter. */
export type NumberCondition =
  { type: 'comparator'; comparator: Comparator; value: number } | { type: 'range'; min: number; max: number };

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

/**
 * A quantity column passes when its value, converted into `unit` (when the filter names one), satisfies the
 * condition; a missing value or an unconvertible unit fails.
 */
export function quantityCheck(
  values: Float64Array,
  units: Int32Array,
  unitNames: readonly string[],
  unit: string | undefined,
  condition: NumberCondition,
): RowCheck {
  if (unit === undefined) {
    return (row) => {
      const x = values[row];
      return !Number.isNaN(x) && holds(condition, x);
    };
  }
  const converters = unitNames.map((from) => unitConverter(from, unit));
  return (row) => {
    const x = values[row];
    const u = units[row];
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

// Bounds beyond any human age keep the calendar arithmetic finite without changing any answer.
const AGE_LIMIT = 1_000_000;
const clamp = (n: number): number => Math.max(-AGE_LIMIT, Math.min(AGE_LIMIT, n));

/**
 * An age column (birth day ranges) passes when every possible birth day gives an age in completed `unit`s at
 * `today` that satisfies the condition. Ages fall as the birth day rises, so the youngest age comes from the
 * range's end and the oldest from its start; each bound becomes a birth-day comparison computed once.
 */
export function ageCheck(
  start: Int32Array,
  end: Int32Array,
  today: number,
  unit: AgeUnit,
  condition: NumberCondition,
): RowCheck {
  // youngest >= k  ⟺  end <= latest(k);  oldest <= k  ⟺  start > latest(k + 1).
  const latest = (k: number): number => latestBirthForAge(today, clamp(k), unit);
  let minYoungest = -Infinity;
  let maxOldest = Infinity;
  let never = false;
  let either: [number, number] | null = null;
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
        never = !integral;
        minYoungest = v;
        maxOldest = v;
        break;
      case 'ne':
        // Every possible age differs from v: all above it or all below it.
        either = integral ? [v + 1, v - 1] : null;
        break;
    }
  }
  if (never) {
    return () => false;
  }
  if (either !== null) {
    const endBound = latest(either[0]);
    const startBound = latest(either[1] + 1);
    return (row) => start[row] <= end[row] && (end[row] <= endBound || start[row] > startBound);
  }
  const endBound = minYoungest === -Infinity ? Infinity : latest(minYoungest);
  const startBound = maxOldest === Infinity ? -Infinity : latest(maxOldest + 1);
  return (row) => start[row] <= end[row] && end[row] <= endBound && start[row] > startBound;
}
