import {
  type EnvelopeKeyResolver,
  EnvelopeCode,
  describeEnvelopeIssue,
  openEnvelope,
  readEnvelopeIdsLeniently,
} from './envelope.codec';
import { queryEnvelopeId } from './envelope-ids';
import type { Envelope, QueryEnvelope } from './envelope.schema';
import { checkEnvelopeTiming, DEFAULT_CLOCK_SKEW_MS } from './envelope.signature';
import { type SiteId, siteIdOfSubject, siteQuerySubject } from './subjects';

/** A message as it came off a stream: its bytes, its subject and the stream message it came in. */
export interface InboundMessage {
  data: Uint8Array;
  subject: string;
  streamSequence: number;
}

/** What an envelope in a stream message is: new, the same message again (a redelivery), or a replay of one admitted before. */
export type Arrival = { kind: 'new' } | { kind: 'redelivery' } | { kind: 'replay'; firstSequence: number };

/** Knows the stream message each admitted envelope came in; the receiver records it once it has dealt with it. */
export interface ReplayJudge {
  judge(envelopeId: string, streamSequence: number): Arrival;
}

/** Why a message was not admitted, with the ids read from it (null when absent or unreadable) for the audit log. */
export interface EnvelopeRejection {
  /** ENVELOPE_… or the receiver's own code (SITE_MESSAGE_UNEXPECTED). */
  code: string;
  reason: string;
  envelopeId: string | null;
  queryId: string | null;
}

/** A verified envelope addressed to this receiver that is no replay. */
export interface AdmittedEnvelope<E extends Envelope> {
  envelope: E;
  streamSequence: number;
  arrival: 'new' | 'redelivery';
}

/**
 * The gate's verdict: admitted; verified but past its deadline (with the rejection for a receiver that rejects it, while
 * a site audits it as expired); or rejected.
 */
export type GateVerdict<E extends Envelope> =
  | { kind: 'admitted'; message: AdmittedEnvelope<E> }
  | { kind: 'expired'; message: AdmittedEnvelope<E>; rejection: EnvelopeRejection }
  | { kind: 'rejected'; rejection: EnvelopeRejection };

/** Whether a verified envelope may arrive on `subject` from its sender: null if so, else the code and reason. */
export type RouteRule<E extends Envelope> = (
  envelope: E,
  subject: string,
) => Pick<EnvelopeRejection, 'code' | 'reason'> | null;

export interface EnvelopeGateOptions<T extends Envelope['type']> {
  /** The envelope types this receiver takes. */
  types: readonly T[];
  /** The senders it trusts, by key. */
  keyOf: EnvelopeKeyResolver;
  route: RouteRule<Extract<Envelope, { type: T }>>;
  replays: ReplayJudge;
  /** How far ahead a sender's `sentAt` may be; DEFAULT_CLOCK_SKEW_MS unless given. */
  skewMs?: number;
}

/** Judges messages from the network before any handler sees them. */
export interface EnvelopeGate<E extends Envelope> {
  /**
   * Decodes and verifies (size, JSON, schema, type, a trusted sender's signature), checks the route (subject, sender,
   * addressee), tells a replay from a redelivery, and judges the time window at `at` (the receiver's clock, or when
   * the stream stored the message). Never throws on bad input.
   */
  judge(message: InboundMessage, at: Date): GateVerdict<E>;
}

/** The one gate of both sides (decision 0006): what it admits is verified, addressed here and no replay. */
export function createEnvelopeGate<T extends Envelope['type']>(
  options: EnvelopeGateOptions<T>,
): EnvelopeGate<Extract<Envelope, { type: T }>> {
  const skewMs = options.skewMs ?? DEFAULT_CLOCK_SKEW_MS;
  return {
    judge(message, at) {
      const opened = openEnvelope(message.data, options.types, options.keyOf);
      if (!opened.ok) {
        return reject(opened.error.code, describeEnvelopeIssue(opened.error), readEnvelopeIdsLeniently(message.data));
      }
      const envelope = opened.value;
      const ids = idsOf(envelope);
      const misrouted = options.route(envelope, message.subject);
      if (misrouted !== null) {
        return reject(misrouted.code, misrouted.reason, ids);
      }
      const arrival = options.replays.judge(envelope.id, message.streamSequence);
      if (arrival.kind === 'replay') {
        return reject(
          EnvelopeCode.Replayed,
          `envelope ${envelope.id} was admitted from stream message ${arrival.firstSequence}; it came again as stream message ${message.streamSequence}`,
          ids,
        );
      }
      const admitted = { envelope, streamSequence: message.streamSequence, arrival: arrival.kind };
      const timing = checkEnvelopeTiming(envelope, at, skewMs);
      if (timing.ok) {
        return { kind: 'admitted', message: admitted };
      }
      const { rejection } = reject(timing.error.code, timing.error.message, ids);
      return timing.error.code === EnvelopeCode.Expired
        ? { kind: 'expired', message: admitted, rejection }
        : { kind: 'rejected', rejection };
    },
  };
}

/**
 * A site's route for queries: on its own subject, and in the copy the broker addressed to it (the signed envelope id
 * is derived from query id and site id, so another site's copy replayed onto this subject is rejected).
 */
export function queryAddressedTo(siteId: SiteId): RouteRule<QueryEnvelope> {
  const subject = siteQuerySubject(siteId);
  return (envelope, on) => {
    if (on !== subject) {
      return {
        code: 'SITE_MESSAGE_UNEXPECTED',
        reason: `a query on ${on} reached site ${siteId}, whose subject is ${subject}`,
      };
    }
    const { queryId } = envelope.payload;
    const expectedId = queryEnvelopeId(queryId, siteId);
    return envelope.id === expectedId
      ? null
      : {
          code: EnvelopeCode.SiteMismatch,
          reason: `envelope ${envelope.id} of query ${queryId} is not addressed to site ${siteId} (whose copy is ${expectedId})`,
        };
  };
}

/** The broker's route for what sites send: the sender, the payload and the subject name the same site. */
export const fromSubjectSite: RouteRule<Extract<Envelope, { type: 'result' | 'heartbeat' }>> = (envelope, subject) => {
  const { sender, payload } = envelope;
  return sender.kind === 'site' && sender.siteId === payload.siteId && siteIdOfSubject(subject) === payload.siteId
    ? null
    : {
        code: EnvelopeCode.SenderMismatch,
        reason: `sender, payload and subject name different sites (subject ${subject}, payload ${payload.siteId})`,
      };
};

function idsOf(envelope: Envelope): Pick<EnvelopeRejection, 'envelopeId' | 'queryId'> {
  return { envelopeId: envelope.id, queryId: 'queryId' in envelope.payload ? envelope.payload.queryId : null };
}

function reject(
  code: string,
  reason: string,
  ids: Pick<EnvelopeRejection, 'envelopeId' | 'queryId'>,
): { kind: 'rejected'; rejection: EnvelopeRejection } {
  return { kind: 'rejected', rejection: { code, reason, ...ids } };
}
