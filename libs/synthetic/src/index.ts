export { REFERENCE_DATE, WINDOW_START_DAY, formatDate, formatDateTime } from './calendar';
export { MEDICATIONS, type MedicationEntry, medicationId } from './catalogs/atc.catalog';
export { type ClinicalFlag, flagsOfDiagnosis } from './catalogs/clinical-flags.catalog';
export { CAUSES_OF_DEATH, DIAGNOSES, type DiagnosisEntry, isDiabetes } from './catalogs/icd10gm.catalog';
export { LAB_TESTS, type LabEntry, SARS_COV_2_PCR } from './catalogs/loinc-labs.catalog';
export { PROCEDURES, type ProcedureEntry, procedureCategory } from './catalogs/ops.catalog';
export { SyntheticIssueCode, SyntheticOptionsError, type SyntheticOptionsIssue, SyntheticOutputError } from './errors';
export { SYNTHETIC_RESOURCE_TYPES, type SyntheticResource, type SyntheticResourceType } from './fhir-shapes';
export { generateMedicationPool, splitMedicationPool } from './medication-pool.generator';
export { generatePatientResources } from './patient-resources.generator';
export { type SeedKey, SeededRandom, hashSeed } from './seeded-random';
export { type SiteBatch, generateSiteBatches, generateSiteResources, siteSeedKey } from './site-resources.generator';
export {
  SyntheticOptions,
  type SyntheticOptionsInput,
  type SyntheticProgress,
  parseSyntheticOptions,
} from './synthetic-options.schema';
export {
  type SyntheticFile,
  type SyntheticSummary,
  generateSyntheticSite,
  ndjsonFileName,
} from './synthetic-site.generator';
export { EXTENSION, PROFILE, SYSTEM } from './systems';
