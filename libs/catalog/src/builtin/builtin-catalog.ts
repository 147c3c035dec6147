import type { Result } from '@fq/result';
import type { CatalogFile } from '../catalog.schema';
import { CriteriaCatalog } from '../criteria-catalog';
import type { CatalogError } from '../errors';
import { CatalogBuilder } from './catalog-builder';
import { addCauseOfDeath, addDiagnoses } from './builtin-diagnoses';
import { addConsents, addEncounters, addSpecimens } from './builtin-documentation';
import { addLabTests, addVitalSigns, addVitalStatusAndReports } from './builtin-observations';
import { addMedications, addPerson, addProcedures } from './builtin-care';

/**
 * The built-in catalog file: every MII context of the default mapping, filled with the codes the synthetic sites use
 * (the code catalogs of @fq/synthetic) and their parents, so the demo can be queried without an ontology release.
 */
export function builtinCatalogFile(): CatalogFile {
  const builder = new CatalogBuilder();
  addPerson(builder);
  addDiagnoses(builder);
  addCauseOfDeath(builder);
  addLabTests(builder);
  addVitalSigns(builder);
  addVitalStatusAndReports(builder);
  addProcedures(builder);
  addMedications(builder);
  addSpecimens(builder);
  addConsents(builder);
  addEncounters(builder);
  return builder.build('built-in');
}

let builtin: Result<CriteriaCatalog, CatalogError> | undefined;

/**
 * The built-in catalog, loaded once per process (it never changes, and a catalog is read-only); legacy DIMDI system
 * URLs count as the BfArM ones, as the engine reads them.
 */
export function loadBuiltinCatalog(): Result<CriteriaCatalog, CatalogError> {
  builtin ??= CriteriaCatalog.fromFile(builtinCatalogFile());
  return builtin;
}
