import type { ProblemIssue } from '@fq/contracts';

/** Every failure the broker reports to an HTTP client, with the status the problem-details filter answers it with. */
export const BROKER_ERROR_STATUS = {
  /** The body is not a valid CCDL query; `issues` lists every problem. */
  BROKER_QUERY_INVALID: 400,
  /** The body is not UTF-8 JSON. */
  BROKER_BODY_INVALID_JSON: 400,
  /** A query parameter is out of range. */
  BROKER_PARAMETER_INVALID: 400,
  /** The query exceeds a complexity limit (criteria, nesting, string length); `issues` says where. */
  BROKER_QUERY_TOO_COMPLEX: 400,
  /** The query has more criteria than a registered site answers (the smallest limit sites advertise in heartbeats). */
  BROKER_QUERY_ABOVE_SITE_LIMIT: 400,
  /** A saved query's name or comment is invalid, or its query is; `issues` lists every problem. */
  BROKER_SAVED_QUERY_INVALID: 400,
  /** The caller already keeps the most saved queries a user may keep. */
  BROKER_SAVED_QUERY_LIMIT_REACHED: 400,
  /** Any other request the HTTP layer refused. */
  BROKER_BAD_REQUEST: 400,
  /** No bearer token. */
  BROKER_AUTH_REQUIRED: 401,
  /** The bearer token is malformed, from an untrusted issuer, for another audience, or its signature fails. */
  BROKER_TOKEN_INVALID: 401,
  /** The bearer token has expired. */
  BROKER_TOKEN_EXPIRED: 401,
  /** The bearer token's `nbf` lies beyond the clock tolerance in the future. */
  BROKER_TOKEN_NOT_YET_VALID: 401,
  /** The bearer token's `iat` lies beyond the clock tolerance in the future. */
  BROKER_TOKEN_ISSUED_IN_FUTURE: 401,
  /** A claim of the bearer token is missing, of the wrong type or not accepted (e.g. `aud`, `exp`). */
  BROKER_TOKEN_CLAIM_INVALID: 401,
  /** The bearer token's `sub` is not a user id (1-128 printable ASCII characters without spaces). */
  BROKER_TOKEN_SUBJECT_INVALID: 401,
  /** The caller's role does not allow this request. */
  BROKER_ROLE_FORBIDDEN: 403,
  /** The hard quota blacklisted the caller; an admin lifts it. */
  BROKER_USER_BLACKLISTED: 403,
  /** No query with this id belongs to the caller. */
  BROKER_QUERY_NOT_FOUND: 404,
  /** No saved query with this id belongs to the caller. */
  BROKER_SAVED_QUERY_NOT_FOUND: 404,
  /** No criteria catalog entry has this id. */
  BROKER_TERMINOLOGY_ENTRY_NOT_FOUND: 404,
  /** No such endpoint. */
  BROKER_ROUTE_NOT_FOUND: 404,
  /** The caller already has a saved query with this name. */
  BROKER_SAVED_QUERY_NAME_TAKEN: 409,
  /** The user is not blacklisted. */
  BROKER_BLACKLIST_ENTRY_NOT_FOUND: 404,
  /** The body exceeds the size limit. */
  BROKER_BODY_TOO_LARGE: 413,
  /** The query would not fit into one network message. */
  BROKER_QUERY_TOO_LARGE: 413,
  /** The body is not `application/json` (UTF-8). */
  BROKER_UNSUPPORTED_MEDIA_TYPE: 415,
  /** Too many submissions in the soft quota's interval; `Retry-After` says when a slot frees. */
  BROKER_QUOTA_EXCEEDED: 429,
  /** The same result was read again within the polling interval; `Retry-After` says when it may be. */
  BROKER_POLLING_LIMIT_EXCEEDED: 429,
  /** The identity provider cannot be reached to check a token. */
  BROKER_AUTH_UNAVAILABLE: 503,
} as const;
export type BrokerErrorCode = keyof typeof BROKER_ERROR_STATUS;

/** A request the broker refuses; the problem-details filter turns it into `application/problem+json`. */
export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  readonly code: BrokerErrorCode;
  readonly issues: ProblemIssue[] | undefined;
  /** Response headers that belong to the problem, e.g. `WWW-Authenticate` or `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: BrokerErrorCode,
    message: string,
    options?: ErrorOptions & { issues?: ProblemIssue[]; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.code = code;
    this.issues = options?.issues;
    this.headers = options?.headers ?? {};
  }
}
