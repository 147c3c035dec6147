import { BudgetReport, ProtectedResult, Sha256Hex } from '@fq/contracts';
import { z } from 'zod';

/** What happened to one incoming message or query. */
export const AuditDecision = z.enum([
  /** A protected result was published. */
  'answered',
  /** Site policy, rate limit, approval or an integrity check refused it; a `refused` result was published. */
  'refused',
  /** Evaluation or protection failed; a `failed` result was published. */
  'failed',
  /** Its deadline passed before it could be answered; nothing was published. */
  'expired',
  /** Manual approval mode: persisted until an operator approves or rejects it. */
  'held',
  /** Not a valid query envelope for this site; acknowledged and dropped. */
  'rejected-message',
  /** Not about a query: the site's data were loaded or refreshed (new `dataVersion`); `reason` says from where. */
  'data-loaded',
  /** Not about a query: a refresh of the site's data failed (`code`, `reason`); the previous data keep answering. */
  'data-refresh-failed',
]);
export type AuditDecision = z.infer<typeof AuditDecision>;

/**
 * What the privacy budget did for an evaluated query: the cohort was known (free), charged, or over the budget; and
 * what the researcher's pseudonym has left, as reported to them.
 */
export const AuditBudget = z.strictObject({
  charge: z.enum(['known', 'charged', 'exhausted']),
  report: BudgetReport,
});
export type AuditBudget = z.infer<typeof AuditBudget>;

/**
 * One line of the audit log. Strict: a field that is not listed here (a `rawCount`, say) makes the record invalid,
 * so an exact count cannot slip into the log.
 */
export const AuditRecord = z.strictObject({
  time: z.iso.datetime({ offset: true }),
  decision: AuditDecision,
  queryId: z.uuid().nullable(),
  queryHash: Sha256Hex.nullable(),
  requester: z.string().max(128).nullable(),
  /** Stable code of a refusal, failure or rejection, e.g. SITE_POLICY_REFUSED, ENVELOPE_SCHEMA_INVALID. */
  code: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{2,63}$/)
    .nullable(),
  reason: z.string().max(2000).nullable(),
  /** The result that left the site, never the exact count. */
  protectedResult: ProtectedResult.nullable(),
  dataVersion: z.string().max(128).nullable(),
  /** The incoming envelope's id, when it could be read. */
  envelopeId: z.uuid().nullable(),
  /** Present once a query was evaluated: its privacy-budget charge (never the count itself). */
  budget: AuditBudget.optional(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;
