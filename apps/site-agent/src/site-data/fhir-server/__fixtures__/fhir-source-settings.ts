import type { FhirSourceSettings } from '../../../config/fhir-source.schema';

/**
 * A FHIR server source for a spec: bulk export at system level from `baseUrl` without authentication, a 10 s request
 * and 60 s export timeout, 3 parallel downloads, pages of 8, no incremental refresh; `overrides` on top.
 */
export function fhirSourceSettings(baseUrl: string, overrides: Partial<FhirSourceSettings> = {}): FhirSourceSettings {
  return {
    baseUrl,
    read: 'bulk-export',
    exportLevel: 'system',
    groupId: null,
    auth: { kind: 'none' },
    caFile: null,
    requestTimeoutSeconds: 10,
    exportTimeoutSeconds: 60,
    parallelDownloads: 3,
    pageSize: 8,
    incrementalSeconds: 0,
    ...overrides,
  };
}
