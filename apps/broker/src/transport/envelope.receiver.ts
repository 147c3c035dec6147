import type { LoggerService } from '@nestjs/common';
import {
  checkEnvelopeTiming,
  DEFAULT_CLOCK_SKEW_MS,
  describeEnvelopeIssue,
  EnvelopeCode,
  type EnvelopeKeyResolver,
  type HeartbeatEnvelope,
  openEnvelope,
  readEnvelopeIdsLeniently,
  type ResultEnvelope,
  type SiteRegistration,
  siteIdOfSubject,
} from '@fq/contracts';
import { ResultRefusalCode, type TransportHandlers } from './broker-transport';
import type { EnvelopeAudit } from './envelope-audit.log';
import type { Arrival, ReplayGuard } from './received-envelopes.store';

/** A message from a JetStream consumer, as much of it as the receiver needs. */
export interface ReceivedMessage {
  data: Uint8Array;
  subject: string;
  streamSequence: number;
  /** When the NATS server stored the message: expiry is judged by it, so a backlog read after a restart counts. */
  storedAt: Date;
}

/** Acknowledge the message, or let JetStream deliver it again later (broken infrastructure). */
export type Settlement = 'ack' | 'retry';

export interface EnvelopeReceiverDeps {
  registry: readonly SiteRegistration[];
  audit: EnvelopeAudit;
  results: ReplayGuard;
  heartbeats: ReplayGuard;
  handlers: TransportHandlers;
  logger: LoggerService;
  skewMs?: number;
}

/**
 * The broker's gate for site messages (decision 0006): decode, verify the site's signature against the registry,
 * check subject and sender agree, judge expiry by the storage time, tell a replay from a redelivery, and only then
 * hand the payload over. A refused message is logged, audited and acknowledged; nothing else changes. A result the
 * handler refuses on its merits (unknown query, a site it was not sent to, another query's hash, late, a second result)
 * is audited the same way.
 */
export class EnvelopeReceiver {
  private readonly keyOf: EnvelopeKeyResolver;

  constructor(private readonly deps: EnvelopeReceiverDeps) {
    const keys = new Map(deps.registry.map((site) => [site.id, site.envelopePublicKey]));
    // Only sites send results and heartbeats; the broker's own key is not trusted here.
    this.keyOf = (sender) => (sender.kind === 'site' ? (keys.get(sender.siteId) ?? null) : null);
  }

  /** Verifies and hands over one result message. */
  async receiveResult(message: ReceivedMessage): Promise<Settlement> {
    const checked = await this.check(message, 'result');
    if (checked.kind !== 'accepted') {
      return checked.settlement;
    }
    const envelope = checked.envelope as ResultEnvelope;
    let refusal;
    try {
      await this.deps.results.remember({
        envelopeId: envelope.id,
        streamSequence: message.streamSequence,
        expiresAt: envelope.expiresAt,
      });
      refusal = await this.deps.handlers.onResult(envelope.payload, message.storedAt);
    } catch (error) {
      // Broken infrastructure (disk, database): let JetStream deliver it again instead of losing it.
      this.deps.logger.error({ message: 'storing a result failed; it will be redelivered', error: String(error) });
      return 'retry';
    }
    // A redelivered message whose first delivery was recorded finds its own result: that is idempotency, not a refusal.
    if (refusal === null || (checked.arrival.kind === 'redelivery' && refusal.code === ResultRefusalCode.Duplicate)) {
      return 'ack';
    }
    return this.reject(message, refusal.code, refusal.reason);
  }

  /** Verifies and hands over one heartbeat message. */
  async receiveHeartbeat(message: ReceivedMessage): Promise<Settlement> {
    const checked = await this.check(message, 'heartbeat');
    if (checked.kind !== 'accepted') {
      return checked.settlement;
    }
    const envelope = checked.envelope as HeartbeatEnvelope;
    await this.deps.heartbeats.remember({
      envelopeId: envelope.id,
      streamSequence: message.streamSequence,
      expiresAt: envelope.expiresAt,
    });
    this.deps.handlers.onHeartbeat(envelope.payload, message.storedAt);
    return 'ack';
  }

  private async check(
    message: ReceivedMessage,
    type: 'result' | 'heartbeat',
  ): Promise<
    | { kind: 'accepted'; envelope: ResultEnvelope | HeartbeatEnvelope; arrival: Arrival }
    | { kind: 'refused'; settlement: Settlement }
  > {
    const refuse = async (code: string, reason: string): Promise<{ kind: 'refused'; settlement: Settlement }> => ({
      kind: 'refused',
      settlement: await this.reject(message, code, reason),
    });
    const opened = openEnvelope(message.data, [type], this.keyOf);
    if (!opened.ok) {
      return refuse(opened.error.code, describeEnvelopeIssue(opened.error));
    }
    const envelope = opened.value;
    const { sender, payload } = envelope;
    const subjectSite = siteIdOfSubject(message.subject);
    if (sender.kind !== 'site' || sender.siteId !== payload.siteId || subjectSite !== payload.siteId) {
      return refuse(
        EnvelopeCode.SenderMismatch,
        `sender, payload and subject name different sites (subject ${message.subject}, payload ${payload.siteId})`,
      );
    }
    const timing = checkEnvelopeTiming(envelope, message.storedAt, this.deps.skewMs ?? DEFAULT_CLOCK_SKEW_MS);
    if (!timing.ok) {
      return refuse(timing.error.code, timing.error.message);
    }
    const guard = type === 'result' ? this.deps.results : this.deps.heartbeats;
    const arrival = guard.judge(envelope.id, message.streamSequence);
    if (arrival.kind === 'replay') {
      return refuse(
        EnvelopeCode.Replayed,
        `envelope ${envelope.id} was accepted from stream message ${arrival.firstSequence}; it came again as ${message.streamSequence}`,
      );
    }
    return { kind: 'accepted', envelope, arrival };
  }

  private async reject(message: ReceivedMessage, code: string, reason: string): Promise<Settlement> {
    const siteId = siteIdOfSubject(message.subject);
    this.deps.logger.warn({
      message: 'message refused',
      code,
      reason,
      subject: message.subject,
      streamSequence: message.streamSequence,
    });
    try {
      await this.deps.audit.reject({
        time: new Date().toISOString(),
        decision: 'rejected',
        code,
        reason: reason.length <= 2000 ? reason : `${reason.slice(0, 1999)}…`,
        subject: message.subject.slice(0, 512),
        streamSequence: message.streamSequence,
        storedAt: message.storedAt.toISOString(),
        envelopeId: readEnvelopeIdsLeniently(message.data).envelopeId,
        siteId,
      });
      return 'ack';
    } catch (error) {
      // Not audited yet: let it come again rather than drop it unrecorded.
      this.deps.logger.error({ message: 'auditing a refused message failed', error: String(error) });
      return 'retry';
    }
  }
}
