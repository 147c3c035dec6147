import { CodeHierarchy, type ConceptTree } from './codes/code-hierarchy';
import { DEFAULT_MAPPING } from './mapping/default-mapping';
import { MappingCatalog } from './mapping/mapping-catalog';
import type { EngineMapping } from './mapping/mapping.schema';
import type { CohortKeying } from './index/cohort-keying';
import { IndexBuilder } from './index/index-builder';
import { IndexPlan } from './index/index-plan';
import { engineConfigFingerprint } from './index/snapshot/snapshot-format';

/** What a site evaluates with: the mapping and, optionally, concept trees that override built-in hierarchy rules. */
export interface SiteEngineOptions {
  mapping?: EngineMapping;
  conceptTrees?: readonly ConceptTree[];
  /** The site's stable patient numbers and cohort keys; with them the index can name cohorts (`countCohort`). */
  cohortKeying?: CohortKeying;
}

/** The options each plan was compiled from, for the fingerprint a snapshot of its index carries. */
const planOptions = new WeakMap<IndexPlan, { mapping: EngineMapping; conceptTrees: readonly ConceptTree[] }>();

/** Compiles the mapping and concept trees once into the plan every index of them shares. */
export function createIndexPlan(options: SiteEngineOptions = {}): IndexPlan {
  const mapping = options.mapping ?? DEFAULT_MAPPING;
  const conceptTrees = options.conceptTrees ?? [];
  const plan = new IndexPlan(new MappingCatalog(mapping), new CodeHierarchy(mapping.hierarchyRules, conceptTrees));
  planOptions.set(plan, { mapping, conceptTrees });
  return plan;
}

/** The hash of the mapping, concept trees and builder version a plan stands for (see `engineConfigFingerprint`). */
export function configFingerprintOf(plan: IndexPlan): string {
  const options = planOptions.get(plan);
  if (options === undefined) {
    throw new Error('this plan was not made by createIndexPlan');
  }
  return engineConfigFingerprint(options.mapping, options.conceptTrees);
}

/** Compiles the mapping once and returns a builder that turns FHIR resources into a PatientIndex. */
export function createIndexBuilder(options: SiteEngineOptions = {}): IndexBuilder {
  return new IndexBuilder(createIndexPlan(options), options.cohortKeying ?? null);
}
