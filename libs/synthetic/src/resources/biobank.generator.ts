import { formatDateTime } from '../calendar';
import { BLOOD_COLLECTION_SITES, SPECIMEN_TYPES, type SpecimenTypeEntry } from '../catalogs/biobank.catalog';
import type { PlannedEncounter } from '../clinical-plan.generator';
import { type SyntheticResource, coding, reference } from '../fhir-shapes';
import { WeightedTable } from '../seeded-random';
import { EXTENSION, PROFILE, SYSTEM } from '../systems';
import { type EmittedCondition, type PatientContext, LAST_MINUTE, MINUTES_PER_DAY } from './patient-context';

const SPECIMEN_ALL = new WeightedTable(
  SPECIMEN_TYPES,
  SPECIMEN_TYPES.map((t) => t.weight),
);
const LIQUID_TYPES = SPECIMEN_TYPES.filter((t) => !t.tissue);
const SPECIMEN_LIQUID = new WeightedTable(
  LIQUID_TYPES,
  LIQUID_TYPES.map((t) => t.weight),
);
const URINE = '122575003';

/** Biobank specimens; returns the id of a tissue specimen taken in this encounter, if any. */
export function emitSpecimens(
  ctx: PatientContext,
  encounter: PlannedEncounter,
  encounterId: string,
  encounterConditions: readonly EmittedCondition[],
): string | undefined {
  const { random } = ctx;
  if (encounter.kind !== 'IMP' || encounter.newborn) {
    return undefined;
  }
  const cancer = ctx.lastCancerCondition();
  if (!random.chance(cancer === undefined ? 0.06 : 0.3)) {
    return undefined;
  }
  let tissueId: string | undefined;
  const count = random.chance(0.35) ? 2 : 1;
  for (let i = 0; i < count; i++) {
    const type: SpecimenTypeEntry = cancer === undefined ? SPECIMEN_LIQUID.pick(random) : SPECIMEN_ALL.pick(random);
    const id = ctx.nextId('spec');
    const collected = ctx.minuteBetween(
      encounter.start + 30,
      Math.min(ctx.endOf(encounter), encounter.start + 3 * MINUTES_PER_DAY),
    );
    const collection: Record<string, unknown> = { collectedDateTime: formatDateTime(collected) };
    if (type.tissue && cancer?.entry.topography !== undefined) {
      collection.bodySite = { coding: [coding(SYSTEM.icdO3, cancer.entry.topography)] };
    } else if (!type.tissue && type.code !== URINE) {
      const site = random.pick(BLOOD_COLLECTION_SITES);
      collection.bodySite = { coding: [coding(SYSTEM.snomed, site.code, site.display)] };
    }
    const specimen: SyntheticResource = {
      resourceType: 'Specimen',
      id,
      meta: { profile: [PROFILE.specimen] },
    };
    // Most specimens name the diagnosis they were collected for: one of the same patient's Conditions.
    const diagnosis = type.tissue ? cancer : random.chance(0.85) ? random.pick(encounterConditions) : undefined;
    if (diagnosis !== undefined) {
      specimen.extension = [{ url: EXTENSION.specimenDiagnose, valueReference: reference('Condition', diagnosis.id) }];
    }
    specimen.status = 'available';
    specimen.type = { coding: [coding(SYSTEM.snomed, type.code, type.display)] };
    specimen.subject = ctx.subject;
    specimen.collection = collection;
    ctx.resources.push(specimen);
    if (type.tissue) {
      tissueId = id;
    }
  }
  return tissueId;
}

/** A molecular genetic report (LOINC 51969-4) for a cancer patient, usually naming the tissue specimen. */
export function emitMolecularReport(
  ctx: PatientContext,
  encounter: PlannedEncounter,
  encounterId: string,
  tissueId: string | undefined,
): void {
  if (
    encounter.kind !== 'IMP' ||
    ctx.lastCancerCondition() === undefined ||
    !ctx.random.chance(tissueId === undefined ? 0.04 : 0.4)
  ) {
    return;
  }
  const effective = ctx.minuteBetween(encounter.start, ctx.endOf(encounter));
  const issued = Math.min(LAST_MINUTE, effective + ctx.random.int(5, 30) * MINUTES_PER_DAY);
  const report: SyntheticResource = {
    resourceType: 'DiagnosticReport',
    id: ctx.nextId('report'),
    meta: { profile: [PROFILE.molgenReport] },
    status: 'final',
    category: [{ coding: [coding(SYSTEM.diagnosticServiceSection, 'GE', 'Genetics')] }],
    code: { coding: [coding(SYSTEM.loinc, '51969-4', 'Genetic analysis report')] },
    subject: ctx.subject,
    encounter: reference('Encounter', encounterId),
    effectiveDateTime: formatDateTime(effective),
    issued: formatDateTime(issued),
  };
  if (tissueId !== undefined) {
    report.specimen = [reference('Specimen', tissueId)];
  }
  ctx.resources.push(report);
}
