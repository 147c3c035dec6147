/** Stable codes of what can go wrong reading a FHIR server. */
export type FhirServerErrorCode =
  | 'FHIR_SERVER_UNREACHABLE'
  | 'FHIR_SERVER_HTTP_ERROR'
  | 'FHIR_SERVER_AUTH_FAILED'
  | 'FHIR_SERVER_RESPONSE_INVALID'
  | 'FHIR_SERVER_EXPORT_FAILED'
  | 'FHIR_SERVER_EXPORT_TIMEOUT'
  | 'FHIR_SERVER_FILE_TRUNCATED'
  | 'FHIR_SERVER_STORE_FAILED';

/** Reading the site's FHIR server failed; the message names the step and the server's reason, never a credential. */
export class FhirServerError extends Error {
  override readonly name = 'FhirServerError';

  constructor(
    readonly code: FhirServerErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
