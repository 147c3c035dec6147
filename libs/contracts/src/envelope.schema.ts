import { StructuredQuery } from '@fq/ccdl';
import { z } from 'zod';
import { MAX_CRITERIA_LIMIT } from './query-limits';
import { SiteId } from './subjects';

/** Lowercase hex SHA-256, e.g. a canonical query hash. */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected 64 lowercase hex digits' });

const Timestamp = z.iso.datetime({ offset: true });
/** Who sent an envelope: the broker or a site. */
export const Sender = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('broker') }),
  z.strictObject({ kind: z.literal('site'), siteId: SiteId }),
]);
export type Sender = z.infer<typeof Sender>;

// Fields every envelope carries; `signature` is the sender's Ed25519 signature over the rest (envelope.signature.ts).
const envelopeFields = {
  id: z.uuid(),
  sentAt: Timestamp,
  expiresAt: Timestamp,
  sender: Sender,
  signature: z.string().min(1).max(512),
};

/** A query for one site, sent by the broker. */
export const QueryPayload = z.strictObject({
  queryId: z.uuid(),
  queryHash: Sha256Hex,
  query: StructuredQuery,
  /** A pseudonymous requester id for the site's audit log; never a name or e-mail. */
  requester: z.string().min(1).max(128),
});
export type QueryPayload = z.infer<typeof QueryPayload>;

/** A count that may leave a site: protected (noise, rounding) or below the site's threshold. */
export const ProtectedResult = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('count'), protectedCount: z.number().int().min(0) }),
  z.strictObject({ kind: z.literal('below-threshold'), threshold: z.number().int().min(1) }),
]);
export type ProtectedResult = z.infer<typeof ProtectedResult>;

/**
 * What the researcher has left of a site's privacy budget after this answer: distinct new cohorts in the rolling window
 * (`resetsAt`: when `remaining` next grows; null while nothing is spent). A site that keeps no budget omits it.
 */
export const BudgetReport = z.strictObject({
  remaining: z.number().int().min(0),
  limit: z.number().int().min(1),
  windowDays: z.number().int().min(1),
  resetsAt: Timestamp.nullable(),
});
export type BudgetReport = z.infer<typeof BudgetReport>;

const resultFields = { queryId: z.uuid(), siteId: SiteId };
const ErrorCode = z.string().regex(/^[A-Z][A-Z0-9_]{2,63}$/);
const Reason = z.string().min(1).max(500);

/** What a site answered: a protected result, a refusal by site policy, a failure, or too late. */
export const ResultPayload = z.discriminatedUnion('status', [
  z.strictObject({
    ...resultFields,
    status: z.literal('answered'),
    queryHash: Sha256Hex,
    dataVersion: z.string().min(1).max(128),
    result: ProtectedResult,
    budget: BudgetReport.optional(),
  }),
  z.strictObject({
    ...resultFields,
    status: z.literal('refused'),
    code: ErrorCode,
    reason: Reason,
    /** Set with SITE_PRIVACY_BUDGET_EXHAUSTED. */
    budget: BudgetReport.optional(),
  }),
  z.strictObject({ ...resultFields, status: z.literal('failed'), code: ErrorCode, reason: Reason }),
  z.strictObject({ ...resultFields, status: z.literal('expired') }),
]);
export type ResultPayload = z.infer<typeof ResultPayload>;
export type ResultStatus = ResultPayload['status'];

/** Where a site's data come from: files, or its FHIR server through Bulk Data export or paged search. */
export const DataSourceKind = z.enum(['files', 'fhir-bulk-export', 'fhir-search']);
export type DataSourceKind = z.infer<typeof DataSourceKind>;

/** A site's sign of life: its software version and how fresh its data are. */
export const HeartbeatPayload = z.strictObject({
  siteId: SiteId,
  agentVersion: z.string().min(1).max(64),
  dataVersion: z.string().min(1).max(128),
  /** When the data the site answers from were loaded. */
  dataLoadedAt: Timestamp,
  state: z.enum(['ready', 'reloading']),
  /**
   * The most criteria this site answers (SITE_MAX_CRITERIA); the broker refuses larger queries before they are sent.
   * Optional so that a broker upgraded before its sites (decision 0009) still reads older agents' heartbeats.
   */
  maxCriteria: z.number().int().min(1).max(MAX_CRITERIA_LIMIT).optional(),
  /** Where the data come from. Optional, as maxCriteria, for agents older than the broker. */
  dataSource: DataSourceKind.optional(),
  /** When the site last loaded or confirmed its data (a refresh that found nothing new counts). */
  dataRefreshedAt: Timestamp.optional(),
  /** The instant the source's data are current to: a FHIR export's transactionTime; absent for files. */
  dataAsOf: Timestamp.optional(),
});
export type HeartbeatPayload = z.infer<typeof HeartbeatPayload>;

export const QueryEnvelope = z.strictObject({ ...envelopeFields, type: z.literal('query'), payload: QueryPayload });
export type QueryEnvelope = z.infer<typeof QueryEnvelope>;
export const ResultEnvelope = z.strictObject({ ...envelopeFields, type: z.literal('result'), payload: ResultPayload });
export type ResultEnvelope = z.infer<typeof ResultEnvelope>;
export const HeartbeatEnvelope = z.strictObject({
  ...envelopeFields,
  type: z.literal('heartbeat'),
  payload: HeartbeatPayload,
});
export type HeartbeatEnvelope = z.infer<typeof HeartbeatEnvelope>;

/** Every message on the network's NATS subjects. */
export const Envelope = z.discriminatedUnion('type', [QueryEnvelope, ResultEnvelope, HeartbeatEnvelope]);
export type Envelope = z.infer<typeof Envelope>;

/** An envelope before its sender signed it: every field but `signature`. */
export type UnsignedEnvelope<T extends Envelope = Envelope> = T extends unknown ? Omit<T, 'signature'> : never;
