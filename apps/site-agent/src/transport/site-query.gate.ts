import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createEnvelopeGate,
  type EnvelopeGate,
  type EnvelopeRejection,
  queryAddressedTo,
  type QueryEnvelope,
} from '@fq/contracts';
import {
  isSettlement,
  type JetStreamInbox,
  type JetStreamMessage,
  type PatternDispatch,
  type Settlement,
} from '@fq/jetstream-transport';
import { AuditLogWriter } from '../audit/audit-log.writer';
import { rejectionAuditRecord } from '../audit/query-audit';
import { CLOCK, type Clock } from '../clock';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import { ProcessedQueryStore } from '../queries/processed-query.store';

/** The `@EventPattern`s of admitted queries: within their deadline, or past it. */
export const SiteQueryPattern = {
  Query: 'query',
  ExpiredQuery: 'query.expired',
} as const;

/**
 * The site's side of the envelope gate (decision 0006), as the inbox of its query consumer: only queries the broker
 * signed, on this site's subject, in the copy addressed to this site, that are no replay of a query processed from
 * another stream message, reach the handlers. Expiry is judged by the site's clock when the query is handled. What the
 * gate rejects is logged, audited and acknowledged, so it does not come back.
 */
@Injectable()
export class SiteQueryGate implements JetStreamInbox {
  private readonly logger = new Logger(SiteQueryGate.name);
  private readonly gate: EnvelopeGate<QueryEnvelope>;

  constructor(
    @Inject(SITE_AGENT_CONFIG) config: Pick<SiteAgentConfig, 'siteId' | 'security'>,
    @Inject(CLOCK) private readonly clock: Clock,
    processed: ProcessedQueryStore,
    private readonly audit: AuditLogWriter,
  ) {
    // Only the broker sends queries; no site key is trusted here.
    const brokerKey = config.security.brokerPublicKey;
    this.gate = createEnvelopeGate({
      types: ['query'],
      keyOf: (sender) => (sender.kind === 'broker' ? brokerKey : null),
      route: queryAddressedTo(config.siteId),
      replays: processed,
    });
  }

  /** Judges one message and hands an admitted query to its handler, whose settlement it returns. */
  async receive(message: JetStreamMessage, dispatch: PatternDispatch): Promise<Settlement> {
    const verdict = this.gate.judge(message, this.clock.now());
    if (verdict.kind === 'rejected') {
      return this.reject(verdict.rejection);
    }
    const pattern = verdict.kind === 'admitted' ? SiteQueryPattern.Query : SiteQueryPattern.ExpiredQuery;
    const settlement = await dispatch(pattern, verdict.message, message);
    return isSettlement(settlement) ? settlement : 'retry';
  }

  /** Logs and audits a rejected message; it is acknowledged so it does not return. Throws if the audit fails. */
  async reject(rejection: EnvelopeRejection): Promise<Settlement> {
    this.logger.warn({
      message: 'message rejected',
      code: rejection.code,
      reason: rejection.reason,
      envelopeId: rejection.envelopeId,
    });
    await this.audit.append(rejectionAuditRecord(rejection, this.clock.now()));
    return 'ack';
  }
}
