export { CodeHierarchy, type ConceptTree } from './codes/code-hierarchy';
export { unitConverter } from './codes/units';
export { completedAge, formatDay, parseFhirDate, parseIsoDay, toDayRange, type AgeUnit, type DayRange } from './dates';
export * from './errors';
export { compilePath, compileWithFhirPath, type CompiledPath } from './fhirpath/compile-path';
export { isFhirResource, type FhirResource } from './fhirpath/fhir-resource';
export type { CohortKeying } from './index/cohort-keying';
export { type AddOutcome, IndexBuilder, parseReference } from './index/index-builder';
export { type IndexMemory, PatientIndex } from './index/patient-index';
export { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from './mapping/default-mapping';
export { MappingCatalog } from './mapping/mapping-catalog';
export * from './mapping/mapping.schema';
export { SPECIMEN_DIAGNOSIS_EXTENSION, SYSTEMS } from './mapping/systems';
export { createIndexBuilder, type SiteEngineOptions } from './site-engine';
export { countCohort, countPatients, evaluateQuery } from './evaluate/evaluate-query';
export type {
  CohortCount,
  CriterionDiagnostic,
  CriterionIssue,
  EvaluateOptions,
  QueryEvaluation,
  TermCodeRef,
} from './evaluate/query-evaluation';
export {
  ingestFhir,
  type IngestOptions,
  type IngestProgress,
  type IngestSummary,
  type ResourceSink,
} from './ingest/fhir-ingest';
export {
  readFhirResources,
  type FhirInputResource,
  type ReadFhirOptions,
  type ResourceSource,
} from './ingest/fhir-reader';
export type { IngestIssue, IngestIssueCode } from './ingest/ingest-issues';
export { parseConceptTrees } from './mapping/loaders/concept-tree.loader';
export {
  importFhirMapping,
  type FhirMappingReading,
  type ImportFhirMappingOptions,
} from './mapping/loaders/fhir-mapping.loader';
export { loadConceptTreesFile, loadFhirMappingFile, loadJsonFile } from './mapping/loaders/mapping-file.loader';
export { MappingIssueCode } from './mapping/loaders/mapping-issues';
