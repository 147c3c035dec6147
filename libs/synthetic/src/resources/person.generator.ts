import { REFERENCE_DAY, formatDate, formatDateTime } from '../calendar';
import { CAUSES_OF_DEATH } from '../catalogs/icd10gm.catalog';
import { type SyntheticResource, coding } from '../fhir-shapes';
import { WeightedTable } from '../seeded-random';
import { EXTENSION, PATIENT_IDENTIFIER_SYSTEM, PROFILE, SYSTEM, VERSION } from '../systems';
import { type PatientContext, dateOf, dayOf } from './patient-context';

const CAUSE_TABLE = new WeightedTable(
  CAUSES_OF_DEATH,
  CAUSES_OF_DEATH.map((c) => c.weight),
);

/** The Patient resource, with its death as a flag, a date or a date and time. */
export function emitPatient(ctx: PatientContext, patientNumber: number): void {
  const { person } = ctx;
  const patient: SyntheticResource = {
    resourceType: 'Patient',
    id: ctx.patientId,
    meta: { profile: [PROFILE.patient] },
    identifier: [
      {
        use: 'usual',
        type: { coding: [coding(SYSTEM.identifierType, 'MR')] },
        system: PATIENT_IDENTIFIER_SYSTEM,
        value: String(patientNumber).padStart(8, '0'),
      },
    ],
    gender: person.gender,
  };
  if (person.genderAmtlich !== undefined) {
    const display = person.genderAmtlich === 'D' ? 'divers' : 'unbestimmt';
    patient._gender = {
      extension: [
        { url: EXTENSION.genderAmtlich, valueCoding: coding(SYSTEM.genderAmtlich, person.genderAmtlich, display) },
      ],
    };
  }
  if (person.birthDateText !== undefined) {
    patient.birthDate = person.birthDateText;
  }
  if (ctx.deathMinute !== undefined) {
    const form = ctx.random.next();
    if (form < 0.2) {
      patient.deceasedBoolean = true;
    } else {
      patient.deceasedDateTime = form < 0.3 ? dateOf(ctx.deathMinute) : formatDateTime(ctx.deathMinute);
    }
  }
  ctx.resources.push(patient);
}

/** The vital status observation: `T` at death, otherwise often `L` at the last encounter. */
export function emitVitalStatus(ctx: PatientContext): void {
  const encounters = ctx.plan.encounters;
  let at: number;
  let code: 'L' | 'T';
  if (ctx.deathMinute !== undefined) {
    at = ctx.deathMinute;
    code = 'T';
  } else {
    const last = encounters.at(-1);
    if (last === undefined || !ctx.random.chance(0.65)) {
      return;
    }
    at = last.end ?? last.start;
    code = 'L';
  }
  ctx.resources.push({
    resourceType: 'Observation',
    id: `${ctx.patientId}-vitalstatus`,
    meta: { profile: [PROFILE.vitalstatus] },
    status: 'final',
    category: [{ coding: [coding(SYSTEM.observationCategory, 'survey')] }],
    code: { coding: [coding(SYSTEM.loinc, '67162-8')] },
    subject: ctx.subject,
    effectiveDateTime: formatDateTime(at),
    valueCodeableConcept: { coding: [coding(SYSTEM.vitalstatus, code)] },
  });
}

/** The WHO ICD-10 cause of death, often one of the patient's own diagnoses. */
export function emitCauseOfDeath(ctx: PatientContext): void {
  const { random } = ctx;
  if (ctx.deathMinute === undefined || !random.chance(0.85)) {
    return;
  }
  const categories = new Set(ctx.conditions.map((c) => c.entry.code.slice(0, 3)));
  const related = CAUSES_OF_DEATH.filter((c) => categories.has(c.code.slice(0, 3)));
  const cause = related.length > 0 && random.chance(0.6) ? random.pick(related) : CAUSE_TABLE.pick(random);
  ctx.resources.push({
    resourceType: 'Condition',
    id: `${ctx.patientId}-cod`,
    meta: { profile: [PROFILE.todesursache] },
    clinicalStatus: { coding: [coding(SYSTEM.conditionClinical, 'active')] },
    verificationStatus: { coding: [coding(SYSTEM.conditionVerification, 'confirmed')] },
    category: [
      {
        coding: [
          coding(SYSTEM.snomed, '16100001', 'Death diagnosis'),
          coding(SYSTEM.loinc, '79378-6', 'Cause of death'),
        ],
      },
    ],
    code: { coding: [coding(SYSTEM.icd10who, cause.code, cause.display, VERSION.icd10who)] },
    subject: ctx.subject,
    onsetDateTime: formatDateTime(ctx.deathMinute),
    recordedDate: formatDate(Math.min(REFERENCE_DAY, dayOf(ctx.deathMinute) + random.int(0, 3))),
  });
}
