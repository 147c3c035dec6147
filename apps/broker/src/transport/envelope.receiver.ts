import type { LoggerService } from '@nestjs/common';
import {
  createEnvelopeGate,
  type EnvelopeGate,
  type EnvelopeKeyResolver,
  type EnvelopeRejection,
  fromSubjectSite,
  type HeartbeatEnvelope,
  type ResultEnvelope,
  type SiteRegistration,
  siteIdOfSubject,
} from '@fq/contracts';
import type { JetStreamMessage, Settlement } from '@fq/jetstream-transport';
import { ResultRejectionCode, type TransportHandlers } from './broker-transport';
import type { EnvelopeAudit } from './envelope-audit.log';
import type { ReplayGuard } from './received-envelopes.store';
import type { FloodEpisode, SiteFloodGuard } from './site-flood.guard';

/** A message from a JetStream consumer; expiry is judged by `storedAt`, so a backlog read after a restart counts. */
export type ReceivedMessage = JetStreamMessage;

export interface EnvelopeReceiverDeps {
  registry: readonly SiteRegistration[];
  audit: EnvelopeAudit;
  results: ReplayGuard;
  heartbeats: ReplayGuard;
  handlers: TransportHandlers;
  logger: LoggerService;
  skewMs?: number;
  /** Limits what each site may send; none in tests that are not about floods. */
  flood?: SiteFloodGuard;
  /** The clock of the flood limit and of audit lines. */
  now?: () => Date;
  /**
   * When the broker started reading: what NATS stored before is read in full (the stream keeps at most its per-site
   * allowance), so a legitimate backlog after an outage is never dropped. Default: when the receiver was made.
   */
  startedAt?: Date;
}

/**
 * The broker's side of the envelope gate for site messages (decision 0006): the gate of `@fq/contracts` verifies the
 * site's signature against the registry, checks subject and sender agree, tells a replay from a redelivery and judges
 * expiry by the storage time; only then is the payload handed to the handlers. A rejected message is logged, audited
 * and acknowledged; nothing else changes. A result the handler rejects on its merits (unknown query, a site it was not
 * sent to, another query's hash, late, a second result) is audited the same way.
 */
export class EnvelopeReceiver {
  private readonly resultGate: EnvelopeGate<ResultEnvelope>;
  private readonly heartbeatGate: EnvelopeGate<HeartbeatEnvelope>;
  private readonly registered: ReadonlySet<string>;
  private readonly now: () => Date;
  private readonly startedAtMs: number;

  constructor(private readonly deps: EnvelopeReceiverDeps) {
    this.registered = new Set(deps.registry.map((site) => site.id));
    this.now = deps.now ?? (() => new Date());
    this.startedAtMs = (deps.startedAt ?? this.now()).getTime();
    const keys = new Map(deps.registry.map((site) => [site.id, site.envelopePublicKey]));
    // Only sites send results and heartbeats; the broker's own key is not trusted here.
    const keyOf: EnvelopeKeyResolver = (sender) => (sender.kind === 'site' ? (keys.get(sender.siteId) ?? null) : null);
    const gate = { keyOf, route: fromSubjectSite, skewMs: deps.skewMs };
    this.resultGate = createEnvelopeGate({ ...gate, types: ['result'], replays: deps.results });
    this.heartbeatGate = createEnvelopeGate({ ...gate, types: ['heartbeat'], replays: deps.heartbeats });
  }

  /** Verifies and hands over one result message; one over its site's rate is acknowledged unread. */
  async receiveResult(message: ReceivedMessage): Promise<Settlement> {
    if (!this.admit(message, 'result')) {
      return 'ack';
    }
    const verdict = this.resultGate.judge(message, message.storedAt);
    if (verdict.kind !== 'admitted') {
      return this.reject(message, verdict.rejection);
    }
    const { envelope, arrival } = verdict.message;
    let rejection;
    try {
      await this.deps.results.remember({
        envelopeId: envelope.id,
        streamSequence: message.streamSequence,
        expiresAt: envelope.expiresAt,
      });
      rejection = await this.deps.handlers.onResult(envelope.payload, message);
    } catch (error) {
      // Broken infrastructure (disk, database): let JetStream deliver it again instead of losing it.
      this.deps.logger.error({ message: 'storing a result failed; it will be redelivered', error: String(error) });
      return 'retry';
    }
    // A redelivered message whose first delivery was recorded finds its own result: that is idempotency, not a rejection.
    if (rejection === null || (arrival === 'redelivery' && rejection.code === ResultRejectionCode.Duplicate)) {
      return 'ack';
    }
    return this.reject(message, {
      code: rejection.code,
      reason: rejection.reason,
      envelopeId: envelope.id,
      queryId: envelope.payload.queryId,
    });
  }

