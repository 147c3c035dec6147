import { SYSTEM } from './systems';

/** A generated FHIR R4 resource as plain JSON: every resource has a type and a stable id. */
export interface SyntheticResource {
  resourceType: SyntheticResourceType;
  id: string;
  [element: string]: unknown;
}

/** The resource types the generator writes, in the order their files are listed in a summary. */
export const SYNTHETIC_RESOURCE_TYPES = [
  'Patient',
  'Encounter',
  'Condition',
  'Observation',
  'Procedure',
  'Medication',
  'MedicationStatement',
  'MedicationRequest',
  'MedicationAdministration',
  'Specimen',
  'Consent',
  'DiagnosticReport',
] as const;
export type SyntheticResourceType = (typeof SYNTHETIC_RESOURCE_TYPES)[number];

export interface Coding {
  system: string;
  code: string;
  version?: string;
  display?: string;
}

export interface Quantity {
  value: number;
  unit: string;
  system: string;
  code: string;
}

export function coding(system: string, code: string, display?: string, version?: string): Coding {
  const result: Coding = { system, code };
  if (version !== undefined) {
    result.version = version;
  }
  if (display !== undefined) {
    result.display = display;
  }
  return result;
}

export function reference(resourceType: string, id: string): { reference: string } {
  return { reference: `${resourceType}/${id}` };
}

/** A UCUM quantity whose human-readable unit is the UCUM code itself. */
export function ucumQuantity(value: number, unit: string): Quantity {
  return { value, unit, system: SYSTEM.ucum, code: unit };
}

/** Rounds to a fixed number of decimals so JSON output stays short and stable. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
