import { QueryEnvelope } from '@fq/contracts';
import { z } from 'zod';

const Timestamp = z.iso.datetime({ offset: true });

/** A query held for an operator's decision (manual approval mode). */
export const PendingApproval = z.strictObject({
  queryId: z.uuid(),
  receivedAt: Timestamp,
  envelope: QueryEnvelope,
});
export type PendingApproval = z.infer<typeof PendingApproval>;

/** An operator's decision, written by `site-agent approvals approve|reject` and picked up by the agent. */
export const ApprovalDecision = z.strictObject({
  queryId: z.uuid(),
  decision: z.enum(['approve', 'reject']),
  decidedAt: Timestamp,
  /** Who decided (the operator's OS user name unless given); for the audit log. */
  decidedBy: z.string().min(1).max(128),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** How a held query ended. */
export const ApprovalOutcome = z.enum(['answered', 'refused', 'failed', 'expired', 'duplicate']);
export type ApprovalOutcome = z.infer<typeof ApprovalOutcome>;

/** A held query the agent has finished with, kept for the operator's record. */
export const CompletedApproval = z.strictObject({
  ...PendingApproval.shape,
  decision: ApprovalDecision.nullable(),
  outcome: ApprovalOutcome,
  completedAt: Timestamp,
});
export type CompletedApproval = z.infer<typeof CompletedApproval>;
