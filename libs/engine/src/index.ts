export type { ConceptTree } from './codes/code-hierarchy';
export { parseFhirDate, toDayRange, type DayRange } from './dates';
export {
  EngineError,
  FhirInputError,
  FhirPathInvalidError,
  IndexSnapshotError,
  type IndexSnapshotErrorCode,
  MappingInvalidError,
  type EngineIssue,
} from './errors';
export { isFhirResource, type FhirResource } from './fhirpath/fhir-resource';
export type { CohortKeying } from './index/cohort-keying';
export { type AddOutcome, type IndexBuilder, parseReference } from './index/index-builder';
export type { IndexMemory, PatientIndex } from './index/patient-index';
export { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from './mapping/default-mapping';
export * from './mapping/mapping.schema';
export { SPECIMEN_DIAGNOSIS_EXTENSION, SYSTEMS } from './mapping/systems';
export { createIndexBuilder, type SiteEngineOptions } from './site-engine';
export {
  loadIndexSnapshot,
  type LoadedSnapshot,
  type LoadSnapshotOptions,
  type SnapshotLoadResult,
} from './index/snapshot/index-snapshot.reader';
export type { SnapshotIdentity } from './index/snapshot/index-snapshot.schema';
export {
  saveIndexSnapshot,
  type SavedSnapshot,
  type SaveSnapshotOptions,
} from './index/snapshot/index-snapshot.writer';
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
  type ResourceTally,
} from './ingest/fhir-ingest';
export {
  readFhirResources,
  type FhirInputResource,
  type ReadFhirOptions,
  type ResourceSource,
} from './ingest/fhir-reader';
export type { IngestIssue, IngestIssueCode } from './ingest/ingest-issues';
export { ingestFhirInParallel, type ParallelIngestOptions } from './ingest/parallel/parallel-ingest';
export { parseConceptTrees } from './mapping/loaders/concept-tree.loader';
export {
  importFhirMapping,
  type FhirMappingReading,
  type ImportFhirMappingOptions,
} from './mapping/loaders/fhir-mapping.loader';
export { loadConceptTreesFile, loadFhirMappingFile, loadJsonFile } from './mapping/loaders/mapping-file.loader';
export { MappingIssueCode } from './mapping/loaders/mapping-issues';
export { resolveSiteMapping, type SiteMappingOptions } from './mapping/loaders/site-mapping';
