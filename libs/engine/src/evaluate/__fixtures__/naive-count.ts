import type { ConceptTree } from '../../codes/code-hierarchy';
import type { FhirResource } from '../../fhirpath/fhir-resource';
import type { EngineMapping } from '../../mapping/mapping.schema';
import { aQuery } from './builders';
import { evaluateQueryNaively } from './reference-evaluator';

export const EVALUATION_DATE = '2025-01-01';

/** The reference evaluator's rawCount for a query of these groups, at EVALUATION_DATE unless the options name a date. */
export function countNaively(
  resources: FhirResource[],
  inclusion: unknown[][],
  options: {
    exclusion?: unknown[][];
    evaluationDate?: string;
    mapping?: EngineMapping;
    conceptTrees?: ConceptTree[];
  } = {},
): number {
  const { exclusion, evaluationDate = EVALUATION_DATE, ...rest } = options;
  return evaluateQueryNaively(resources, aQuery(inclusion, exclusion), { evaluationDate, ...rest }).rawCount;
}
