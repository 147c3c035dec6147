import { Inject, Injectable, Logger } from '@nestjs/common';
import { isEnvelopeExpired } from '@fq/contracts';
import { CLOCK, type Clock } from '../clock';
import { ProcessedQueryStore } from '../queries/processed-query.store';
import { QueryAnsweringService } from '../queries/query-answering.service';
import { NO_DELIVERY, QueryOutcomeService } from '../queries/query-outcome.service';
import { SiteResultCode } from '../queries/site-result-code';
import type { ApprovalDecision, PendingApproval } from './approval.schema';
import { ApprovalStore } from './approval.store';

/**
 * Acts on operators' decisions about held queries: answers approved ones, refuses rejected ones, expires those whose
 * deadline passed, and moves each to `approvals/done/`.
 */
@Injectable()
export class ApprovalProcessingService {
  private readonly logger = new Logger(ApprovalProcessingService.name);
  private running = false;
  private readonly reportedProblems = new Set<string>();

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly approvals: ApprovalStore,
    private readonly processed: ProcessedQueryStore,
    private readonly outcome: QueryOutcomeService,
    private readonly answering: QueryAnsweringService,
  ) {}

  /** One pass over the held queries (the agent calls it every second); a pass still busy makes this one return at once. */
  async processApprovals(): Promise<void> {
    if (this.running) {
      return;
    }
    this.running = true;
    try {
      const { entries, problems } = await this.approvals.listPending();
      for (const problem of problems) {
        if (!this.reportedProblems.has(problem)) {
          this.reportedProblems.add(problem);
          this.logger.warn({ message: 'unreadable approval file', problem });
        }
      }
      for (const { pending, decision } of entries) {
        await this.process(pending, decision);
      }
    } finally {
      this.running = false;
    }
  }

  private async process(pending: PendingApproval, decision: ApprovalDecision | null): Promise<void> {
    const { envelope } = pending;
    const { queryId } = envelope.payload;
    const now = this.clock.now();
    if (this.processed.has(queryId)) {
      // A crash between answering and moving the file: the answer went out once, finish the bookkeeping.
      await this.approvals.complete(pending, decision, 'duplicate', now);
      return;
    }
    if (isEnvelopeExpired(envelope, now)) {
      await this.outcome.expire(envelope, NO_DELIVERY);
      await this.approvals.complete(pending, decision, 'expired', now);
      return;
    }
    if (decision === null) {
      return;
    }
    const settlement =
      decision.decision === 'reject'
        ? await this.outcome.refuse(
            envelope,
            // The reason reaches the researcher: it names no operator (approvals/done/ keeps who decided, and when).
            { code: SiteResultCode.ApprovalRejected, reason: 'the site operator rejected this query' },
            NO_DELIVERY,
          )
        : await this.answering.answer(
            envelope,
            `approved by ${decision.decidedBy} at ${decision.decidedAt}`,
            NO_DELIVERY,
          );
    if (settlement === 'retry') {
      this.logger.warn({ message: 'answer to an approved query not sent; will retry', queryId });
      return;
    }
    await this.approvals.complete(
      pending,
      decision,
      this.processed.get(queryId)?.decision ?? 'answered',
      this.clock.now(),
    );
  }
}
