import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type StructuredQuery, parseStructuredQuery } from '@fq/ccdl';
import { type FhirResource, isFhirResource } from '../../fhirpath/fhir-resource';
import { SPECIMEN_DIAGNOSIS_EXTENSION, SYSTEMS } from '../../mapping/systems';

// Hand-sized FHIR resources and CCDL criteria for the reference evaluator's own sanity cases.

/** The MII test data bundles; read from /work/shared at run time, never copied into the repository. */
export const MII_KDS_FIXTURES = join(__dirname, '../../../../../../shared/fixtures/mii-kds');

/** Every resource in the MII test data bundles. */
export function loadMiiKds(): FhirResource[] {
  const resources: FhirResource[] = [];
  for (const file of readdirSync(MII_KDS_FIXTURES).filter((name) => name.endsWith('.json'))) {
    const bundle: unknown = JSON.parse(readFileSync(join(MII_KDS_FIXTURES, file), 'utf8'));
    const entries = typeof bundle === 'object' && bundle !== null ? (bundle as { entry?: unknown }).entry : undefined;
    for (const entry of Array.isArray(entries) ? entries : []) {
      const resource: unknown =
        typeof entry === 'object' && entry !== null ? (entry as { resource?: unknown }).resource : undefined;
      if (isFhirResource(resource)) {
        resources.push(resource);
      }
    }
  }
  return resources;
}

/** A query from inclusion (and exclusion) groups; throws when it is not valid CCDL, which would be a test bug. */
export function aQuery(inclusionCriteria: unknown[][], exclusionCriteria?: unknown[][]): StructuredQuery {
  const parsed = parseStructuredQuery({
    inclusionCriteria,
    ...(exclusionCriteria === undefined ? {} : { exclusionCriteria }),
  });
  if (!parsed.ok) {
    throw parsed.error;
  }
  return parsed.value;
}

export const context = (code: string) => ({ system: SYSTEMS.mii, code });
export const icd = (code: string, system: string = SYSTEMS.icd10gm) => ({ system, code });
/** A Diagnose criterion with these term codes and, in `extra`, its filters. */
export const diagnose = (codes: Array<{ system: string; code: string }>, extra: Record<string, unknown> = {}) => ({
  context: context('Diagnose'),
  termCodes: codes,
  ...extra,
});
export const subject = (patientId: string) => ({ reference: `Patient/${patientId}` });

export function patient(id: string, fields: { gender?: string; birthDate?: string } = {}): FhirResource {
  return { resourceType: 'Patient', id, ...fields };
}

export function condition(id: string, patientId: string, codes: string[], recordedDate?: string): FhirResource {
  return {
    resourceType: 'Condition',
    id,
    subject: subject(patientId),
    code: { coding: codes.map((code) => icd(code)) },
    ...(recordedDate === undefined ? {} : { recordedDate }),
  };
}

export function labObservation(
  id: string,
  patientId: string,
  loinc: string,
  valueQuantity?: Record<string, unknown>,
  effectiveDateTime?: string,
): FhirResource {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    subject: subject(patientId),
    code: { coding: [{ system: SYSTEMS.loinc, code: loinc }] },
    ...(valueQuantity === undefined ? {} : { valueQuantity }),
    ...(effectiveDateTime === undefined ? {} : { effectiveDateTime }),
  };
}

export const ucum = (value: number, code: string) => ({ value, unit: code, system: SYSTEMS.ucum, code });

export function procedure(
  id: string,
  patientId: string,
  ops: string,
  timing: Record<string, unknown> = {},
): FhirResource {
  return {
    resourceType: 'Procedure',
    id,
    status: 'completed',
    subject: subject(patientId),
    code: { coding: [{ system: SYSTEMS.ops, code: ops }] },
    ...timing,
  };
}

export function encounter(id: string, patientId: string, classCode: string, kontaktebene?: string): FhirResource {
  return {
    resourceType: 'Encounter',
    id,
    status: 'finished',
    subject: subject(patientId),
    class: { system: SYSTEMS.actCode, code: classCode },
    ...(kontaktebene === undefined
      ? {}
      : { type: [{ coding: [{ system: SYSTEMS.kontaktebene, code: kontaktebene }] }] }),
  };
}

export function specimen(id: string, patientId: string, snomed: string, diagnosisConditionId?: string): FhirResource {
  return {
    resourceType: 'Specimen',
    id,
    subject: subject(patientId),
    type: { coding: [{ system: SYSTEMS.snomed, code: snomed }] },
    ...(diagnosisConditionId === undefined
      ? {}
      : {
          extension: [
            { url: SPECIMEN_DIAGNOSIS_EXTENSION, valueReference: { reference: `Condition/${diagnosisConditionId}` } },
          ],
        }),
  };
}

export const medication = (id: string, atc: string): FhirResource => ({
  resourceType: 'Medication',
  id,
  code: { coding: [{ system: SYSTEMS.atc, code: atc }] },
});

export function medicationAdministration(
  id: string,
  patientId: string,
  medicationChoice: Record<string, unknown>,
): FhirResource {
  return {
    resourceType: 'MedicationAdministration',
    id,
    status: 'completed',
    subject: subject(patientId),
    ...medicationChoice,
  };
}

export const policy = (suffix: number) => ({
  system: SYSTEMS.consentPolicy,
  code: `${SYSTEMS.consentPolicy.slice('urn:oid:'.length)}.${suffix}`,
});

/** An MII Einwilligung: top-level deny with one nested provision per entry of `provisions`. */
export function consent(
  id: string,
  patientId: string,
  provisions: Array<{ type: 'permit' | 'deny'; suffixes: number[] }>,
  dateTime?: string,
): FhirResource {
  const period = { start: '2020-01-01', end: '2050-12-31' };
  return {
    resourceType: 'Consent',
    id,
    status: 'active',
    patient: subject(patientId),
    ...(dateTime === undefined ? {} : { dateTime }),
    provision: {
      type: 'deny',
      period,
      provision: provisions.map(({ type, suffixes }) => ({
        type,
        period,
        code: suffixes.map((suffix) => ({ coding: [policy(suffix)] })),
      })),
    },
  };
}
