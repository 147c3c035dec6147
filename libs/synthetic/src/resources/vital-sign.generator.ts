import { formatDateTime } from '../calendar';
import type { ClinicalFlag } from '../catalogs/clinical-flags.catalog';
import type { PlannedEncounter } from '../clinical-plan.generator';
import { coding, reference, ucumQuantity } from '../fhir-shapes';
import { bloodPressure, heartRate, heightAt, respiratoryRate, weightAt } from '../measurement.generator';
import { PROFILE, SYSTEM } from '../systems';
import type { PatientContext } from './patient-context';

function pushVital(
  ctx: PatientContext,
  profile: string,
  codings: ReturnType<typeof coding>[],
  encounterId: string,
  at: number,
  value: Record<string, unknown>,
): void {
  ctx.resources.push({
    resourceType: 'Observation',
    id: ctx.nextId('vital'),
    meta: { profile: [profile] },
    status: 'final',
    category: [{ coding: [coding(SYSTEM.observationCategory, 'vital-signs')] }],
    code: { coding: codings },
    subject: ctx.subject,
    encounter: reference('Encounter', encounterId),
    effectiveDateTime: formatDateTime(at),
    ...value,
  });
}

function emitVitalSet(
  ctx: PatientContext,
  encounterId: string,
  at: number,
  ageYears: number,
  flags: ReadonlySet<ClinicalFlag>,
  chances: { hr: number; bp: number; rr: number; weight: number },
  icu: boolean,
): void {
  const { random } = ctx;
  if (random.chance(chances.hr)) {
    pushVital(ctx, PROFILE.heartRate, HEART_RATE_CODES, encounterId, at, {
      valueQuantity: ucumQuantity(heartRate(random, ageYears, flags, icu), '/min'),
    });
  }
  if (random.chance(chances.bp)) {
    const [systolic, diastolic] = bloodPressure(random, ageYears, flags);
    pushVital(ctx, PROFILE.bloodPressure, BLOOD_PRESSURE_CODES, encounterId, at, {
      component: [
        { code: { coding: SYSTOLIC_CODES }, valueQuantity: ucumQuantity(systolic, 'mm[Hg]') },
        { code: { coding: DIASTOLIC_CODES }, valueQuantity: ucumQuantity(diastolic, 'mm[Hg]') },
      ],
    });
  }
  if (random.chance(chances.rr)) {
    pushVital(ctx, PROFILE.respiratoryRate, RESPIRATORY_RATE_CODES, encounterId, at, {
      valueQuantity: ucumQuantity(respiratoryRate(random, ageYears, flags), '/min'),
    });
  }
  if (random.chance(chances.weight)) {
    pushVital(ctx, PROFILE.bodyWeight, BODY_WEIGHT_CODES, encounterId, at, {
      valueQuantity: ucumQuantity(weightAt(random, ctx.build, ctx.person.gender, ageYears), 'kg'),
    });
    if (random.chance(0.6)) {
      pushVital(ctx, PROFILE.bodyHeight, BODY_HEIGHT_CODES, encounterId, at, {
        valueQuantity: ucumQuantity(heightAt(ctx.build, ctx.person.gender, ageYears), 'cm'),
      });
    }
  }
}

/** Vital signs at the start of the encounter (birth measurements for a newborn) and in the ICU. */
export function emitVitalSigns(
  ctx: PatientContext,
  encounter: PlannedEncounter,
  encounterId: string,
  icuId: string | undefined,
  flags: ReadonlySet<ClinicalFlag>,
): void {
  const at = ctx.minuteBetween(encounter.start + 10, encounter.start + 90);
  if (encounter.newborn) {
    // Birth weight and length, not the first-year medians the growth tables give.
    if (ctx.random.chance(0.6)) {
      const weight = Math.round((3.4 + 0.5 * ctx.random.normal()) * 100) / 100;
      pushVital(ctx, PROFILE.bodyWeight, BODY_WEIGHT_CODES, encounterId, at, {
        valueQuantity: ucumQuantity(Math.max(1.2, weight), 'kg'),
      });
      pushVital(ctx, PROFILE.bodyHeight, BODY_HEIGHT_CODES, encounterId, at, {
        valueQuantity: ucumQuantity(Math.round(51 + 2.2 * ctx.random.normal()), 'cm'),
      });
    }
  } else {
    const chances = {
      IMP: { hr: 0.35, bp: 0.4, rr: 0.08, weight: 0.3 },
      SS: { hr: 0.2, bp: 0.3, rr: 0, weight: 0.1 },
      EMER: { hr: 0.5, bp: 0.5, rr: 0.2, weight: 0.05 },
      AMB: { hr: 0.05, bp: 0.12, rr: 0, weight: 0.08 },
    }[encounter.kind];
    emitVitalSet(ctx, encounterId, at, encounter.ageYears, flags, chances, false);
  }
  if (icuId !== undefined && encounter.icu !== undefined) {
    const icuAt = ctx.minuteBetween(encounter.icu.start, Math.min(encounter.icu.end, encounter.icu.start + 240));
    const icuChances = { hr: 1, bp: 1, rr: 0.8, weight: 0.4 };
    emitVitalSet(ctx, icuId, icuAt, encounter.ageYears, flags, icuChances, true);
  }
}

const HEART_RATE_CODES = [
  coding(SYSTEM.loinc, '8867-4', 'Heart rate'),
  coding(SYSTEM.snomed, '364075005', 'Heart rate'),
];
const BLOOD_PRESSURE_CODES = [
  coding(SYSTEM.loinc, '85354-9', 'Blood pressure panel with all children optional'),
  coding(SYSTEM.snomed, '75367002', 'Blood pressure'),
];
const SYSTOLIC_CODES = [coding(SYSTEM.loinc, '8480-6', 'Systolic blood pressure'), coding(SYSTEM.snomed, '271649006')];
const DIASTOLIC_CODES = [
  coding(SYSTEM.loinc, '8462-4', 'Diastolic blood pressure'),
  coding(SYSTEM.snomed, '271650006'),
];
const RESPIRATORY_RATE_CODES = [
  coding(SYSTEM.loinc, '9279-1', 'Respiratory rate'),
  coding(SYSTEM.snomed, '86290005', 'Respiratory rate'),
];
const BODY_WEIGHT_CODES = [
  coding(SYSTEM.loinc, '29463-7', 'Body weight'),
  coding(SYSTEM.snomed, '27113001', 'Body weight'),
];
const BODY_HEIGHT_CODES = [
  coding(SYSTEM.loinc, '8302-2', 'Body height'),
  coding(SYSTEM.snomed, '1153637007', 'Body height'),
];
