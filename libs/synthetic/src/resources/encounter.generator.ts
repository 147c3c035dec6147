import type { ClinicalFlag } from '../catalogs/clinical-flags.catalog';
import { KONTAKTART } from '../catalogs/encounter.catalog';
import type { PlannedEncounter } from '../clinical-plan.generator';
import { formatDateTime } from '../calendar';
import { coding, reference } from '../fhir-shapes';
import { PROFILE, SYSTEM } from '../systems';
import { emitSpecimens, emitMolecularReport } from './biobank.generator';
import { emitConditions } from './condition.generator';
import { emitLabs } from './lab.generator';
import { emitMedications } from './medication.generator';
import { type PatientContext, LAST_MINUTE, dateOf } from './patient-context';
import { emitProcedures } from './procedure.generator';
import { emitVitalSigns } from './vital-sign.generator';

/** An Encounter (and its ICU department contact) with everything documented during it. */
export function emitEncounter(ctx: PatientContext, encounter: PlannedEncounter): void {
  const encounterId = ctx.nextId('enc');
  const dateOnly = ctx.random.chance(0.2);
  const stamp = (minute: number): string => (dateOnly ? dateOf(minute) : formatDateTime(minute));
  const period: Record<string, string> = { start: stamp(encounter.start) };
  if (encounter.end !== undefined) {
    period.end = stamp(encounter.end);
  }
  ctx.resources.push({
    resourceType: 'Encounter',
    id: encounterId,
    meta: { profile: [PROFILE.encounter] },
    status: encounter.end === undefined ? 'in-progress' : 'finished',
    class: coding(SYSTEM.actCode, encounter.kind),
    type: [
      { coding: [coding(SYSTEM.kontaktebene, 'einrichtungskontakt')] },
      { coding: [coding(SYSTEM.kontaktart, KONTAKTART[encounter.kind])] },
    ],
    serviceType: { coding: [coding(SYSTEM.fachabteilung, encounter.department)] },
    subject: ctx.subject,
    period,
  });

  let icuId: string | undefined;
  if (encounter.icu !== undefined) {
    icuId = `${encounterId}-icu`;
    ctx.resources.push({
      resourceType: 'Encounter',
      id: icuId,
      meta: { profile: [PROFILE.encounter] },
      status: encounter.end === undefined && encounter.icu.end >= LAST_MINUTE ? 'in-progress' : 'finished',
      class: coding(SYSTEM.actCode, 'IMP'),
      type: [
        { coding: [coding(SYSTEM.kontaktebene, 'abteilungskontakt')] },
        { coding: [coding(SYSTEM.kontaktart, 'intensivstationaer')] },
      ],
      serviceType: { coding: [coding(SYSTEM.fachabteilung, '3600')] },
      subject: ctx.subject,
      period: { start: formatDateTime(encounter.icu.start), end: formatDateTime(encounter.icu.end) },
      partOf: reference('Encounter', encounterId),
    });
  }

  encounter.flags.forEach((flag) => ctx.knownFlags.add(flag));
  const encounterConditions = emitConditions(ctx, encounter, encounterId);
  emitProcedures(ctx, encounter, encounterId);
  const flags = new Set<ClinicalFlag>([...ctx.plan.chronicFlags, ...encounter.flags]);
  emitLabs(ctx, encounter, encounterId, flags);
  emitVitalSigns(ctx, encounter, encounterId, icuId, flags);
  emitMedications(ctx, encounter, encounterId);
  const tissueSpecimen = emitSpecimens(ctx, encounter, encounterId, encounterConditions);
  emitMolecularReport(ctx, encounter, encounterId, tissueSpecimen);
}
