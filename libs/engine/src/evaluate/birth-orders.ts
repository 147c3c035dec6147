import { registerRows } from './listed-columns';
import type { AgeBounds } from './row-checks';

/** The rows with a usable birth day range (start <= end), ordered by the range's start and by its end. */
interface BirthOrders {
  byStart: Uint32Array;
  byEnd: Uint32Array;
}

const birthOrders = new WeakMap<Int32Array, BirthOrders>();

/**
 * The birth-day orders of an age column, computed once per column of an index, with the patients of their rows
 * readable alongside (`patient` is the patient column of the column's table).
 */
function birthOrdersOf(start: Int32Array, end: Int32Array, patient: Int32Array): BirthOrders {
  let orders = birthOrders.get(end);
  if (orders === undefined) {
    const valid: number[] = [];
    for (let row = 0; row < end.length; row++) {
      if (start[row] <= end[row]) {
        valid.push(row);
      }
    }
    orders = {
      byStart: Uint32Array.from([...valid].sort((a, b) => start[a] - start[b])),
      byEnd: Uint32Array.from([...valid].sort((a, b) => end[a] - end[b])),
    };
    registerRows(orders.byStart, patient);
    registerRows(orders.byEnd, patient);
    birthOrders.set(end, orders);
  }
  return orders;
}

/** The number of leading rows of `order` whose value in `column` is at most `bound` (binary search). */
function countAtMost(order: Uint32Array, column: Int32Array, bound: number): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (column[order[mid]] <= bound) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

/**
 * Rows that may pass an age condition over every row, from the birth-day orders: those with `end <= endBound` or those
 * with `start > startBound`, whichever is shorter. `exact` when only one bound exists: then every listed row passes
 * and the rows need no check at all. Null when the condition has no bound to search by.
 */
export function ageCandidateRows(
  start: Int32Array,
  end: Int32Array,
  patient: Int32Array,
  bounds: AgeBounds,
): { rows: Uint32Array; exact: boolean } | null {
  if (bounds.kind === 'never') {
    return { rows: new Uint32Array(0), exact: true };
  }
  const byEndBound = Number.isFinite(bounds.endBound);
  const byStartBound = Number.isFinite(bounds.startBound);
  if (bounds.kind === 'either' || (!byEndBound && !byStartBound)) {
    return null;
  }
  const orders = birthOrdersOf(start, end, patient);
  const endRows = byEndBound ? orders.byEnd.subarray(0, countAtMost(orders.byEnd, end, bounds.endBound)) : null;
  const startRows = byStartBound
    ? orders.byStart.subarray(countAtMost(orders.byStart, start, bounds.startBound))
    : null;
  const exact = !(byEndBound && byStartBound);
  if (endRows === null || (startRows !== null && startRows.length < endRows.length)) {
    return startRows === null ? null : { rows: startRows, exact };
  }
  return { rows: endRows, exact };
}
