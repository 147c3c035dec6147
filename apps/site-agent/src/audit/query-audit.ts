import type { EnvelopeRejection, ProtectedResult, QueryEnvelope } from '@fq/contracts';
import type { AuditBudget, AuditDecision, AuditRecord } from './audit-record.schema';

/** What a query's audit line says beyond its ids: a code and reason, or the result that left the site. */
export interface QueryAuditDetails {
  code?: string;
  reason?: string | null;
  protectedResult?: ProtectedResult;
  dataVersion?: string;
  budget?: AuditBudget | null;
}

/** The audit line of a decision about a query. */
export function queryAuditRecord(
  envelope: QueryEnvelope,
  decision: AuditDecision,
  at: Date,
  details: QueryAuditDetails = {},
): AuditRecord {
  const { queryId, queryHash, requester } = envelope.payload;
  return {
    time: at.toISOString(),
    decision,
    queryId,
    queryHash,
    requester,
    code: details.code ?? null,
    reason: details.reason ?? null,
    protectedResult: details.protectedResult ?? null,
    dataVersion: details.dataVersion ?? null,
    envelopeId: envelope.id,
    ...(details.budget === undefined || details.budget === null ? {} : { budget: details.budget }),
  };
}

/** The audit line of a message the envelope gate rejected. */
export function rejectionAuditRecord(rejection: EnvelopeRejection, at: Date): AuditRecord {
  return {
    time: at.toISOString(),
    decision: 'rejected-message',
    queryId: rejection.queryId,
    queryHash: null,
    requester: null,
    code: rejection.code,
    reason: truncate(rejection.reason, 2000),
    protectedResult: null,
    dataVersion: null,
    envelopeId: rejection.envelopeId,
  };
}

/** Cuts `text` to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
