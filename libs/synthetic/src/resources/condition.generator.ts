import { formatDate, formatDateTime } from '../calendar';
import type { PlannedEncounter } from '../clinical-plan.generator';
import { type SyntheticResource, coding, reference } from '../fhir-shapes';
import { PROFILE, SYSTEM } from '../systems';
import { type EmittedCondition, type PatientContext, catalogVersion, dateOf, dayOf } from './patient-context';

/** The encounter's ICD-10-GM diagnoses, some also coded in Alpha-ID and SNOMED CT. */
export function emitConditions(
  ctx: PatientContext,
  encounter: PlannedEncounter,
  encounterId: string,
): EmittedCondition[] {
  const emitted: EmittedCondition[] = [];
  const diagnoses = [encounter.main, ...encounter.secondary];
  for (const entry of diagnoses) {
    const chronic = encounter.chronicCodes.has(entry.code);
    const id = ctx.nextId('cond');
    const version = catalogVersion(encounter.start);
    const codings = [coding(SYSTEM.icd10gm, entry.code, entry.display, version)];
    if (entry.alphaId !== undefined && ctx.random.chance(0.7)) {
      codings.push(coding(SYSTEM.alphaId, entry.alphaId, undefined, version));
    }
    if (entry.snomed !== undefined && ctx.random.chance(0.6)) {
      codings.push(coding(SYSTEM.snomed, entry.snomed));
    }
    const recorded =
      entry === encounter.main ? encounter.start : ctx.minuteBetween(encounter.start, ctx.endOf(encounter));
    const condition: SyntheticResource = {
      resourceType: 'Condition',
      id,
      meta: { profile: [PROFILE.diagnose] },
      clinicalStatus: {
        coding: [coding(SYSTEM.conditionClinical, chronic || ctx.random.chance(0.35) ? 'active' : 'resolved')],
      },
      verificationStatus: { coding: [coding(SYSTEM.conditionVerification, 'confirmed')] },
      code: { coding: codings },
      subject: ctx.subject,
      encounter: reference('Encounter', encounterId),
    };
    if (ctx.random.chance(0.35)) {
      const admissionDay = dayOf(encounter.start);
      const onsetDay = chronic
        ? Math.max(ctx.person.birthDay, admissionDay - ctx.random.int(30, 3650))
        : Math.max(ctx.person.birthDay, admissionDay - ctx.random.int(0, 7));
      condition.onsetDateTime = formatDate(onsetDay);
    }
    condition.recordedDate = ctx.random.chance(0.7) ? dateOf(recorded) : formatDateTime(recorded);
    ctx.resources.push(condition);
    const record = { id, entry };
    emitted.push(record);
    ctx.conditions.push(record);
  }
  return emitted;
}
