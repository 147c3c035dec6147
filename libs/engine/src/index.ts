export { CodeHierarchy, type ConceptTree } from './codes/code-hierarchy';
export { unitConverter } from './codes/units';
export { completedAge, formatDay, parseFhirDate, parseIsoDay, toDayRange, type AgeUnit, type DayRange } from './dates';
export * from './errors';
export { compilePath, compileWithFhirPath, type CompiledPath } from './fhirpath/compile-path';
export { isFhirResource, type FhirResource } from './fhirpath/fhir-resource';
export { type AddOutcome, IndexBuilder, parseReference } from './index/index-builder';
export { type IndexMemory, PatientIndex } from './index/patient-index';
export { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from './mapping/default-mapping';
export { MappingCatalog } from './mapping/mapping-catalog';
export * from './mapping/mapping.schema';
export { SPECIMEN_DIAGNOSIS_EXTENSION, SYSTEMS } from './mapping/systems';
export { createIndexBuilder, type SiteEngineOptions } from './site-engine';
export { evaluateQuery } from './evaluate/evaluate-query';
export type {
  CriterionDiagnostic,
  CriterionIssue,
  EvaluateOptions,
  QueryEvaluation,
  TermCodeRef,
} from './evaluate/query-evaluation';
