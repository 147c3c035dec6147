import type {
  AttributeFilter,
  Comparator,
  Criterion,
  PlainAttributeFilter,
  ReferencedCriterion,
  StructuredQuery,
  TermCode,
  TimeRestriction,
  ValueFilter,
} from '@fq/ccdl';
import { type AgeUnit, MAX_DAY, MIN_DAY, parseIsoDay } from '../dates';
import { codeKey, type EntryLayout, type SlotPlan } from '../index/index-plan';
import type { FinalSlot, FinalTable, PatientIndex } from '../index/patient-index';
import type { Postings } from '../index/postings';
import type { CriterionMapping } from '../mapping/mapping.schema';
import { cohortKeyOf } from './cohort-key';
import { PatientSet } from './patient-set';
import type {
  CohortCount,
  CriterionDiagnostic,
  CriterionIssue,
  EvaluateOptions,
  QueryEvaluation,
} from './query-evaluation';
import {
  AGE_UNITS,
  type AgeBounds,
  ageBounds,
  ageBoundsCheck,
  type NumberCondition,
  quantityCheck,
  type QuantityTest,
  quantityTest,
  type RowCheck,
} from './row-checks';

/** A time restriction: rows whose clinical time range [start, end] overlaps [after, before]. */
interface TimeWindow {
  start: Int32Array;
  end: Int32Array;
  after: number;
  before: number;
}

/** A value filter on a quantity column: rows whose value and unit pass `test`. */
interface QuantityFilterColumns {
  values: Float64Array;
  units: Int32Array;
  test: QuantityTest;
}

/**
 * Rows of one table that satisfy a criterion: candidate rows (null = every row) within the time window (null = any
 * time), with a quantity that passes the value filter (null = none), that pass every check. Window and value filter
 * are kept apart from the checks so that the rows of index postings can read their columns in posting order instead
 * of at scattered places.
 */
interface TableMatch {
  table: FinalTable;
  sources: Uint32Array[] | null;
  window: TimeWindow | null;
  quantity: QuantityFilterColumns | null;
  checks: RowCheck[];
}

const knownPatientSets = new WeakMap<PatientIndex, PatientSet>();

/**
 * Counts the patients of `index` that satisfy `query`, exactly, with per-criterion diagnostics for the operator and,
 * when the index has cohort keying, the cohort's key.
 */
export function evaluateQuery(index: PatientIndex, query: StructuredQuery, options: EvaluateOptions): QueryEvaluation {
  const criteria: CriterionDiagnostic[] = [];
  const cohort = matchingPatients(index, query, options, criteria);
  const rawCount = cohort.count();
  const cohortKey = index.cohortKeying === null ? null : cohortKeyOf(index, cohort, rawCount);
  return { rawCount, cohortKey, evaluationDate: options.evaluationDate, criteria };
}

/** `evaluateQuery`'s exact count alone, without the per-criterion counts an operator reads. */
export function countPatients(index: PatientIndex, query: StructuredQuery, options: EvaluateOptions): number {
  return matchingPatients(index, query, options, null).count();
}

/**
 * What a site answers from: the exact count and the key of the cohort (`cohortKeyOf`), equal for every query that
 * selects the same patients. Throws for an index built without cohort keying.
 */
export function countCohort(index: PatientIndex, query: StructuredQuery, options: EvaluateOptions): CohortCount {
  const cohort = matchingPatients(index, query, options, null);
  const rawCount = cohort.count();
  return { rawCount, cohortKey: cohortKeyOf(index, cohort, rawCount) };
}

/** The patients that match; with `criteria`, also one diagnostic per criterion, with the patients it alone matches. */
function matchingPatients(
  index: PatientIndex,
  query: StructuredQuery,
  options: EvaluateOptions,
  criteria: CriterionDiagnostic[] | null,
): PatientSet {
  const evaluator = new QueryEvaluator(index, parseIsoDay(options.evaluationDate));
  const known = knownPatients(index);
  const patientsOf = (criterion: Criterion, path: string): PatientSet => {
    const diagnostic: CriterionDiagnostic = {
      path,
      context: criterion.context?.code ?? null,
      unknownTermCodes: [],
      issues: [],
      rawPatientCount: 0,
    };
    const patients = evaluator.criterionPatients(criterion, path, diagnostic);
    if (criteria !== null) {
      diagnostic.rawPatientCount = patients.copy().intersect(known).count();
      criteria.push(diagnostic);
    }
    return patients;
  };

  const result = known.copy();
  query.inclusionCriteria.forEach((group, i) => {
    const any = new PatientSet(index.patientCount);
    group.forEach((criterion, j) => any.unite(patientsOf(criterion, `$.inclusionCriteria[${i}][${j}]`)));
    result.intersect(any);
  });
  (query.exclusionCriteria ?? []).forEach((group, i) => {
    let all: PatientSet | null = null;
    group.forEach((criterion, j) => {
      const patients = patientsOf(criterion, `$.exclusionCriteria[${i}][${j}]`);
      all = all === null ? patients : all.intersect(patients);
    });
    if (all !== null) {
      result.subtract(all);
    }
  });
  return result;
}

