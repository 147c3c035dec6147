import type { HeartbeatPayload, QueryEnvelope, ResultPayload, SiteId, UnsignedEnvelope } from '@fq/contracts';
import type { JetStreamMessage, JetStreamServer } from '@fq/jetstream-transport';

/** Codes of verified results the broker rejects on their merits; they go to the audit log like rejected envelopes. */
export const ResultRejectionCode = {
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
export type ResultRejectionCode = (typeof ResultRejectionCode)[keyof typeof ResultRejectionCode];

/** Why a verified result was not counted. */
export interface ResultRejection {
  code: ResultRejectionCode;
  reason: string;
}

/** Whether a handler's return value is a rejection. */
export function isResultRejection(value: unknown): value is ResultRejection {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    (Object.values(ResultRejectionCode) as unknown[]).includes(value.code) &&
    'reason' in value &&
    typeof value.reason === 'string'
  );
}

/** The `@EventPattern`s of what the envelope gate admits from sites. */
export const SiteMessagePattern = {
  /** A verified result (`ResultPayload`); its handler returns a `ResultRejection`, or null when it counted. */
  Result: 'result',
  /** A verified heartbeat (`HeartbeatPayload`). */
  Heartbeat: 'heartbeat',
} as const;

/** What the transport's gate hands admitted messages to: in the app, the `@EventPattern` handlers. */
export interface TransportHandlers {
  /** Stores a result, or rejects it (null: counted); a throw means "try again later" and the message is redelivered. */
  onResult(result: ResultPayload, message: JetStreamMessage): Promise<ResultRejection | null>;
  /** Notes a site's sign of life; `message.storedAt` is when the NATS server stored it. */
  onHeartbeat(heartbeat: HeartbeatPayload, message: JetStreamMessage): void | Promise<void>;
}

/**
 * The broker's side of the network, as the Nest microservice transport the site-message handlers listen on, and the
 * way queries go out: NATS JetStream in production, an in-memory fake in unit tests.
 */
export interface BrokerTransport extends JetStreamServer {
  /** Signs and publishes a query for one site; resolves once JetStream has stored it. */
  publishQuery(siteId: SiteId, envelope: UnsignedEnvelope<QueryEnvelope>): Promise<void>;
}

export const BROKER_TRANSPORT = Symbol('BROKER_TRANSPORT');
