import { MAX_DAY, MIN_DAY } from '../dates';
import { columnAlongside, patientsAlongside } from './listed-columns';
import { quantityCheck, type RowCheck } from './row-checks';
import type { TableMatch } from './table-match';

/** The rows of the match, as a bitset over its table's rows (word i holds rows 32i .. 32i+31). */
export function matchingRowBits(match: TableMatch): Uint32Array {
  const bits = new Uint32Array((match.table.rows + 31) >>> 5);
  const checks = checksByRow(match);
  if (match.sources === null) {
    for (let row = 0; row < match.table.rows; row++) {
      if (passesAll(checks, row)) {
        bits[row >>> 5] |= 1 << (row & 31);
      }
    }
    return bits;
  }
  for (const rows of match.sources) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (passesAll(checks, row)) {
        bits[row >>> 5] |= 1 << (row & 31);
      }
    }
  }
  return bits;
}

/**
 * Adds the patient of every row of the match that passes its checks to the bitset `words`: the hot loop of every
 * criterion. Written out per case (listed rows or every row; no, one or several checks) without per-row closures or
 * branches on the case, because a criterion over many rows spent most of its time in that overhead.
 */
export function addMatchingPatients(match: TableMatch, patient: Int32Array, words: Uint32Array): void {
  if (match.sources === null) {
    addEveryRow(match.table.rows, checksByRow(match), patient, words);
    return;
  }
  const byRow = checksByRow(match);
  for (const rows of match.sources) {
    const alongside = patientsAlongside(rows);
    if (alongside !== null && (match.window !== null || match.quantity !== null)) {
      addPostedRows(rows, match, alongside, words);
    } else {
      addListedRows(rows, byRow, alongside, patient, words);
    }
  }
}

/** The match's checks for rows read one by one: the time window and the value filter, if any, first. */
function checksByRow(match: TableMatch): RowCheck[] {
  const { window, quantity } = match;
  const checks: RowCheck[] = [];
  if (window !== null) {
    const { start, end, after, before } = window;
    checks.push((row) => start[row] <= before && end[row] >= after);
  }
  if (quantity !== null) {
    checks.push(quantityCheck(quantity.values, quantity.units, quantity.test));
  }
  return checks.length === 0 ? match.checks : [...checks, ...match.checks];
}

/**
 * Adds the patients of posted rows within the match's time window, with a quantity that passes its value filter, that
 * pass its checks; times, quantities and patients are read in posting order, in step with `rows`.
 */
function addPostedRows(rows: Uint32Array, match: TableMatch, alongside: Int32Array, words: Uint32Array): void {
  const { window, quantity, checks } = match;
  const start = window === null ? null : columnAlongside(rows, window.start);
  const end = window === null ? null : columnAlongside(rows, window.end);
  const after = window?.after ?? MIN_DAY;
  const before = window?.before ?? MAX_DAY;
  if (start !== null && end !== null && quantity === null && checks.length === 0) {
    // Without a branch per row: whether a row is inside is as good as random, and mispredicted branches cost more
    // than setting a bit of 0.
    for (let i = 0; i < rows.length; i++) {
      const inside = +(start[i] <= before) & +(end[i] >= after);
      const p = alongside[i];
      words[p >>> 5] |= inside << (p & 31);
    }
    return;
  }
  const values = quantity === null ? null : columnAlongside(rows, quantity.values);
  const units = quantity === null ? null : columnAlongside(rows, quantity.units);
  const test = quantity?.test ?? null;
  for (let i = 0; i < rows.length; i++) {
    if (
      (start === null || end === null || (start[i] <= before && end[i] >= after)) &&
      (values === null || units === null || test === null || test(values[i], units[i])) &&
      (checks.length === 0 || passesAll(checks, rows[i]))
    ) {
      const p = alongside[i];
      words[p >>> 5] |= 1 << (p & 31);
    }
  }
}

/**
 * Adds the patients of the listed rows that pass the checks. `alongside[i]` is the patient of `rows[i]` when the rows
 * are index postings: read in order, it spares a lookup at a scattered place in `patient` per row.
 */
function addListedRows(
  rows: Uint32Array,
  checks: readonly RowCheck[],
  alongside: Int32Array | null,
  patient: Int32Array,
  words: Uint32Array,
): void {
  if (checks.length === 0 && alongside !== null) {
    for (let i = 0; i < alongside.length; i++) {
      const p = alongside[i];
      words[p >>> 5] |= 1 << (p & 31);
    }
    return;
  }
  if (checks.length === 0) {
    for (let i = 0; i < rows.length; i++) {
      const p = patient[rows[i]];
      words[p >>> 5] |= 1 << (p & 31);
    }
    return;
  }
  const check = checks[0];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (check(row) && passesRest(checks, row)) {
      const p = alongside === null ? patient[row] : alongside[i];
      words[p >>> 5] |= 1 << (p & 31);
    }
  }
}

function addEveryRow(count: number, checks: readonly RowCheck[], patient: Int32Array, words: Uint32Array): void {
  const check = checks.length === 0 ? null : checks[0];
  for (let row = 0; row < count; row++) {
    if (check === null || (check(row) && passesRest(checks, row))) {
      const p = patient[row];
      words[p >>> 5] |= 1 << (p & 31);
    }
  }
}

/** Whether the row passes every check. */
function passesAll(checks: readonly RowCheck[], row: number): boolean {
  for (let c = 0; c < checks.length; c++) {
    if (!checks[c](row)) {
      return false;
    }
  }
  return true;
}

/** Whether the row passes every check after the first. */
function passesRest(checks: readonly RowCheck[], row: number): boolean {
  for (let c = 1; c < checks.length; c++) {
    if (!checks[c](row)) {
      return false;
    }
  }
  return true;
}
