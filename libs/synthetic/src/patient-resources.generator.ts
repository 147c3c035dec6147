import { atMinute } from './calendar';
import { planClinicalHistory } from './clinical-plan.generator';
import { drawPerson } from './demographics.generator';
import type { SyntheticResource } from './fhir-shapes';
import { emitConsent } from './resources/consent.generator';
import { emitEncounter } from './resources/encounter.generator';
import { MINUTES_PER_DAY, PatientContext } from './resources/patient-context';
import { emitCauseOfDeath, emitPatient, emitVitalStatus } from './resources/person.generator';
import { SeededRandom, type SeedKey } from './seeded-random';

/**
 * Generates all resources of patient `patientNumber` (1-based) for a seed: a pure function of its arguments, so a
 * patient's data do not depend on how many patients are generated. Shared Medication resources are not included.
 */
export function generatePatientResources(seedKey: SeedKey, patientNumber: number): SyntheticResource[] {
  if (!Number.isSafeInteger(patientNumber) || patientNumber < 1) {
    throw new RangeError(`patientNumber must be a whole number >= 1, got ${patientNumber}`);
  }
  const random = SeededRandom.forStream(seedKey, patientNumber);
  const person = drawPerson(random);
  const plan = planClinicalHistory(random, person);
  const last = plan.encounters.at(-1);
  let deathMinute: number | undefined;
  if (person.deathDay !== undefined) {
    deathMinute =
      last?.fatal === true && last.end !== undefined
        ? last.end
        : Math.max(atMinute(person.deathDay, random.int(0, MINUTES_PER_DAY - 1)), last?.end ?? 0);
  }
  const ctx = new PatientContext(random, patientNumber, person, plan, deathMinute);
  emitPatient(ctx, patientNumber);
  for (const encounter of plan.encounters) {
    emitEncounter(ctx, encounter);
  }
  emitConsent(ctx);
  emitVitalStatus(ctx);
  emitCauseOfDeath(ctx);
  return ctx.resources;
}
