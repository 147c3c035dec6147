import type { ProblemIssue } from '@fq/contracts';

/** Every failure the broker reports to an HTTP client, with the status the problem-details filter answers it with. */
export const BROKER_ERROR_STATUS = {
  /** The body is not a valid CCDL query; `issues` lists every problem. */
  BROKER_QUERY_INVALID: 400,
  /** The body is not UTF-8 JSON. */
  BROKER_BODY_INVALID_JSON: 400,
  /** A query parameter is out of range. */
  BROKER_PARAMETER_INVALID: 400,
  /** A development identity header is malformed. */
  BROKER_IDENTITY_INVALID: 400,
  /** Any other request the HTTP layer refused. */
  BROKER_BAD_REQUEST: 400,
  /** No query with this id belongs to the caller. */
  BROKER_QUERY_NOT_FOUND: 404,
  /** No such endpoint. */
  BROKER_ROUTE_NOT_FOUND: 404,
  /** The body exceeds the size limit. */
  BROKER_BODY_TOO_LARGE: 413,
  /** The query would not fit into one network message. */
  BROKER_QUERY_TOO_LARGE: 413,
  /** The body is not `application/json` (UTF-8). */
  BROKER_UNSUPPORTED_MEDIA_TYPE: 415,
} as const;
export type BrokerErrorCode = keyof typeof BROKER_ERROR_STATUS;

/** A request the broker refuses; the problem-details filter turns it into `application/problem+json`. */
export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  readonly code: BrokerErrorCode;
  readonly issues: ProblemIssue[] | undefined;

  constructor(code: BrokerErrorCode, message: string, options?: ErrorOptions & { issues?: ProblemIssue[] }) {
    super(message, options);
    this.code = code;
    this.issues = options?.issues;
  }
}
