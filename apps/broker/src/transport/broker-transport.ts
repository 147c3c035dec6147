import type { HeartbeatPayload, QueryEnvelope, ResultPayload, SiteId, UnsignedEnvelope } from '@fq/contracts';

/** What the broker does with verified messages from the network. */
export interface TransportHandlers {
  /** Stores or deliberately drops a result; a rejection means "try again later" and the message is redelivered. */
  onResult(result: ResultPayload, receivedAt: Date): Promise<unknown>;
  /** Notes a site's sign of life; `receivedAt` is when the NATS server stored it. */
  onHeartbeat(heartbeat: HeartbeatPayload, receivedAt: Date): void;
}

/** The broker's side of the network; NATS JetStream in production, an in-memory fake in unit tests. */
export interface BrokerTransport {
  /**
   * Connects, sets up streams and consumers, binds the consumers to `handlers`, and resolves once the results that
   * arrived while the broker was down have been handed over.
   */
  start(handlers: TransportHandlers): Promise<void>;
  /** Signs and publishes a query for one site; resolves once JetStream has stored it. */
  publishQuery(siteId: SiteId, envelope: UnsignedEnvelope<QueryEnvelope>): Promise<void>;
  /** Stops the consumers and closes the connection after pending work is flushed. */
  stop(): Promise<void>;
}

export const BROKER_TRANSPORT = Symbol('BROKER_TRANSPORT');
