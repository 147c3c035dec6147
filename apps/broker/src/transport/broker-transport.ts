import type { HeartbeatPayload, QueryEnvelope, ResultPayload, SiteId, UnsignedEnvelope } from '@fq/contracts';

/** Codes of verified results the broker refuses on their merits; they go to the audit log like refused envelopes. */
export const ResultRefusalCode = {
  /** No query with this id. */
  QueryUnknown: 'RESULT_QUERY_UNKNOWN',
  /** The query was not sent to this site. */
  SiteNotAsked: 'RESULT_SITE_NOT_ASKED',
  /** An answer to another query than the one the broker sent (its hash differs). */
  QueryHashMismatch: 'RESULT_QUERY_HASH_MISMATCH',
  /** Stored after the query's deadline, or after the query finished. */
  Late: 'RESULT_LATE',
  /** The site's result for this query was recorded before; the first one counts. */
  Duplicate: 'RESULT_DUPLICATE',
} as const;
export type ResultRefusalCode = (typeof ResultRefusalCode)[keyof typeof ResultRefusalCode];

/** Why a verified result was not counted. */
export interface ResultRefusal {
  code: ResultRefusalCode;
  reason: string;
}

/** What the broker does with verified messages from the network. */
export interface TransportHandlers {
  /**
   * Stores a result, or refuses it (null: counted); a rejection means "try again later" and the message is
   * redelivered.
   */
  onResult(result: ResultPayload, receivedAt: Date): Promise<ResultRefusal | null>;
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
