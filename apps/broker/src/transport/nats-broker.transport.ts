import {
  BROKER_INBOX_PREFIX,
  encodeEnvelope,
  HEARTBEAT_STREAM,
  natsClientTls,
  QUERY_STREAM,
  type QueryEnvelope,
  RESULT_STREAM,
  signEnvelope,
  type SiteId,
  siteQuerySubject,
  type UnsignedEnvelope,
} from '@fq/contracts';
import { JetStreamServer } from '@fq/jetstream-transport';
import {
  connect,
  type ConnectionOptions,
  DeliverPolicy,
  Events,
  type JetStreamClient,
  type NatsConnection,
  nkeyAuthenticator,
} from 'nats';
import type { BrokerNetworkConfig } from '../config/network-config.schema';
import { type BrokerTransport, isResultRejection, SiteMessagePattern } from './broker-transport';
import { EnvelopeAuditLog } from './envelope-audit.log';
import { EnvelopeReceiver } from './envelope.receiver';
import { ensureJetStreamTopology, RESULTS_CONSUMER } from './jetstream-topology';
import { ReceivedEnvelopesStore } from './received-envelopes.store';
import { SiteFloodGuard } from './site-flood.guard';

/** How the NATS transport connects, whom it trusts, and how long it waits for the results backlog at start-up. */
export interface NatsTransportOptions {
  servers: string[];
  network: BrokerNetworkConfig;
  backlogTimeoutMs?: number;
}

const REDELIVER_AFTER_MS = 5_000;
/** How often flood episodes that ended are looked for and audited. */
const FLOOD_REPORT_MS = 1_000;

/**
 * The broker on NATS JetStream, as a Nest microservice transport: queries out per site; results through the durable
 * `broker-results` consumer, one at a time, and the last heartbeat per site through an ordered consumer, both through
 * the broker's envelope gate (`EnvelopeReceiver`) to the `@EventPattern` handlers. `listen` resolves once the results
 * that arrived while the broker was down have been handed over.
 */
export class NatsBrokerTransport extends JetStreamServer implements BrokerTransport {
  private connection: NatsConnection | null = null;
  private jetstream: JetStreamClient | null = null;
  private readonly closables: Array<{ close(): Promise<void> }> = [];
  private receiver: EnvelopeReceiver | null = null;
  private floodReports: NodeJS.Timeout | null = null;

  constructor(private readonly natsOptions: NatsTransportOptions) {
    super({
      connect: () => this.connect(),
      bindings: [
        {
          stream: HEARTBEAT_STREAM.name,
          // One subject as a string: a list needs filter_subjects, which servers before 2.10 reject (and the client retries).
          consumer: {
            ordered: { filterSubjects: HEARTBEAT_STREAM.subjects[0], deliver_policy: DeliverPolicy.LastPerSubject },
          },
          inbox: { receive: (message) => this.gate().receiveHeartbeat(message) },
          concurrency: 1,
          redeliveryDelayMs: REDELIVER_AFTER_MS,
        },
        {
          stream: RESULT_STREAM.name,
          consumer: { durable: RESULTS_CONSUMER },
          inbox: { receive: (message) => this.gate().receiveResult(message) },
          maxMessages: 64,
          concurrency: 1,
          redeliveryDelayMs: REDELIVER_AFTER_MS,
          // Results that reached the stream while the broker was down must count before overdue queries expire.
          drainBacklogMs: natsOptions.backlogTimeoutMs ?? 15_000,
        },
      ],
    });
  }

  async publishQuery(siteId: SiteId, unsigned: UnsignedEnvelope<QueryEnvelope>): Promise<void> {
    if (this.jetstream === null) {
      throw new Error('the NATS transport is not started');
    }
    const envelope = signEnvelope<QueryEnvelope>(unsigned, this.natsOptions.network.signer);
    // Nats-Msg-Id = envelope id: a re-sent copy within the duplicate window is stored once.
    await this.jetstream.publish(siteQuerySubject(siteId), encodeEnvelope(envelope), {
      msgID: envelope.id,
      expect: { streamName: QUERY_STREAM.name },
    });
  }

