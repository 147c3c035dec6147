import { Inject, Injectable, Logger } from '@nestjs/common';
import { hashQuery } from '@fq/ccdl';
import type { AdmittedEnvelope, QueryEnvelope } from '@fq/contracts';
import { ApprovalStore } from '../approvals/approval.store';
import { AuditLogWriter } from '../audit/audit-log.writer';
import { queryAuditRecord } from '../audit/query-audit';
import { CLOCK, type Clock } from '../clock';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import { RateLimiter } from '../policy/rate-limiter';
import { SitePolicyService } from '../policy/site-policy.service';
import type { Settlement } from '@fq/jetstream-transport';
import { ProcessedQueryStore } from './processed-query.store';
import { QueryAnsweringService } from './query-answering.service';
import { type Delivery, QueryOutcomeService } from './query-outcome.service';
import { SiteResultCode } from './site-result-code';

/**
 * Decides what becomes of a query the envelope gate admitted (decision 0005): a copy in hand comes back later, a
 * finished or held one is acknowledged once more, an expired one is audited; then integrity (the query hash), site
 * policy, the rate limit and, in manual mode, an operator's approval, before `QueryAnsweringService` answers it.
 */
@Injectable()
export class QueryAdmissionService {
  private readonly logger = new Logger(QueryAdmissionService.name);
  private readonly rateLimiter: RateLimiter;
  private readonly inHand = new Set<string>();

  constructor(
    @Inject(SITE_AGENT_CONFIG) private readonly config: Pick<SiteAgentConfig, 'policy'>,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly policy: SitePolicyService,
    private readonly processed: ProcessedQueryStore,
    private readonly approvals: ApprovalStore,
    private readonly audit: AuditLogWriter,
    private readonly outcome: QueryOutcomeService,
    private readonly answering: QueryAnsweringService,
  ) {
    // Seeded with what was answered within the window before a restart.
    const intervalMs = config.policy.rateIntervalSeconds * 1000;
    const since = new Date(clock.now().getTime() - intervalMs);
    this.rateLimiter = new RateLimiter(config.policy.rateLimit, intervalMs, processed.answeredSince(since));
  }

  /** Admits, refuses or holds one admitted query; answers it when nothing stands in the way. */
  admit(query: AdmittedEnvelope<QueryEnvelope>): Promise<Settlement> {
    return this.once(query, () => this.decide(query.envelope, { streamSequence: query.streamSequence }));
  }

  /** A query the gate found past its deadline: audited as expired, unless it was finished or held before. */
  admitExpired(query: AdmittedEnvelope<QueryEnvelope>): Promise<Settlement> {
    return this.once(query, async () => {
      await this.outcome.expire(query.envelope, { streamSequence: query.streamSequence });
      return 'ack';
    });
  }

  /**
   * Runs `decide` for a query that is neither in hand nor done. The transport handles several messages at once: a
   * second copy of a query in hand comes back once the first is done. A finished or held query is acknowledged again
   * without a second answer (at-least-once delivery, idempotent receiver).
   */
  private async once(query: AdmittedEnvelope<QueryEnvelope>, decide: () => Promise<Settlement>): Promise<Settlement> {
    const { queryId } = query.envelope.payload;
    if (this.inHand.has(queryId)) {
      this.logger.log({ message: 'a copy of this query is in hand; it will come back', queryId });
      return 'retry';
    }
    this.inHand.add(queryId);
    try {
      if (this.processed.has(queryId)) {
        this.logger.log({ message: 'duplicate delivery of a finished query acknowledged', queryId });
        return 'ack';
      }
      if (await this.approvals.isPending(queryId)) {
        this.logger.log({ message: 'duplicate delivery of a held query acknowledged', queryId });
        return 'ack';
      }
      return await decide();
    } finally {
      this.inHand.delete(queryId);
    }
  }

  private async decide(envelope: QueryEnvelope, delivery: Delivery): Promise<Settlement> {
    const { queryId, queryHash, query } = envelope.payload;
    const now = this.clock.now();
    const recomputed = hashQuery(query);
    if (recomputed !== queryHash) {
      return this.outcome.refuse(
        envelope,
        {
          code: SiteResultCode.QueryHashMismatch,
          reason: `queryHash ${queryHash} does not match the query, whose canonical hash is ${recomputed}`,
        },
        delivery,
      );
    }
    const verdict = this.policy.check(query);
    if (!verdict.ok) {
      return this.outcome.refuse(envelope, verdict.error, delivery);
    }
    if (!this.rateLimiter.tryAcquire(now)) {
      const { rateLimit, rateIntervalSeconds } = this.config.policy;
      return this.outcome.refuse(
        envelope,
        {
          code: SiteResultCode.RateLimited,
          reason:
            `this site answers at most ${rateLimit} queries per ${rateIntervalSeconds} s; ` +
            `the next one is possible at ${this.rateLimiter.nextAdmission(now).toISOString()}`,
        },
        delivery,
      );
    }
    if (this.config.policy.approval === 'manual') {
      await this.approvals.hold(envelope, now);
      await this.audit.appendForQuery(
        queryAuditRecord(envelope, 'held', this.clock.now(), {
          reason: 'waiting for an operator to approve or reject it',
        }),
        envelope,
      );
      this.logger.log({ message: 'query held for manual approval', queryId });
      return 'ack';
    }
    return this.answering.answer(envelope, null, delivery);
  }
}
