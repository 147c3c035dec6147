import { Inject, Injectable, Logger } from '@nestjs/common';
import { EnvelopeCode, type QueryEnvelope, type ResultPayload } from '@fq/contracts';
import type { AuditBudget } from '../audit/audit-record.schema';
import { AuditLogWriter } from '../audit/audit-log.writer';
import { queryAuditRecord, truncate } from '../audit/query-audit';
import { CLOCK, type Clock } from '../clock';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import type { Settlement } from '@fq/jetstream-transport';
import { type ProcessedQuery, ProcessedQueryStore } from './processed-query.store';
import { buildResultEnvelope } from './result-envelope';
import { ResultPublisher } from './result.publisher';

/** The stream message a query came in, or null for one that did not come from the stream just now (a held query). */
export interface Delivery {
  streamSequence: number | null;
}

export const NO_DELIVERY: Delivery = { streamSequence: null };

/** What a site publishes; an expired query is audited but never answered (decision 0005). */
export type FinalPayload = Exclude<ResultPayload, { status: 'expired' }>;

/** Why a query is refused: a stable code and a reason the researcher reads. */
export type Refusal = Pick<Extract<ResultPayload, { status: 'refused' }>, 'code' | 'reason'>;

/**
 * How a query ends: with a result (answered, refused or failed) that is audited, published and recorded, in that
 * order, or expired (audited and recorded, nothing published). The id is recorded only once the broker's stream has
 * the result, and before the transport acknowledges the message.
 */
@Injectable()
export class QueryOutcomeService {
  private readonly logger = new Logger(QueryOutcomeService.name);

  constructor(
    @Inject(SITE_AGENT_CONFIG) private readonly config: Pick<SiteAgentConfig, 'siteId' | 'security'>,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLogWriter,
    private readonly processed: ProcessedQueryStore,
    private readonly publisher: ResultPublisher,
  ) {}

  /**
   * Audits, publishes and records a final result. The audit line comes first: nothing leaves the site unaudited. A
   * result that could not be published asks for the query again ('retry').
   */
  async publish(
    envelope: QueryEnvelope,
    payload: FinalPayload,
    delivery: Delivery,
    details: { note?: string | null; budget?: AuditBudget | null } = {},
  ): Promise<Settlement> {
    const now = this.clock.now();
    const result = buildResultEnvelope(envelope, payload, this.config.siteId, now, this.config.security.signer);
    const budget = details.budget ?? null;
    await this.audit.appendForQuery(
      queryAuditRecord(
        envelope,
        payload.status,
        now,
        payload.status === 'answered'
          ? { protectedResult: payload.result, dataVersion: payload.dataVersion, reason: details.note, budget }
          : { code: payload.code, reason: payload.reason, budget },
      ),
      envelope,
    );
    const published = await this.publisher.publish(result);
    if (!published.ok) {
      this.logger.warn({
        message: 'result not published; the query will be redelivered',
        queryId: payload.queryId,
        error: published.error.message,
      });
      return 'retry';
    }
    await this.processed.record({
      queryId: payload.queryId,
      decision: payload.status,
      at: now.toISOString(),
      ...processedFrom(envelope, delivery),
    });
    // Per query, so at debug level: the audit log already holds every decision.
    this.logger.debug({
      message: 'query concluded',
      queryId: payload.queryId,
      decision: payload.status,
      code: payload.status === 'answered' ? null : payload.code,
      resultEnvelopeId: result.id,
    });
    return 'ack';
  }

  /** Publishes a `refused` result: the site will not answer this query, and says why. */
  refuse(
    envelope: QueryEnvelope,
    refusal: Refusal,
    delivery: Delivery,
    budget: AuditBudget | null = null,
  ): Promise<Settlement> {
    return this.publish(
      envelope,
      {
        status: 'refused',
        queryId: envelope.payload.queryId,
        siteId: this.config.siteId,
        code: refusal.code,
        reason: truncate(refusal.reason, 500),
        ...(budget === null ? {} : { budget: budget.report }),
      },
      delivery,
      { budget },
    );
  }

  /** Audits and records a query whose deadline passed before it was answered; nothing is published. */
  async expire(envelope: QueryEnvelope, delivery: Delivery): Promise<void> {
    const now = this.clock.now();
    const { queryId } = envelope.payload;
    await this.audit.appendForQuery(
      queryAuditRecord(envelope, 'expired', now, {
        code: EnvelopeCode.Expired,
        reason: `the deadline ${envelope.expiresAt} passed before it was answered`,
      }),
      envelope,
    );
    await this.processed.record({
      queryId,
      decision: 'expired',
      at: now.toISOString(),
      ...processedFrom(envelope, delivery),
    });
    this.logger.log({ message: 'expired query acknowledged without an answer', queryId });
  }
}

function processedFrom(
  envelope: QueryEnvelope,
  delivery: Delivery,
): Pick<ProcessedQuery, 'envelopeId' | 'streamSequence'> {
  return delivery.streamSequence === null
    ? { envelopeId: envelope.id }
    : { envelopeId: envelope.id, streamSequence: delivery.streamSequence };
}