  /** Stops the consumers after the message in hand, drains the connection and closes the audit and replay logs. */
  override async close(): Promise<void> {
    await super.close();
    const connection = this.connection;
    this.connection = null;
    this.jetstream = null;
    if (connection !== null && !connection.isClosed()) {
      await connection.drain();
    }
    if (this.floodReports !== null) {
      clearInterval(this.floodReports);
      this.floodReports = null;
    }
    // Floods still going on are on record before the audit log closes.
    await this.receiver?.reportFloods({ all: true });
    this.receiver = null;
    for (const closable of this.closables.splice(0)) {
      await closable.close();
    }
  }

  /** Opens the audit and replay logs, connects and sets up streams and consumers. */
  private async connect(): Promise<JetStreamClient> {
    const { network } = this.natsOptions;
    const audit = await EnvelopeAuditLog.open(network.auditLogFile);
    this.closables.push(audit);
    const receivedResults = await ReceivedEnvelopesStore.open(network.replayLogFile, new Date());
    this.closables.push(receivedResults);
    const receiver = new EnvelopeReceiver({
      registry: network.registry,
      audit,
      results: receivedResults,
      heartbeats: ReceivedEnvelopesStore.inMemory(),
      handlers: {
        onResult: async (result, message) => {
          const rejection = await this.dispatch(SiteMessagePattern.Result, result, message);
          return isResultRejection(rejection) ? rejection : null;
        },
        onHeartbeat: async (heartbeat, message) => {
          await this.dispatch(SiteMessagePattern.Heartbeat, heartbeat, message);
        },
      },
      logger: this.log,
      flood: new SiteFloodGuard(network.siteRateLimit),
    });
    this.receiver = receiver;
    this.floodReports = setInterval(() => {
      receiver.reportFloods().catch((error: unknown) => {
        this.log.error({ message: 'reporting flood episodes failed', error: String(error) });
      });
    }, FLOOD_REPORT_MS);
    this.floodReports.unref();
    const nc = await connect({
      servers: this.natsOptions.servers,
      name: 'fq-broker',
      maxReconnectAttempts: -1,
      // Capturing a stack for every request (each query publish awaits a JetStream ack) costs more than the request.
      noAsyncTraces: true,
      ...brokerNatsAuthOptions(network),
    });
    this.connection = nc;
    // Not awaited on close: nats.js never ends the status iterator, even after the connection closed.
    void this.watchStatus(nc);
    await ensureJetStreamTopology(
      await nc.jetstreamManager(),
      network.registry.map((site) => site.id),
    );
    this.jetstream = nc.jetstream();
    this.log.log({ message: 'NATS transport connected', servers: nc.getServer(), sites: network.registry.length });
    return this.jetstream;
  }

  private gate(): EnvelopeReceiver {
    if (this.receiver === null) {
      throw new Error('the NATS transport is not started');
    }
    return this.receiver;
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect || status.type === Events.Reconnect || status.type === Events.Error) {
        this.log.warn({ message: `NATS ${status.type}`, data: JSON.stringify(status.data) });
      }
    }
  }
}

/** The broker's NATS login (its user nkey), its own inbox prefix, and TLS files, as nats.js takes them. */
export function brokerNatsAuthOptions(
  network: Pick<BrokerNetworkConfig, 'natsNkeySeed' | 'tls'>,
): Pick<ConnectionOptions, 'authenticator' | 'inboxPrefix' | 'tls'> {
  const { natsNkeySeed, tls } = network;
  return {
    inboxPrefix: BROKER_INBOX_PREFIX,
    ...(natsNkeySeed === null
      ? {}
      : { authenticator: nkeyAuthenticator(new TextEncoder().encode(natsNkeySeed.reveal())) }),
    ...(tls === null ? {} : { tls: natsClientTls(tls) }),
  };
}
