import { atMinute, dayNumber, formatDateTime } from '../calendar';
import type { ClinicalFlag } from '../catalogs/clinical-flags.catalog';
import { LAB_TESTS, SARS_COV_2_PCR } from '../catalogs/loinc-labs.catalog';
import type { PlannedEncounter } from '../clinical-plan.generator';
import { coding, reference, ucumQuantity } from '../fhir-shapes';
import { orderProbability, sampleLab } from '../measurement.generator';
import { PROFILE, SYSTEM } from '../systems';
import { type PatientContext, LAST_MINUTE, MINUTES_PER_DAY, dayOf } from './patient-context';

const COVID_TESTING_START = dayNumber(2020, 3, 1);
const COVID_SCREENING_END = dayNumber(2023, 4, 7);
const FOLLOW_UP_LABS: ReadonlySet<string> = new Set(['718-7', '26464-8', '1988-5', '2160-0', '2823-3']);

function pushLab(
  ctx: PatientContext,
  encounterId: string,
  effective: number,
  code: string,
  value: Record<string, unknown>,
): void {
  // No display: lab codes are the bulk of the data and the LOINC code is all a query reads.
  ctx.resources.push({
    resourceType: 'Observation',
    id: ctx.nextId('lab'),
    meta: { profile: [PROFILE.observationLab] },
    status: 'final',
    category: [
      {
        coding: [coding(SYSTEM.loinc, '26436-6'), coding(SYSTEM.observationCategory, 'laboratory')],
      },
    ],
    code: { coding: [coding(SYSTEM.loinc, code)] },
    subject: ctx.subject,
    encounter: reference('Encounter', encounterId),
    effectiveDateTime: formatDateTime(effective),
    issued: formatDateTime(Math.min(LAST_MINUTE, effective + ctx.random.int(30, 240))),
    ...value,
  });
}

function emitLabRound(
  ctx: PatientContext,
  encounter: PlannedEncounter,
  encounterId: string,
  flags: ReadonlySet<ClinicalFlag>,
  at: number,
  inpatient: boolean,
  only?: ReadonlySet<string>,
): void {
  const child = encounter.ageYears < 18;
  for (const entry of LAB_TESTS) {
    if (
      only !== undefined
        ? !only.has(entry.code) || !ctx.random.chance(0.6)
        : !ctx.random.chance(orderProbability(entry, inpatient, flags))
    ) {
      continue;
    }
    const result = sampleLab(ctx.random, entry, ctx.person.gender, child, flags);
    pushLab(ctx, encounterId, at, result.code, { valueQuantity: ucumQuantity(result.value, result.unit) });
  }
}

/** The encounter's lab results: an admission round, sometimes a follow-up round and a SARS-CoV-2 PCR. */
export function emitLabs(
  ctx: PatientContext,
  encounter: PlannedEncounter,
  encounterId: string,
  flags: ReadonlySet<ClinicalFlag>,
): void {
  const share = { IMP: 0.85, SS: 0.6, EMER: 0.7, AMB: 0.3 }[encounter.kind];
  const end = ctx.endOf(encounter);
  if (encounter.newborn || !ctx.random.chance(share)) {
    return;
  }
  const inpatient = encounter.kind !== 'AMB';
  const first = ctx.minuteBetween(encounter.start + 20, encounter.start + 180);
  emitLabRound(ctx, encounter, encounterId, flags, Math.min(first, end), inpatient);
  if (encounter.kind === 'IMP' && end - encounter.start >= 3 * MINUTES_PER_DAY && ctx.random.chance(0.3)) {
    const later = atMinute(
      dayOf(encounter.start) + ctx.random.int(2, Math.max(2, dayOf(end) - dayOf(encounter.start))),
      6 * 60 + ctx.random.int(0, 120),
    );
    if (later < end) {
      emitLabRound(ctx, encounter, encounterId, flags, later, inpatient, FOLLOW_UP_LABS);
    }
  }
  const day = dayOf(encounter.start);
  if (day >= COVID_TESTING_START) {
    const symptomatic = encounter.flags.has('respiratory') && ctx.random.chance(0.7);
    const screening = encounter.kind === 'IMP' && day < COVID_SCREENING_END && ctx.random.chance(0.25);
    if (symptomatic || screening) {
      const detected = encounter.flags.has('covid') || ctx.random.chance(0.03);
      const answer = detected ? SARS_COV_2_PCR.detected : SARS_COV_2_PCR.notDetected;
      pushLab(ctx, encounterId, Math.min(first, end), SARS_COV_2_PCR.code, {
        valueCodeableConcept: { coding: [coding(SYSTEM.loinc, answer.code, answer.display)] },
      });
    }
  }
}
