import { StructuredQuery } from '@fq/ccdl';
import { BudgetReport, ProtectedResult, QueryStatus, Sha256Hex, SiteId } from '@fq/contracts';
import { z } from 'zod';

const Instant = z.iso.datetime();

/** A site a query was sent to, with the display name at that time and its pseudonym within the query. */
export const QuerySite = z.strictObject({ siteId: SiteId, name: z.string().min(1), pseudonym: z.string().min(1) });
export type QuerySite = z.infer<typeof QuerySite>;

/** A submitted query as the broker keeps it. */
export const StoredQuery = z.strictObject({
  id: z.uuid(),
  /** The caller's own id: whose history the query is in. Never leaves the broker; each site gets its own pseudonym. */
  requesterId: z.string().min(1),
  query: StructuredQuery,
  queryHash: Sha256Hex,
  sites: z.array(QuerySite).min(1),
  status: QueryStatus,
  createdAt: Instant,
  expiresAt: Instant,
  dispatchedAt: Instant.nullable(),
  finishedAt: Instant.nullable(),
});
export type StoredQuery = z.infer<typeof StoredQuery>;

/** A stored query without its CCDL: what collecting results needs, read without parsing the criteria again. */
export const StoredQueryHeader = StoredQuery.omit({ query: true });
export type StoredQueryHeader = z.infer<typeof StoredQueryHeader>;

/**
 * What a site's result said: a protected result, a refusal or failure with its code, or too late; an answer or a
 * refusal may carry the privacy budget the site reported to the researcher.
 */
export const SiteAnswer = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('answered'),
    result: ProtectedResult,
    dataVersion: z.string().min(1),
    budget: BudgetReport.optional(),
  }),
  z.strictObject({
    status: z.literal('refused'),
    code: z.string().min(1),
    reason: z.string(),
    budget: BudgetReport.optional(),
  }),
  z.strictObject({ status: z.literal('failed'), code: z.string().min(1), reason: z.string() }),
  z.strictObject({ status: z.literal('expired') }),
]);
export type SiteAnswer = z.infer<typeof SiteAnswer>;

/** Who wrote a site result: the site itself, or the broker when the deadline passed without an answer. */
export const ResultOrigin = z.enum(['site', 'broker']);
export type ResultOrigin = z.infer<typeof ResultOrigin>;

/** One site's result for one query, in the order results arrived (`seq`). */
export const StoredSiteResult = z.strictObject({
  seq: z.number().int(),
  queryId: z.uuid(),
  siteId: SiteId,
  origin: ResultOrigin,
  receivedAt: Instant,
  answer: SiteAnswer,
});
export type StoredSiteResult = z.infer<typeof StoredSiteResult>;