  /** Verifies and hands over one heartbeat message; one over its site's rate is dropped unread. */
  async receiveHeartbeat(message: ReceivedMessage): Promise<Settlement> {
    if (!this.admit(message, 'heartbeat')) {
      return 'ack';
    }
    const verdict = this.heartbeatGate.judge(message, message.storedAt);
    if (verdict.kind !== 'admitted') {
      return this.reject(message, verdict.rejection);
    }
    const { envelope } = verdict.message;
    await this.deps.heartbeats.remember({
      envelopeId: envelope.id,
      streamSequence: message.streamSequence,
      expiresAt: envelope.expiresAt,
    });
    await this.deps.handlers.onHeartbeat(envelope.payload, message);
    return 'ack';
  }

  /**
   * Audits each flood episode that ended (its site kept within its rate again), went on for the report interval, or,
   * with `all` (at shutdown), is still open; one record per episode. Call it now and then.
   */
  async reportFloods(options: { all?: boolean } = {}): Promise<void> {
    const flood = this.deps.flood;
    if (flood === undefined) {
      return;
    }
    for (const episode of flood.endedEpisodes(this.now().getTime(), options)) {
      await this.auditFlood(episode, flood);
    }
  }

  // By the subject, before any decoding: NATS permissions tie a site's subjects to its login, and a dropped message
  // must cost next to nothing. Subjects of no registered site share one bucket.
  private admit(message: ReceivedMessage, kind: 'result' | 'heartbeat'): boolean {
    const flood = this.deps.flood;
    if (flood === undefined || message.storedAt.getTime() < this.startedAtMs) {
      return true;
    }
    const subjectSite = siteIdOfSubject(message.subject);
    const site = subjectSite !== null && this.registered.has(subjectSite) ? subjectSite : null;
    const verdict = flood.admit(site, kind, message.streamSequence, this.now().getTime());
    if (verdict === 'flood-started') {
      this.deps.logger.warn({
        message: 'a site sends more than its rate; what exceeds it is dropped unread until it calms down',
        siteId: site,
        subject: message.subject,
      });
    }
    return verdict === 'admitted';
  }

  private async auditFlood(episode: FloodEpisode, flood: SiteFloodGuard): Promise<void> {
    const { perSecond, burst } = flood.rateLimit;
    const who = episode.site === null ? 'subjects of no registered site' : `site ${episode.site}`;
    const record = {
      time: this.now().toISOString(),
      decision: 'dropped-flood' as const,
      code: 'BROKER_SITE_RATE_EXCEEDED' as const,
      reason:
        `${who} sent more than ${perSecond} messages per second (burst ${burst}); ` +
        `${episode.droppedResults} results and ${episode.droppedHeartbeats} heartbeats were dropped unread`,
      siteId: episode.site,
      startedAt: episode.startedAt.toISOString(),
      lastDroppedAt: episode.lastDroppedAt.toISOString(),
      droppedResults: episode.droppedResults,
      droppedHeartbeats: episode.droppedHeartbeats,
      firstDroppedResult: episode.firstDroppedResult,
      lastDroppedResult: episode.lastDroppedResult,
      perSecond,
      burst,
    };
    this.deps.logger.warn({ message: 'flood episode ended', ...record });
    try {
      await this.deps.audit.floodEpisode(record);
    } catch (error) {
      // Nothing to redeliver here: the log line above is what remains of it.
      this.deps.logger.error({ message: 'auditing a flood episode failed', error: String(error) });
    }
  }

  private async reject(message: ReceivedMessage, rejection: EnvelopeRejection): Promise<Settlement> {
    const { code, reason } = rejection;
    const siteId = siteIdOfSubject(message.subject);
    this.deps.logger.warn({
      message: 'message rejected',
      code,
      reason,
      subject: message.subject,
      streamSequence: message.streamSequence,
    });
    try {
      await this.deps.audit.reject({
        time: this.now().toISOString(),
        decision: 'rejected',
        code,
        reason: reason.length <= 2000 ? reason : `${reason.slice(0, 1999)}…`,
        subject: message.subject.slice(0, 512),
        streamSequence: message.streamSequence,
        storedAt: message.storedAt.toISOString(),
        envelopeId: rejection.envelopeId,
        siteId,
      });
      return 'ack';
    } catch (error) {
      // Not audited yet: let it come again rather than drop it unrecorded.
      this.deps.logger.error({ message: 'auditing a rejected message failed', error: String(error) });
      return 'retry';
    }
  }
}
