import { formatDateTime } from '../calendar';
import { procedureCategory } from '../catalogs/ops.catalog';
import type { PlannedEncounter } from '../clinical-plan.generator';
import { type SyntheticResource, coding, reference } from '../fhir-shapes';
import { PROFILE, SYSTEM } from '../systems';
import { type PatientContext, catalogVersion } from './patient-context';

/** The encounter's OPS procedures, long ones with a period. */
export function emitProcedures(ctx: PatientContext, encounter: PlannedEncounter, encounterId: string): void {
  const end = ctx.endOf(encounter);
  for (const entry of encounter.procedures) {
    const category = procedureCategory(entry.code);
    const procedure: SyntheticResource = {
      resourceType: 'Procedure',
      id: ctx.nextId('proc'),
      meta: { profile: [PROFILE.procedure] },
      status: 'completed',
      category: { coding: [coding(SYSTEM.snomed, category.code, category.display)] },
      code: { coding: [coding(SYSTEM.ops, entry.code, entry.display, catalogVersion(encounter.start))] },
      subject: ctx.subject,
      encounter: reference('Encounter', encounterId),
    };
    const start = ctx.minuteBetween(encounter.start, end);
    if (ctx.random.chance(entry.long === true ? 0.8 : 0.05)) {
      const periodEnd = Math.min(end, start + ctx.random.int(45, 6 * 60));
      procedure.performedPeriod = { start: formatDateTime(start), end: formatDateTime(Math.max(start, periodEnd)) };
    } else {
      procedure.performedDateTime = formatDateTime(start);
    }
    ctx.resources.push(procedure);
  }
}
