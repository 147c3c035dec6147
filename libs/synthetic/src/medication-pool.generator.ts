import { MEDICATIONS, medicationId } from './catalogs/atc.catalog';
import { type SyntheticResource, coding } from './fhir-shapes';
import { SeededRandom, type SeedKey } from './seeded-random';
import { PROFILE, SYSTEM, VERSION } from './systems';

/** The shared Medication resources (one per ATC code of the catalog), referenced as `Medication/med-<atc>`. */
export function generateMedicationPool(): SyntheticResource[] {
  const seen = new Set<string>();
  const pool: SyntheticResource[] = [];
  for (const entry of MEDICATIONS) {
    if (seen.has(entry.code)) {
      continue;
    }
    seen.add(entry.code);
    pool.push({
      resourceType: 'Medication',
      id: medicationId(entry.code),
      meta: { profile: [PROFILE.medication] },
      status: 'active',
      code: { coding: [coding(SYSTEM.atc, entry.code, entry.display, VERSION.atc)] },
    });
  }
  return pool;
}

/**
 * Splits the pool into Medications written before the patients and ones written after them, so that an ingester
 * meets references to Medications it has not seen yet. The split depends on the seed only.
 */
export function splitMedicationPool(seedKey: SeedKey): { early: SyntheticResource[]; late: SyntheticResource[] } {
  // Stream 0 belongs to no patient (patients are numbered from 1).
  const random = SeededRandom.forStream(seedKey, 0);
  const early: SyntheticResource[] = [];
  const late: SyntheticResource[] = [];
  for (const medication of generateMedicationPool()) {
    (random.chance(0.5) ? late : early).push(medication);
  }
  return { early, late };
}
