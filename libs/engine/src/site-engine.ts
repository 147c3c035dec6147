import { CodeHierarchy, type ConceptTree } from './codes/code-hierarchy';
import { DEFAULT_MAPPING } from './mapping/default-mapping';
import { MappingCatalog } from './mapping/mapping-catalog';
import type { EngineMapping } from './mapping/mapping.schema';
import type { CohortKeying } from './index/cohort-keying';
import { IndexBuilder } from './index/index-builder';
import { IndexPlan } from './index/index-plan';

/** What a site evaluates with: the mapping and, optionally, concept trees that override built-in hierarchy rules. */
export interface SiteEngineOptions {
  mapping?: EngineMapping;
  conceptTrees?: readonly ConceptTree[];
  /** The site's stable patient numbers and cohort keys; with them the index can name cohorts (`countCohort`). */
  cohortKeying?: CohortKeying;
}

/** Compiles the mapping once and returns a builder that turns FHIR resources into a PatientIndex. */
export function createIndexBuilder(options: SiteEngineOptions = {}): IndexBuilder {
  const mapping = options.mapping ?? DEFAULT_MAPPING;
  const catalog = new MappingCatalog(mapping);
  const hierarchy = new CodeHierarchy(mapping.hierarchyRules, options.conceptTrees ?? []);
  return new IndexBuilder(new IndexPlan(catalog, hierarchy), options.cohortKeying ?? null);
}
