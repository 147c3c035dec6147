import type { Criterion, StructuredQuery } from '@fq/ccdl';
import { parseIsoDay } from '../dates';
import type { PatientIndex } from '../index/patient-index';
import { cohortKeyOf } from './cohort-key';
import { PatientSet } from './patient-set';
import type { CohortCount, CriterionDiagnostic, EvaluateOptions, QueryEvaluation } from './query-evaluation';
import { QueryPlanner } from './query-plan';
import { addMatchingPatients } from './row-scans';

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
  const planner = new QueryPlanner(index, parseIsoDay(options.evaluationDate));
  const known = knownPatients(index);
  const patientsOf = (criterion: Criterion, path: string): PatientSet => {
    const diagnostic: CriterionDiagnostic = {
      path,
      context: criterion.context?.code ?? null,
      unknownTermCodes: [],
      issues: [],
      rawPatientCount: 0,
    };
    const patients = criterionPatients(planner, criterion, path, diagnostic);
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

/** The patients with at least one row that matches the criterion. */
function criterionPatients(
  planner: QueryPlanner,
  criterion: Criterion,
  path: string,
  diagnostic: CriterionDiagnostic,
): PatientSet {
  const patients = new PatientSet(planner.index.patientCount);
  for (const match of planner.criterionMatches(criterion, path, diagnostic)) {
    const patient = match.table.patient;
    addMatchingPatients(match, patient, patients.words);
  }
  return patients;
}
