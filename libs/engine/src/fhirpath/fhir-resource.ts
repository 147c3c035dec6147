/** A FHIR resource as parsed JSON: only `resourceType` and `id` are relied upon before a mapping path reads it. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  [element: string]: unknown;
}

/** Whether a parsed JSON value is shaped like a FHIR resource. */
export function isFhirResource(value: unknown): value is FhirResource {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { resourceType?: unknown }).resourceType === 'string'
  );
}
