import { Logger } from '@nestjs/common';
import {
  connect,
  type ConsumerMessages,
  DeliverPolicy,
  Events,
  type JetStreamClient,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import {
  decodeEnvelope,
  encodeEnvelope,
  HEARTBEAT_STREAM,
  QUERY_STREAM,
  type QueryEnvelope,
  RESULT_STREAM,
  type SiteId,
  siteIdOfSubject,
  siteQuerySubject,
} from '@fq/contracts';
import type { BrokerTransport, TransportHandlers } from './broker-transport';
import { ensureJetStreamTopology, RESULTS_CONSUMER } from './jetstream-topology';

/** How the NATS transport connects and how long it waits for the results backlog at start-up. */
export interface NatsTransportOptions {
  servers: string[];
  siteIds: readonly SiteId[];
  backlogTimeoutMs?: number;
}

const REDELIVER_AFTER_MS = 5_000;
const BACKLOG_POLL_MS = 50;

/** The broker on NATS JetStream: queries out per site, results through `broker-results`, heartbeats ordered. */
export class NatsBrokerTransport implements BrokerTransport {
  private readonly logger = new Logger('NatsTransport');
  private connection: NatsConnection | null = null;
  private jetstream: JetStreamClient | null = null;
  private readonly subscriptions: ConsumerMessages[] = [];
  private readonly loops: Array<Promise<void>> = [];

  constructor(private readonly options: NatsTransportOptions) {}

  async start(handlers: TransportHandlers): Promise<void> {
    const nc = await connect({ servers: this.options.servers, name: 'fq-broker', maxReconnectAttempts: -1 });
    this.connection = nc;
    // Not awaited on stop: nats.js never ends the status iterator, even after the connection closed.
    void this.watchStatus(nc);
    await ensureJetStreamTopology(await nc.jetstreamManager(), this.options.siteIds);
    const js = nc.jetstream();
    this.jetstream = js;

    const heartbeats = await js.consumers.get(HEARTBEAT_STREAM.name, {
      // One subject as a string: a list needs filter_subjects, which servers before 2.10 reject (and the client retries).
      filterSubjects: HEARTBEAT_STREAM.subjects[0],
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const heartbeatMessages = await heartbeats.consume();
    this.subscriptions.push(heartbeatMessages);
    this.loops.push(this.run(heartbeatMessages, (msg) => this.handleHeartbeat(msg, handlers)));

    const results = await js.consumers.get(RESULT_STREAM.name, RESULTS_CONSUMER);
    const resultMessages = await results.consume({ max_messages: 64 });
    this.subscriptions.push(resultMessages);
    this.loops.push(this.run(resultMessages, (msg) => this.handleResult(msg, handlers)));

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
    this.logger.log({ message: 'NATS transport started', servers: nc.getServer(), sites: this.options.siteIds.length });
  }

  async publishQuery(siteId: SiteId, envelope: QueryEnvelope): Promise<void> {
    if (this.jetstream === null) {
      throw new Error('the NATS transport is not started');
    }
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

  private async handleResult(msg: JsMsg, handlers: TransportHandlers): Promise<void> {
    const decoded = decodeEnvelope(msg.data, ['result']);
    if (!decoded.ok) {
      this.reject(msg, decoded.error.code, decoded.error.message);
      return;
    }
    const { sender, payload } = decoded.value;
    const subjectSite = siteIdOfSubject(msg.subject);
    if (sender.kind !== 'site' || sender.siteId !== payload.siteId || subjectSite !== payload.siteId) {
      this.reject(msg, 'ENVELOPE_SENDER_MISMATCH', 'sender, payload and subject name different sites');
      return;
    }
    try {
      await handlers.onResult(payload, receivedAt(msg));
      msg.ack();
    } catch (error) {
      // Broken infrastructure (database): let JetStream deliver it again instead of losing it.
      this.logger.error({ message: 'storing a result failed; it will be redelivered', error: String(error) });
      msg.nak(REDELIVER_AFTER_MS);
    }
  }

  private handleHeartbeat(msg: JsMsg, handlers: TransportHandlers): Promise<void> {
    const decoded = decodeEnvelope(msg.data, ['heartbeat']);
    if (!decoded.ok) {
      this.refuse(msg, decoded.error.code, decoded.error.message);
      return Promise.resolve();
    }
    const { sender, payload } = decoded.value;
    if (sender.kind !== 'site' || sender.siteId !== payload.siteId || siteIdOfSubject(msg.subject) !== payload.siteId) {
      this.refuse(msg, 'ENVELOPE_SENDER_MISMATCH', 'sender, payload and subject name different sites');
      return Promise.resolve();
    }
    handlers.onHeartbeat(payload, receivedAt(msg));
    return Promise.resolve();
  }

  // Acknowledged so it is not redelivered forever; the reason goes to the log.
  private reject(msg: JsMsg, code: string, reason: string): void {
    this.refuse(msg, code, reason);
    msg.ack();
  }

  private refuse(msg: JsMsg, code: string, reason: string): void {
    this.logger.warn({ message: 'message refused', code, reason, subject: msg.subject, streamSequence: msg.seq });
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
function receivedAt(msg: JsMsg): Date {
  return new Date(Math.floor(msg.info.timestampNanos / 1e6));
}
