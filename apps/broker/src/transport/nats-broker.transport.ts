import { Logger } from '@nestjs/common';
import {
  connect,
  type ConnectionOptions,
  type ConsumerMessages,
  DeliverPolicy,
  Events,
  type JetStreamClient,
  type JsMsg,
  type NatsConnection,
  nkeyAuthenticator,
} from 'nats';
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
import type { BrokerNetworkConfig } from '../config/network-config.schema';
import type { BrokerTransport, TransportHandlers } from './broker-transport';
import { EnvelopeAuditLog } from './envelope-audit.log';
import { EnvelopeReceiver, type ReceivedMessage, type Settlement } from './envelope.receiver';
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
const BACKLOG_POLL_MS = 50;
/** How often flood episodes that ended are looked for and audited. */
const FLOOD_REPORT_MS = 1_000;

/** The broker on NATS JetStream: queries out per site, results through `broker-results`, heartbeats ordered. */
export class NatsBrokerTransport implements BrokerTransport {
  private readonly logger = new Logger('NatsTransport');
  private connection: NatsConnection | null = null;
  private jetstream: JetStreamClient | null = null;
  private readonly subscriptions: ConsumerMessages[] = [];
  private readonly loops: Array<Promise<void>> = [];
  private readonly closables: Array<{ close(): Promise<void> }> = [];
  private receiver: EnvelopeReceiver | null = null;
  private floodReports: NodeJS.Timeout | null = null;

  constructor(private readonly options: NatsTransportOptions) {}

  async start(handlers: TransportHandlers): Promise<void> {
    const { network } = this.options;
    const audit = await EnvelopeAuditLog.open(network.auditLogFile);
    this.closables.push(audit);
    const receivedResults = await ReceivedEnvelopesStore.open(network.replayLogFile, new Date());
    this.closables.push(receivedResults);
    const receiver = new EnvelopeReceiver({
      registry: network.registry,
      audit,
      results: receivedResults,
      heartbeats: ReceivedEnvelopesStore.inMemory(),
      handlers,
      logger: this.logger,
      flood: new SiteFloodGuard(network.siteRateLimit),
    });
    this.receiver = receiver;
    this.floodReports = setInterval(() => {
      receiver.reportFloods().catch((error: unknown) => {
        this.logger.error({ message: 'reporting flood episodes failed', error: String(error) });
      });
    }, FLOOD_REPORT_MS);
    this.floodReports.unref();
    const nc = await connect({
      servers: this.options.servers,
      name: 'fq-broker',
      maxReconnectAttempts: -1,
      // Capturing a stack for every request (each query publish awaits a JetStream ack) costs more than the request.
      noAsyncTraces: true,
      ...brokerNatsAuthOptions(network),
    });
    this.connection = nc;
    // Not awaited on stop: nats.js never ends the status iterator, even after the connection closed.
    void this.watchStatus(nc);
    await ensureJetStreamTopology(
      await nc.jetstreamManager(),
      network.registry.map((site) => site.id),
    );
    const js = nc.jetstream();
    this.jetstream = js;

    const heartbeats = await js.consumers.get(HEARTBEAT_STREAM.name, {
      // One subject as a string: a list needs filter_subjects, which servers before 2.10 reject (and the client retries).
      filterSubjects: HEARTBEAT_STREAM.subjects[0],
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const heartbeatMessages = await heartbeats.consume();
    this.subscriptions.push(heartbeatMessages);
    this.loops.push(this.run(heartbeatMessages, async (msg) => void (await receiver.receiveHeartbeat(received(msg)))));

    const results = await js.consumers.get(RESULT_STREAM.name, RESULTS_CONSUMER);
    const resultMessages = await results.consume({ max_messages: 64 });
    this.subscriptions.push(resultMessages);
    this.loops.push(this.run(resultMessages, async (msg) => settle(msg, await receiver.receiveResult(received(msg)))));

    // Results that reached the stream while the broker was down must count before overdue queries expire.
    const deadline = Date.now() + (this.options.backlogTimeoutMs ?? 15_000);
    for (;;) {
      const info = await results.info();
      if (info.num_pending === 0 && info.num_ack_pending === 0) {
        break;
      }
      if (Date.now() > deadline) {
        this.logger.warn({ message: 'results backlog not drained at start-up', pending: info.num_pending });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, BACKLOG_POLL_MS));
    }
    this.logger.log({ message: 'NATS transport started', servers: nc.getServer(), sites: network.registry.length });
  }

  async publishQuery(siteId: SiteId, unsigned: UnsignedEnvelope<QueryEnvelope>): Promise<void> {
    if (this.jetstream === null) {
      throw new Error('the NATS transport is not started');
    }
    const envelope = signEnvelope<QueryEnvelope>(unsigned, this.options.network.signer);
    // Nats-Msg-Id = envelope id: a re-sent copy within the duplicate window is stored once.
    await this.jetstream.publish(siteQuerySubject(siteId), encodeEnvelope(envelope), {
      msgID: envelope.id,
      expect: { streamName: QUERY_STREAM.name },
    });
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions.splice(0)) {
      subscription.stop();
    }
    const connection = this.connection;
    this.connection = null;
    this.jetstream = null;
    if (connection !== null && !connection.isClosed()) {
      await connection.drain();
    }
    await Promise.allSettled(this.loops.splice(0));
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

  private async run(messages: ConsumerMessages, handle: (msg: JsMsg) => Promise<void>): Promise<void> {
    try {
      for await (const msg of messages) {
        await handle(msg);
      }
    } catch (error) {
      this.logger.error({ message: 'consumer stopped', error: String(error) });
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect || status.type === Events.Reconnect || status.type === Events.Error) {
        this.logger.warn({ message: `NATS ${status.type}`, data: JSON.stringify(status.data) });
      }
    }
  }
}

// The server's storage time: the same for every broker and unaffected by how long the message waited for us.
function received(msg: JsMsg): ReceivedMessage {
  return {
    data: msg.data,
    subject: msg.subject,
    streamSequence: msg.seq,
    storedAt: new Date(Math.floor(msg.info.timestampNanos / 1e6)),
  };
}

function settle(msg: JsMsg, settlement: Settlement): void {
  if (settlement === 'ack') {
    msg.ack();
  } else {
    msg.nak(REDELIVER_AFTER_MS);
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
