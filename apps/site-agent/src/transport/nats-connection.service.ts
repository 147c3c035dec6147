import { Inject, Injectable, Logger } from '@nestjs/common';
import { natsClientTls, siteInboxPrefix } from '@fq/contracts';
import {
  connect,
  type ConnectionOptions,
  Events,
  type JetStreamClient,
  type NatsConnection,
  nkeyAuthenticator,
  type Status,
} from 'nats';
import { redactNatsUrl, SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';

/** The agent's one outbound NATS connection; it reconnects forever, the site never accepts connections. */
@Injectable()
export class NatsConnectionService {
  private readonly logger = new Logger(NatsConnectionService.name);
  private connection: NatsConnection | null = null;
  // One client for the connection's life: creating one per publish parsed its options every time.
  private jetstreamClient: JetStreamClient | null = null;
  private statusEvents: AsyncIterable<Status> | null = null;

  constructor(
    @Inject(SITE_AGENT_CONFIG) private readonly config: Pick<SiteAgentConfig, 'natsUrl' | 'siteId' | 'security'>,
  ) {}

  /** Connects (waiting for the server if it is not up yet) and logs connection changes from then on. */
  async connect(): Promise<NatsConnection> {
    if (this.connection !== null) {
      return this.connection;
    }
    const servers = this.config.natsUrl.split(',');
    this.logger.log({ message: 'connecting to NATS', servers: redactNatsUrl(this.config.natsUrl) });
    const nc = await connect({
      servers,
      name: `site-agent ${this.config.siteId}`,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      // Capturing a stack for every request (each publish awaits a JetStream ack) cost more than the rest of the call.
      noAsyncTraces: true,
      ...siteNatsAuthOptions(this.config),
    });
    this.connection = nc;
    const events = nc.status();
    this.statusEvents = events;
    void this.logStatus(events);
    this.logger.log({ message: 'connected to NATS', server: nc.getServer() });
    return nc;
  }

  /** The JetStream client of the open connection; throws before `connect` (a wiring bug). */
  jetstream(): JetStreamClient {
    if (this.connection === null) {
      throw new Error('NATS is not connected yet');
    }
    this.jetstreamClient ??= this.connection.jetstream();
    return this.jetstreamClient;
  }

  get isConnected(): boolean {
    return this.connection !== null && !this.connection.isClosed();
  }

  /** Drains the connection: pending publishes are flushed, then it closes. */
  async close(): Promise<void> {
    const nc = this.connection;
    if (nc === null || nc.isClosed()) {
      return;
    }
    try {
      await nc.drain();
    } catch (error) {
      this.logger.warn({ message: 'NATS drain failed; closing', error: String(error) });
      await nc.close();
    }
    // The client does not end status iterators when the connection closes; its iterator can be stopped.
    if (isStoppable(this.statusEvents)) {
      this.statusEvents.stop();
    }
  }

  private async logStatus(events: AsyncIterable<Status>): Promise<void> {
    const worthLogging: string[] = [Events.Disconnect, Events.Reconnect, Events.LDM, Events.Error];
    try {
      for await (const status of events) {
        if (worthLogging.includes(status.type)) {
          this.logger.warn({ message: `NATS ${status.type}`, data: describeStatusData(status.data) });
        }
      }
    } catch (error) {
      this.logger.warn({ message: 'NATS status events ended', error: String(error) });
    }
  }
}

/**
 * The site's NATS login (its user nkey; the server sends a nonce and the client signs it), its own inbox prefix (so
 * permissions can keep other clients' replies unreadable) and TLS files, as nats.js takes them.
 */
export function siteNatsAuthOptions(
  config: Pick<SiteAgentConfig, 'siteId' | 'security'>,
): Pick<ConnectionOptions, 'authenticator' | 'inboxPrefix' | 'tls'> {
  const { natsNkeySeed, tls } = config.security;
  return {
    inboxPrefix: siteInboxPrefix(config.siteId),
    ...(natsNkeySeed === null
      ? {}
      : { authenticator: nkeyAuthenticator(new TextEncoder().encode(natsNkeySeed.reveal())) }),
    ...(tls === null ? {} : { tls: natsClientTls(tls) }),
  };
}

function isStoppable(value: unknown): value is { stop(): void } {
  return typeof value === 'object' && value !== null && 'stop' in value && typeof value.stop === 'function';
}

function describeStatusData(data: unknown): string {
  if (typeof data === 'string' || typeof data === 'number') {
    return String(data);
  }
  return data instanceof Error ? data.message : JSON.stringify(data);
}
