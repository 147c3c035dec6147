import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createEnvelopeGate,
  type EnvelopeGate,
  type EnvelopeRejection,
  type GateVerdict,
  type InboundMessage,
  queryAddressedTo,
  type QueryEnvelope,
} from '@fq/contracts';
import { AuditLogWriter } from '../audit/audit-log.writer';
import { rejectionAuditRecord } from '../audit/query-audit';
import { CLOCK, type Clock } from '../clock';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import { ProcessedQueryStore } from '../queries/processed-query.store';
import type { Settlement } from './settlement';

/**
 * The site's side of the envelope gate (decision 0006): only queries the broker signed, on this site's subject, in
 * the copy addressed to this site, that are no replay of a query processed from another stream message, reach the
 * handlers. Expiry is judged by the site's clock when the query is handled. What the gate rejects is logged, audited
 * and acknowledged, so it does not come back.
 */
@Injectable()
export class SiteQueryGate {
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

  /** The gate's verdict on one message from the site's query consumer. */
  judge(message: InboundMessage): GateVerdict<QueryEnvelope> {
    return this.gate.judge(message, this.clock.now());
  }

  /** Logs and audits a rejected message; it is acknowledged ('ack') so it does not return. Throws if the audit fails. */
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
