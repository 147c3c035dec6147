import { StructuredQuery } from '@fq/ccdl';
import { z } from 'zod';
import { BudgetReport, DataSourceKind } from './envelope.schema';
import { SiteId } from './subjects';

// Bodies of the broker's researcher HTTP API. Responses are strict (they are ours); the query keeps unknown keys.

const Timestamp = z.iso.datetime({ offset: true });

/** `POST /api/v1/queries`: a CCDL structured query, or a CRTDL document carrying one in `cohortDefinition`. */
export const SubmitQueryRequest = z.union([
  StructuredQuery,
  z.looseObject({ cohortDefinition: StructuredQuery, dataExtraction: z.unknown().optional() }),
]);
export type SubmitQueryRequest = z.infer<typeof SubmitQueryRequest>;

/**
 * Stable codes of the warnings a query is accepted with: a property CCDL does not define (kept, but no site reads it),
 * a term code the broker's criteria catalog does not know (a site may know more).
 */
export const QueryWarningCode = z.enum(['CCDL_UNKNOWN_PROPERTY', 'CCDL_UNKNOWN_TERM_CODE']);
export type QueryWarningCode = z.infer<typeof QueryWarningCode>;

/** Something in an accepted query the researcher should check: where (`$`-rooted JSON path), what, and a sentence. */
export const QueryWarning = z.strictObject({ code: QueryWarningCode, path: z.string(), message: z.string() });
export type QueryWarning = z.infer<typeof QueryWarning>;

/** The answer to a submitted query: its id (also in the `Location` header) and its warnings (`[]` when none). */
export const SubmitQueryResponse = z.strictObject({ id: z.uuid(), warnings: z.array(QueryWarning) });
export type SubmitQueryResponse = z.infer<typeof SubmitQueryResponse>;

/** A query is running until every site answered (completed) or its deadline passed (expired). */
export const QueryStatus = z.enum(['running', 'completed', 'expired']);
export type QueryStatus = z.infer<typeof QueryStatus>;

/** What one site did with a query. */
export const SiteAnswerStatus = z.enum(['pending', 'answered', 'refused', 'failed', 'expired']);
export type SiteAnswerStatus = z.infer<typeof SiteAnswerStatus>;

/**
 * Why the total is withheld: below the results threshold, or the query is still running and the final result might
 * hide the figures (docs/privacy.md, "Intermediate views").
 */
export const TotalHiddenReason = z.enum(['below-results-threshold', 'query-running']);
export type TotalHiddenReason = z.infer<typeof TotalHiddenReason>;

/** Why the per-site counts are withheld: too few sites above the threshold, or the final result might still hide them. */
export const BreakdownHiddenReason = z.enum(['too-few-sites-above-threshold', 'query-running']);
export type BreakdownHiddenReason = z.infer<typeof BreakdownHiddenReason>;

/** One site's part of a query result; `site` is a per-query pseudonym such as "Site 3" unless the caller is an admin. */
export const QuerySiteResult = z.strictObject({
  site: z.string().min(1),
  /** The real site id; only for admins. */
  siteId: SiteId.optional(),
  status: SiteAnswerStatus,
  /** The site's protected count; null while withheld, below the site's threshold, or not answered. */
  count: z.number().int().min(0).nullable(),
  /** Present (true) when the site reported a count below its own threshold. */
  belowThreshold: z.literal(true).optional(),
  /** Why a site refused or failed: its stable code, e.g. SITE_PRIVACY_BUDGET_EXHAUSTED. */
  code: z.string().min(1).optional(),
  /** The site's reason, as it wrote it for the researcher (e.g. when its privacy budget is available again). */
  reason: z.string().optional(),
});
export type QuerySiteResult = z.infer<typeof QuerySiteResult>;

/** The network's display thresholds (FDPG rules) a result was shown under. */
export const ResultThresholds = z.strictObject({
  /** The total is hidden below this value. */
  results: z.number().int().min(0),
  /** The per-site counts are hidden unless at least this many sites report more than `sitesResult`. */
  sites: z.number().int().min(0),
  sitesResult: z.number().int().min(0),
});
export type ResultThresholds = z.infer<typeof ResultThresholds>;

/** `GET /api/v1/queries/{id}`: the query, its status, the total of protected counts and the per-site breakdown. */
export const QueryResult = z.strictObject({
  id: z.uuid(),
  status: QueryStatus,
  createdAt: Timestamp,
  expiresAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  /** Sum of the sites' protected counts; null while hidden (see `totalHidden`). */
  total: z.number().int().min(0).nullable(),
  totalHidden: TotalHiddenReason.nullable(),
  breakdownHidden: BreakdownHiddenReason.nullable(),
  /** Sites that sent a result of any kind. */
  reportedSites: z.number().int().min(0),
  totalSites: z.number().int().min(0),
  sites: z.array(QuerySiteResult),
  thresholds: ResultThresholds,
  query: StructuredQuery,
});
export type QueryResult = z.infer<typeof QueryResult>;

// The query history (`GET /api/v1/queries`: QuerySummary, QueryListParams, QueryList) is in query-history.schema.ts.

/**
 * A query's result as live events carry it (`site-result` in its `result`; `completed` and `expired` as their data):
 * QueryResult without the query, which never changes and stays available at `GET /api/v1/queries/{id}`.
 */
export const QueryResultUpdate = QueryResult.omit({ query: true });
export type QueryResultUpdate = z.infer<typeof QueryResultUpdate>;

/**
 * Data of the SSE event `site-result`: which site answered and the result as it may be shown then (while running,
 * without figures unless the final result is certain to show them).
 */
