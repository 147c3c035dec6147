import type { Criterion, ReferencedCriterion } from '@fq/ccdl';
import type { FinalTable, PatientIndex } from '../index/patient-index';
import type { CriterionDiagnostic } from './query-evaluation';
import type { RowCheck, QuantityTest } from './row-checks';

/** A time restriction: rows whose clinical time range [start, end] overlaps [after, before]. */
export interface TimeWindow {
  start: Int32Array;
  end: Int32Array;
  after: number;
  before: number;
}

/** A value filter on a quantity column: rows whose value and unit pass `test`. */
export interface QuantityFilterColumns {
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
export interface TableMatch {
  table: FinalTable;
  sources: Uint32Array[] | null;
  window: TimeWindow | null;
  quantity: QuantityFilterColumns | null;
  checks: RowCheck[];
}

/** What a filter is planned with: the index, the evaluation day, and the planner of nested (referenced) criteria. */
export interface MatchPlanner {
  readonly index: PatientIndex;
  /** The evaluation date as a day number; ages are counted at it. */
  readonly today: number;
  criterionMatches(
    criterion: Criterion | ReferencedCriterion,
    path: string,
    diagnostic: CriterionDiagnostic,
  ): TableMatch[];
}