function knownPatients(index: PatientIndex): PatientSet {
  let known = knownPatientSets.get(index);
  if (known === undefined) {
    known = new PatientSet(index.patientCount);
    for (let p = 0; p < index.knownPatients.length; p++) {
      if (index.knownPatients[p] === 1) {
        known.add(p);
      }
    }
    knownPatientSets.set(index, known);
  }
  return known;
}

/** The rows of the match, as a bitset over its table's rows (word i holds rows 32i .. 32i+31). */
function matchingRowBits(match: TableMatch): Uint32Array {
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

/** Whether `row` is in the bitset `bits`. */
function hasRow(bits: Uint32Array, row: number): boolean {
  return (bits[row >>> 5] & (1 << (row & 31))) !== 0;
}

/**
 * Adds the patient of every row of the match that passes its checks to the bitset `words`: the hot loop of every
 * criterion. Written out per case (listed rows or every row; no, one or several checks) without per-row closures or
 * branches on the case, because a criterion over many rows spent most of its time in that overhead.
 */
function addMatchingPatients(match: TableMatch, patient: Int32Array, words: Uint32Array): void {
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

// Per list of rows that an index keeps (a postings list or a birth-day order, keyed by its rows' buffer, which it
// owns): the patient of every listed row, in list order. Built on first use; 4 bytes per row.
const postedPatients = new WeakMap<ArrayBufferLike, Int32Array>();

/** Makes the patients of `rows`, a list that owns its whole buffer, readable alongside its slices. */
function registerRows(rows: Uint32Array, patient: Int32Array): void {
  if (postedPatients.has(rows.buffer) || rows.byteOffset !== 0 || rows.byteLength !== rows.buffer.byteLength) {
    return;
  }
  const patients = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    patients[i] = patient[rows[i]];
  }
  postedPatients.set(rows.buffer, patients);
}

/** The patients alongside `rows` when they are a slice of registered postings; null for any other rows. */
function patientsAlongside(rows: Uint32Array): Int32Array | null {
  const all = postedPatients.get(rows.buffer);
  return all === undefined ? null : inStepWith(rows, all);
}

/** The part of `all`, an array in step with the whole list that `rows` is a slice of, that is in step with `rows`. */
function inStepWith<T extends Int32Array | Float64Array>(rows: Uint32Array, all: T): T {
  const first = rows.byteOffset / Uint32Array.BYTES_PER_ELEMENT;
  return all.subarray(first, first + rows.length) as T;
}

// Per column of an index and list of rows it keeps (keyed like `postedPatients`): the column's values in list order.
// Built on first use by a filter on the column; 4 or 8 bytes per listed row.
const listedColumns = new WeakMap<Int32Array | Float64Array, WeakMap<ArrayBufferLike, Int32Array | Float64Array>>();

/** `column`'s values alongside `rows`, a slice of a registered list of its table's rows. */
function columnAlongside<T extends Int32Array | Float64Array>(rows: Uint32Array, column: T): T {
  const patients = postedPatients.get(rows.buffer);
  if (patients === undefined) {
    throw new Error('columnAlongside needs a slice of registered rows');
  }
  let byList = listedColumns.get(column);
  if (byList === undefined) {
    byList = new WeakMap();
    listedColumns.set(column, byList);
  }
  let all = byList.get(rows.buffer) as T | undefined;
  if (all === undefined) {
    // Registered lists own their whole buffer, so it holds every listed row from position 0.
    const listed = new Uint32Array(rows.buffer, 0, patients.length);
    const built = (
      column instanceof Float64Array ? new Float64Array(listed.length) : new Int32Array(listed.length)
    ) as T;
    for (let i = 0; i < listed.length; i++) {
      built[i] = column[listed[i]];
    }
    byList.set(rows.buffer, built);
    all = built;
  }
  return inStepWith(rows, all);
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
function ageCandidateRows(
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

/** The rows posted under a code in a postings list. */
function postedRows(postings: Postings, codeId: number | undefined): Uint32Array | null {
  if (codeId === undefined || codeId >= postings.localOf.length) {
    return null;
  }
  const local = postings.localOf[codeId];
  return local === -1 ? null : postings.rows.subarray(postings.offsets[local], postings.offsets[local + 1]);
}

/** Every row listed in `sources`, as a bitset over a table of `rows` rows. */
function listedRowBits(rows: number, sources: readonly Uint32Array[]): Uint32Array {
  const bits = new Uint32Array((rows + 31) >>> 5);
  for (const source of sources) {
    for (let i = 0; i < source.length; i++) {
      const row = source[i];
      bits[row >>> 5] |= 1 << (row & 31);
    }
  }
  return bits;
}

class QueryEvaluator {
  constructor(
    private readonly index: PatientIndex,
    private readonly today: number,
  ) {}

  private get catalog() {
    return this.index.plan.catalog;
  }

  criterionPatients(criterion: Criterion, path: string, diagnostic: CriterionDiagnostic): PatientSet {
    const patients = new PatientSet(this.index.patientCount);
    for (const match of this.criterionMatches(criterion, path, diagnostic)) {
      const patient = match.table.patient;
      addMatchingPatients(match, patient, patients.words);
    }
    return patients;
  }

  /** Groups the criterion's term codes by mapping entry and compiles one table match per entry. */
  private criterionMatches(
    criterion: Criterion | ReferencedCriterion,
    path: string,
    diagnostic: CriterionDiagnostic,
  ): TableMatch[] {
    const byEntry = new Map<CriterionMapping, TermCode[]>();
    for (const termCode of criterion.termCodes) {
      const resolved = this.catalog.resolve(criterion.context, termCode);
      if (resolved === null) {
        diagnostic.unknownTermCodes.push({ system: termCode.system, code: termCode.code });
        continue;
      }
      const codes = byEntry.get(resolved.entry) ?? [];
      codes.push(termCode);
      byEntry.set(resolved.entry, codes);
    }
    const matches: TableMatch[] = [];
    for (const [entry, termCodes] of byEntry) {
      const issues: CriterionIssue[] = [];
      const match = this.entryMatch(entry, termCodes, criterion, path, issues, diagnostic);
      diagnostic.issues.push(...issues);
      if (issues.length === 0) {
        matches.push(match);
      }
    }
    return matches;
  }

  private entryMatch(
    entry: CriterionMapping,
    termCodes: readonly TermCode[],
    criterion: Criterion | ReferencedCriterion,
    path: string,
    issues: CriterionIssue[],
    diagnostic: CriterionDiagnostic,
  ): TableMatch {
    const layout = this.index.plan.layout(entry);
    const table = this.index.table(layout.table);
    const match: TableMatch = {
      table,
      sources: this.codeRows(entry, table, termCodes),
      window: null,
      quantity: null,
      checks: [],
    };
    if (criterion.valueFilter !== undefined) {
      this.addValueFilter(match, layout, criterion.valueFilter, `${path}.valueFilter`, issues);
    }
    (criterion.attributeFilters ?? []).forEach((filter: AttributeFilter | PlainAttributeFilter, i) => {
      this.addAttributeFilter(match, entry, layout, filter, `${path}.attributeFilters[${i}]`, issues, diagnostic);
    });
    if (criterion.timeRestriction !== undefined) {
      this.addTimeRestriction(match, entry, criterion.timeRestriction, `${path}.timeRestriction`, issues);
    }
    return match;
  }

  /** Rows carrying one of the term codes (or a descendant); null when the entry reads no code (every row). */
  private codeRows(entry: CriterionMapping, table: FinalTable, termCodes: readonly TermCode[]): Uint32Array[] | null {
    const postings = table.codes;
    if (postings === undefined) {
      return null;
    }
    const dictionary = this.index.dictionary;
    registerRows(postings.rows, table.patient);
    const sources: Uint32Array[] = [];
    for (const termCode of termCodes) {
      const conjunction = entry.codeConjunctions?.[termCode.code];
      if (conjunction !== undefined) {
        sources.push(this.rowsWithAll(table, postings, conjunction));
        continue;
      }
      const system = this.catalog.normalizeSystem(termCode.system);
      const present = postings.presentBySystem.get(system) ?? [];
      for (const code of this.index.plan.hierarchy.expand(entry.context, system, termCode.code, present)) {
        const rows = postedRows(postings, dictionary.idOf(system, code));
        if (rows !== null) {
          sources.push(rows);
        }
      }
    }
    return sources;
  }

  /** Rows that carry every one of `codes` (exactly, no hierarchy). */
  private rowsWithAll(
    table: FinalTable,
    postings: Postings,
    codes: readonly { system: string; code: string }[],
  ): Uint32Array {
    // marks[row] = how many of the codes, in order, the row has shown so far.
    const marks = new Uint8Array(table.rows);
    let last: Uint32Array | null = null;
    for (let k = 0; k < codes.length; k++) {
      const system = this.catalog.normalizeSystem(codes[k].system);
      last = postedRows(postings, this.index.dictionary.idOf(system, codes[k].code));
      if (last === null) {
        return new Uint32Array(0);
      }
      for (let i = 0; i < last.length; i++) {
        if (marks[last[i]] === k) {
          marks[last[i]] = k + 1;
        }
      }
    }
    const result: number[] = [];
    for (const row of last ?? []) {
      if (marks[row] === codes.length) {
        result.push(row);
        marks[row] = 0;
      }
    }
    return Uint32Array.from(result);
  }

  private slot(table: FinalTable, plan: SlotPlan): FinalSlot {
    return table.slots[plan.index];
  }

  private addValueFilter(
    match: TableMatch,
    layout: EntryLayout,
    filter: ValueFilter,
    path: string,
    issues: CriterionIssue[],
  ): void {
    const plan = layout.values.get(filter.type === 'concept' ? 'concept' : 'quantity');
    const unsupported = (message: string): void => {
      issues.push({ code: 'ENGINE_VALUE_FILTER_UNSUPPORTED', path, message });
    };
    if (plan === undefined) {
      unsupported(`this criterion has no ${filter.type === 'concept' ? 'coded' : 'numeric'} value to filter on`);
      return;
    }
    const slot = this.slot(match.table, plan);
    if (filter.type === 'concept') {
      if (slot.kind !== 'concept' && slot.kind !== 'code') {
        unsupported('this criterion has no coded value to filter on');
        return;
      }
      const rows = this.conceptRows(slot.postings, slot.kind, filter.selectedConcepts);
      if (match.sources === null) {
        // Reading only the rows with a selected value beats checking every row of the table.
        registerRows(slot.postings.rows, match.table.patient);
        match.sources = rows;
      } else {
        const listed = listedRowBits(match.table.rows, rows);
        match.checks.push((row) => hasRow(listed, row));
      }
      return;
    }
    const condition = numberCondition(filter);
    if (slot.kind === 'quantity') {
      match.quantity = {
        values: slot.values,
        units: slot.units,
        test: quantityTest(this.index.units, filter.unit?.code, condition),
      };
      return;
    }
    if (slot.kind === 'age') {
      const unit = filter.unit?.code ?? 'a';
      if (!(AGE_UNITS as readonly string[]).includes(unit)) {
        issues.push({
          code: 'ENGINE_AGE_UNIT_UNSUPPORTED',
          path: `${path}.unit`,
          message: `age unit "${unit}" is not one of ${AGE_UNITS.join(', ')}`,
        });
        return;
      }
      const bounds = ageBounds(this.today, unit as AgeUnit, condition);
      // An age over every patient reads only the rows whose birth days can pass, found in a birth-day order; with a
      // single bound those are exactly the passing rows and need no check.
      const candidates =
        match.sources === null ? ageCandidateRows(slot.start, slot.end, match.table.patient, bounds) : null;
      if (candidates !== null) {
        match.sources = [candidates.rows];
      }
      if (candidates === null || !candidates.exact) {
        match.checks.push(ageBoundsCheck(slot.start, slot.end, bounds));
      }
      return;
    }
    unsupported('this criterion has no numeric value to filter on');
  }

  /** Posted rows of every selected concept; `code` columns compare the code only. */
  private conceptRows(
    postings: Postings,
    kind: 'concept' | 'code',
    concepts: readonly { system: string; code: string }[],
  ): Uint32Array[] {
    const rows: Uint32Array[] = [];
    for (const concept of concepts) {
      const system = kind === 'code' ? '' : this.catalog.normalizeSystem(concept.system);
      const posted = postedRows(postings, this.index.dictionary.idOf(system, concept.code));
      if (posted !== null) {
        rows.push(posted);
      }
    }
    return rows;
  }

  private addAttributeFilter(
    match: TableMatch,
    entry: CriterionMapping,
    layout: EntryLayout,
    filter: AttributeFilter | PlainAttributeFilter,
    path: string,
    issues: CriterionIssue[],
    diagnostic: CriterionDiagnostic,
  ): void {
    const code = filter.attributeCode;
    const plan = layout.attributes.get(codeKey(code.system, code.code));
    if (plan === undefined) {
      issues.push({
        code: 'ENGINE_ATTRIBUTE_UNMAPPED',
        path: `${path}.attributeCode`,
        message: `attribute ${code.system}|${code.code} is not mapped for this criterion`,
      });
      return;
    }
    const slot = this.slot(match.table, plan);
    const mismatch = (): void => {
      issues.push({
        code: 'ENGINE_ATTRIBUTE_FILTER_UNSUPPORTED',
        path,
        message: `attribute ${code.code} cannot be filtered as ${filter.type}`,
      });
    };
    switch (filter.type) {
      case 'concept': {
        if (slot.kind !== 'concept' && slot.kind !== 'code') {
          return mismatch();
        }
        const listed = listedRowBits(
          match.table.rows,
          this.conceptRows(slot.postings, slot.kind, filter.selectedConcepts),
        );
        match.checks.push((row) => hasRow(listed, row));
        return;
      }
      case 'quantity-comparator':
      case 'quantity-range':
        if (slot.kind !== 'quantity') {
          return mismatch();
        }
        match.checks.push(
          quantityCheck(
            slot.values,
            slot.units,
            quantityTest(this.index.units, filter.unit?.code, numberCondition(filter)),
          ),
        );
        return;
      case 'reference': {
        const mapping = entry.attributes?.find((a) => a.key.system === code.system && a.key.code === code.code);
        if (slot.kind !== 'reference' || mapping?.type !== 'reference') {
          return mismatch();
        }
        match.checks.push(
          this.referenceCheck(match.table, slot, mapping.samePatient, filter.criteria, path, diagnostic),
        );
        return;
      }
    }
  }

  /** A row passes when one of its references points to a resource that satisfies one of the nested criteria. */
  private referenceCheck(
    table: FinalTable,
    slot: Extract<FinalSlot, { kind: 'reference' }>,
    samePatient: boolean,
    criteria: readonly ReferencedCriterion[],
    path: string,
    diagnostic: CriterionDiagnostic,
  ): RowCheck {
    const targets: Array<{ table: FinalTable; keyToRow: Int32Array; matching: Uint32Array }> = [];
    criteria.forEach((nested, i) => {
      for (const match of this.criterionMatches(nested, `${path}.criteria[${i}]`, diagnostic)) {
        const keyToRow = match.table.keyToRow;
        if (match.table.plan.resourceType !== slot.plan.targetResourceType || keyToRow === undefined) {
          continue;
        }
        targets.push({ table: match.table, keyToRow, matching: matchingRowBits(match) });
      }
    });
    const { offsets, targets: keys } = slot;
    return (row) => {
      for (let i = offsets[row]; i < offsets[row + 1]; i++) {
        for (const target of targets) {
          const targetRow = keys[i] < target.keyToRow.length ? target.keyToRow[keys[i]] : -1;
          if (
            targetRow !== -1 &&
            hasRow(target.matching, targetRow) &&
            (!samePatient || target.table.patient[targetRow] === table.patient[row])
          ) {
            return true;
          }
        }
      }
      return false;
    };
  }

  private addTimeRestriction(
    match: TableMatch,
    entry: CriterionMapping,
    restriction: TimeRestriction,
    path: string,
    issues: CriterionIssue[],
  ): void {
    const { timeStart, timeEnd } = match.table;
    if (entry.time === undefined || timeStart === undefined || timeEnd === undefined) {
      issues.push({
        code: 'ENGINE_TIME_RESTRICTION_UNSUPPORTED',
        path,
        message: `${entry.name ?? entry.context.code} has no clinical time to restrict`,
      });
      return;
    }
    const after = restriction.afterDate === undefined ? MIN_DAY : parseIsoDay(restriction.afterDate);
    const before = restriction.beforeDate === undefined ? MAX_DAY : parseIsoDay(restriction.beforeDate);
    match.window = { start: timeStart, end: timeEnd, after, before };
  }
}

type QuantityFilter =
  | { type: 'quantity-comparator'; comparator: Comparator; value: number }
  | { type: 'quantity-range'; minValue: number; maxValue: number };

function numberCondition(filter: QuantityFilter): NumberCondition {
  return filter.type === 'quantity-range'
    ? { type: 'range', min: filter.minValue, max: filter.maxValue }
    : { type: 'comparator', comparator: filter.comparator, value: filter.value };
}