export const SiteResultEvent = z.strictObject({
  site: z.string().min(1),
  status: SiteAnswerStatus.exclude(['pending']),
  result: QueryResultUpdate,
});
export type SiteResultEvent = z.infer<typeof SiteResultEvent>;

/** `GET /api/v1/sites`: one registered site and how it is doing. */
export const SiteState = z.strictObject({
  id: SiteId,
  name: z.string().min(1),
  /** A heartbeat arrived within the broker's offline window. */
  online: z.boolean(),
  lastHeartbeat: Timestamp.nullable(),
  /** When the site's data were loaded, as its last heartbeat said. */
  dataFreshness: Timestamp.nullable(),
  /** When the site last loaded or confirmed its data (a refresh that found nothing new counts). */
  dataRefreshedAt: Timestamp.nullable(),
  /** Where its data come from; null before a heartbeat or from an agent that does not say. */
  dataSource: DataSourceKind.nullable(),
  /** The instant its source's data are current to (a FHIR export's transactionTime); null for files. */
  dataAsOf: Timestamp.nullable(),
  agentVersion: z.string().nullable(),
});
export type SiteState = z.infer<typeof SiteState>;

export const SiteStateList = z.array(SiteState);
export type SiteStateList = z.infer<typeof SiteStateList>;

/** One problem with a request: where (`$`-rooted JSON path), what (stable code), and a sentence for humans. */
export const ProblemIssue = z.strictObject({ path: z.string(), code: z.string(), message: z.string() });
export type ProblemIssue = z.infer<typeof ProblemIssue>;

/** An RFC 9457 problem details body (`application/problem+json`) with our stable `code` and the `issues` found. */
export const ProblemDetails = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  code: z.string().regex(/^[A-Z][A-Z0-9_]{2,63}$/),
  issues: z.array(ProblemIssue).optional(),
  /** Quote it when reporting a server error; the log carries the details. */
  correlationId: z.string().optional(),
});
export type ProblemDetails = z.infer<typeof ProblemDetails>;

/** A problem that lists where the request is wrong: a 400 for a bad parameter always carries at least one issue. */
export const ValidationProblemDetails = ProblemDetails.extend({ issues: z.array(ProblemIssue).min(1) });
export type ValidationProblemDetails = z.infer<typeof ValidationProblemDetails>;

/** What a researcher may do: submit and read their own queries; a power user is exempt from the hard quota; an admin
 * sees real site names, reads every query and lifts blacklists. */
export const UserRole = z.enum(['researcher', 'power-user', 'admin']);
export type UserRole = z.infer<typeof UserRole>;

/** Who a user is: the bearer token's `sub`, 1-128 printable ASCII characters without spaces. */
export const UserId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, { error: 'a user id is 1-128 printable ASCII characters without spaces' });

/** One submission quota as it stands for the caller. */
export const QuotaLimit = z.strictObject({
  /** Submissions allowed per interval; null when the limit is off or does not apply to the caller's role. */
  amount: z.number().int().min(1).nullable(),
  intervalSeconds: z.number().int().min(1),
  /** Submissions counted in the current interval. */
  used: z.number().int().min(0),
  /** When the next submission fits again, if the limit is exhausted now; otherwise null. */
  nextSlotAt: Timestamp.nullable(),
});
export type QuotaLimit = z.infer<typeof QuotaLimit>;

/**
 * What the caller has left of one site's privacy budget, as the site last reported it with an answer or a refusal: new
 * cohorts (distinct patient sets) the site still answers in its rolling window; asking again for a cohort the site
 * answered within the window is free. `remaining` may have grown since `reportedAt` once `resetsAt` has passed. Which
 * site it is, only admins see: a named budget would tell which per-query pseudonym is which hospital.
 */
export const SiteBudget = z.strictObject({
  /** The real site id and name; only for admins. */
  siteId: SiteId.optional(),
  name: z.string().min(1).optional(),
  ...BudgetReport.shape,
  reportedAt: Timestamp,
});
export type SiteBudget = z.infer<typeof SiteBudget>;

/** `GET /api/v1/quota`: the caller's submission quotas, result polling interval, blacklist state and site budgets. */
export const QuotaUsage = z.strictObject({
  userId: z.string().min(1),
  role: UserRole,
  /** Exceeding it answers 429 with Retry-After. */
  soft: QuotaLimit,
  /** Exceeding it blacklists the caller (403) until an admin lifts it. */
  hard: QuotaLimit,
  /** Reading one query's result again within this many seconds answers 429; 0 when off or exempt. */
  pollIntervalSeconds: z.number().int().min(0),
  blacklisted: z.boolean(),
  blacklistedAt: Timestamp.nullable(),
  /** What the caller has left of each site's privacy budget, for the sites that reported one to them. */
  siteBudgets: z.array(SiteBudget),
});
export type QuotaUsage = z.infer<typeof QuotaUsage>;

/** A researcher the hard quota blacklisted. */
export const BlacklistEntry = z.strictObject({ userId: z.string().min(1), blacklistedAt: Timestamp });
export type BlacklistEntry = z.infer<typeof BlacklistEntry>;

/** `GET /api/v1/admin/blacklist`: every blacklisted researcher, longest listed first. */
export const BlacklistList = z.array(BlacklistEntry);
export type BlacklistList = z.infer<typeof BlacklistList>;

/** `GET /api/v1/dev-issuer/jwks`: the public keys a token issuer signs with (RFC 7517). */
export const JsonWebKeySet = z.strictObject({
  keys: z.array(z.looseObject({ kty: z.string().min(1), kid: z.string().min(1), alg: z.string().optional() })),
});
export type JsonWebKeySet = z.infer<typeof JsonWebKeySet>;
