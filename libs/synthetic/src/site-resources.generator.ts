import type { SyntheticResource } from './fhir-shapes';
import { splitMedicationPool } from './medication-pool.generator';
import { generatePatientResources } from './patient-resources.generator';
import { type SeedKey, hashSeed } from './seeded-random';

/** The seed key of a site: the seed alone, or the seed combined with a site name so sites differ. */
export function siteSeedKey(seed: number | string, site?: string): SeedKey {
  return site === undefined ? hashSeed(seed) : hashSeed(`${String(seed)}@${site}`);
}

/** One step of a site's output: the patients finished after it and the resources to write, in order. */
export interface SiteBatch {
  patientsDone: number;
  resources: readonly SyntheticResource[];
}

/**
 * A site's resources in write order: part of the shared Medications, then patient 1…n, then the remaining
 * Medications, so some Medications come after resources that reference them.
 */
export function* generateSiteBatches(seedKey: SeedKey, patients: number): Generator<SiteBatch> {
  const { early, late } = splitMedicationPool(seedKey);
  yield { patientsDone: 0, resources: early };
  for (let n = 1; n <= patients; n++) {
    yield { patientsDone: n, resources: generatePatientResources(seedKey, n) };
  }
  yield { patientsDone: patients, resources: late };
}

/** Every resource of a site in the order `generateSyntheticSite` writes them (for in-memory use and tests). */
export function* generateSiteResources(seedKey: SeedKey, patients: number): Generator<SyntheticResource> {
  for (const batch of generateSiteBatches(seedKey, patients)) {
    yield* batch.resources;
  }
}
