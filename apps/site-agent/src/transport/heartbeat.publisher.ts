import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { encodeEnvelope, HeartbeatEnvelope, signEnvelope, siteHeartbeatSubject } from '@fq/contracts';
import { err, ok } from '@fq/result';
import { CLOCK, type Clock } from '../clock';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import type { PublishResult } from '../queries/result.publisher';
import { SiteDataService } from '../site-data/site-data.service';
import { NatsConnectionService } from './nats-connection.service';

/** The agent's software version as heartbeats report it. */
export const SITE_AGENT_VERSION = '0.1.0';

const UnsignedHeartbeat = HeartbeatEnvelope.omit({ signature: true });

/**
 * Publishes the site's heartbeat every SITE_HEARTBEAT_SECONDS: version, data version, data freshness and the most
 * criteria it answers (so the broker refuses larger queries before they cost a quota slot).
 */
@Injectable()
export class HeartbeatPublisher {
  private readonly logger = new Logger(HeartbeatPublisher.name);
  private timer: NodeJS.Timeout | null = null;
  private failing = false;

  constructor(
    @Inject(SITE_AGENT_CONFIG)
    private readonly config: Pick<SiteAgentConfig, 'siteId' | 'heartbeatSeconds' | 'security' | 'policy'>,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly siteData: SiteDataService,
    private readonly nats: NatsConnectionService,
  ) {}

  /** The signed heartbeat as of now; it expires after three missed intervals. */
  buildHeartbeat(): HeartbeatEnvelope {
    const now = this.clock.now();
    const snapshot = this.siteData.current();
    const unsigned = UnsignedHeartbeat.parse({
      id: randomUUID(),
      type: 'heartbeat',
      sentAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 3 * this.config.heartbeatSeconds * 1000).toISOString(),
      sender: { kind: 'site', siteId: this.config.siteId },
      payload: {
        siteId: this.config.siteId,
        agentVersion: SITE_AGENT_VERSION,
        dataVersion: snapshot.dataVersion,
        dataLoadedAt: snapshot.loadedAt.toISOString(),
        state: this.siteData.state === 'reloading' ? 'reloading' : 'ready',
        maxCriteria: this.config.policy.maxCriteria,
        dataRefreshedAt: snapshot.refreshedAt.toISOString(),
        ...(snapshot.origin === undefined
          ? {}
          : {
              dataSource: snapshot.origin.source,
              ...(snapshot.origin.asOf === null ? {} : { dataAsOf: new Date(snapshot.origin.asOf).toISOString() }),
            }),
      },
    });
    return signEnvelope<HeartbeatEnvelope>(unsigned, this.config.security.signer);
  }

  /** Publishes one heartbeat; a failure is logged once per streak of failures, never thrown. */
  async publishOnce(): Promise<PublishResult> {
    const envelope = this.buildHeartbeat();
    try {
      await this.nats.jetstream().publish(siteHeartbeatSubject(this.config.siteId), encodeEnvelope(envelope), {
        msgID: envelope.id,
      });
      if (this.failing) {
        this.failing = false;
        this.logger.log({ message: 'heartbeats are published again' });
      }
      return ok(undefined);
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.logger.warn({ message: 'heartbeat not published', error: String(error) });
      }
      return err(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Publishes now and then every interval. */
  start(): void {
    if (this.timer !== null) {
      return;
    }
    void this.publishOnce();
    this.timer = setInterval(() => void this.publishOnce(), this.config.heartbeatSeconds * 1000);
  }

  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
