export { CATALOG_FILE_FORMAT, CatalogEntry, CatalogFile } from './catalog.schema';
export { builtinCatalogFile, loadBuiltinCatalog } from './builtin/builtin-catalog';
export {
  type CatalogSearchParams,
  CriteriaCatalog,
  type CriteriaCatalogOptions,
  loadCatalogFile,
  parseCatalogFile,
} from './criteria-catalog';
export { criterionOf } from './criterion-of';
export { entryIdOf } from './entry-id';
export { CatalogError, CatalogErrorCode, type CatalogIssue } from './errors';
export { foldText } from './text-folding';
export {
  importOntology,
  type ImportOptions,
  type ImportProgress,
  type ImportSummary,
  type OntologyImport,
} from './import/ontology-import';
export { listUnknownTermCodes, type UnknownTermCodeWarning } from './unknown-term-codes';
