import { formatDate, formatDateTime } from '../calendar';
import { type MedicationEntry, medicationId } from '../catalogs/atc.catalog';
import type { PlannedEncounter } from '../clinical-plan.generator';
import { type SyntheticResource, coding, reference } from '../fhir-shapes';
import { PROFILE, SYSTEM, VERSION } from '../systems';
import { type PatientContext, MINUTES_PER_DAY, dayOf } from './patient-context';

function medicationElement(ctx: PatientContext, entry: MedicationEntry): Record<string, unknown> {
  // A few resources name the drug inline, which only the default mapping reads.
  return ctx.random.chance(0.05)
    ? { medicationCodeableConcept: { coding: [coding(SYSTEM.atc, entry.code, entry.display, VERSION.atc)] } }
    : { medicationReference: reference('Medication', medicationId(entry.code)) };
}

/** Home medication as statements or requests, and acute medication as requests with administrations. */
export function emitMedications(ctx: PatientContext, encounter: PlannedEncounter, encounterId: string): void {
  const { random } = ctx;
  // Home medication only for conditions the patient already has, not ones diagnosed years later.
  const chronic = ctx.plan.chronicMedications.filter((m) => m.indications.some((flag) => ctx.knownFlags.has(flag)));
  const end = ctx.endOf(encounter);
  const admissionDay = dayOf(encounter.start);
  if ((encounter.kind === 'IMP' || encounter.kind === 'SS') && chronic.length > 0 && random.chance(0.6)) {
    for (const entry of chronic.slice(0, 4)) {
      const statement: SyntheticResource = {
        resourceType: 'MedicationStatement',
        id: ctx.nextId('medstat'),
        meta: { profile: [PROFILE.medicationStatement] },
        status: 'active',
        ...medicationElement(ctx, entry),
        subject: ctx.subject,
        context: reference('Encounter', encounterId),
      };
      if (random.chance(0.15)) {
        statement.effectiveDateTime = formatDate(admissionDay);
      } else {
        const startDay = Math.max(ctx.person.birthDay + 1, admissionDay - random.int(30, 2500));
        const period: Record<string, string> = { start: formatDate(startDay) };
        // Long-term medication is often documented without an end.
        if (random.chance(0.45)) {
          period.end = formatDate(Math.min(dayOf(ctx.lastMinute), admissionDay + random.int(0, 120)));
          statement.status = 'completed';
        }
        statement.effectivePeriod = period;
      }
      if (random.chance(0.005)) {
        statement.status = 'entered-in-error';
      }
      statement.dateAsserted = formatDate(admissionDay);
      ctx.resources.push(statement);
    }
  }
  if (encounter.kind === 'AMB' && chronic.length > 0 && random.chance(0.25)) {
    ctx.resources.push({
      resourceType: 'MedicationRequest',
      id: ctx.nextId('medreq'),
      meta: { profile: [PROFILE.medicationRequest] },
      status: 'active',
      intent: 'order',
      ...medicationElement(ctx, random.pick(chronic)),
      subject: ctx.subject,
      encounter: reference('Encounter', encounterId),
      authoredOn: formatDateTime(ctx.minuteBetween(encounter.start, end)),
    });
  }
  for (const entry of encounter.acuteMedications) {
    const authored = ctx.minuteBetween(encounter.start + 15, Math.min(end, encounter.start + MINUTES_PER_DAY));
    let requestId: string | undefined;
    if (encounter.kind !== 'EMER') {
      requestId = ctx.nextId('medreq');
      ctx.resources.push({
        resourceType: 'MedicationRequest',
        id: requestId,
        meta: { profile: [PROFILE.medicationRequest] },
        status: encounter.end === undefined ? 'active' : 'completed',
        intent: 'order',
        ...medicationElement(ctx, entry),
        subject: ctx.subject,
        encounter: reference('Encounter', encounterId),
        authoredOn: formatDateTime(authored),
      });
    }
    if (!random.chance(encounter.kind === 'EMER' ? 0.9 : 0.8)) {
      continue;
    }
    const doses = end - encounter.start > 2 * MINUTES_PER_DAY && random.chance(0.2) ? 2 : 1;
    let at = authored;
    for (let dose = 0; dose < doses; dose++) {
      at = ctx.minuteBetween(at + 15, Math.min(end, at + (dose === 0 ? 240 : 12 * 60)));
      const administration: SyntheticResource = {
        resourceType: 'MedicationAdministration',
        id: ctx.nextId('medadm'),
        meta: { profile: [PROFILE.medicationAdministration] },
        status: 'completed',
        ...medicationElement(ctx, entry),
        subject: ctx.subject,
        context: reference('Encounter', encounterId),
      };
      if (random.chance(0.4)) {
        administration.effectivePeriod = {
          start: formatDateTime(at),
          end: formatDateTime(Math.min(at + random.int(15, 90), ctx.lastMinute)),
        };
      } else {
        administration.effectiveDateTime = formatDateTime(at);
      }
      if (requestId !== undefined) {
        administration.request = reference('MedicationRequest', requestId);
      }
      ctx.resources.push(administration);
    }
  }
}
