import { randomUUID } from 'node:crypto';
import { encodeEnvelope } from './envelope.codec';
import { queryEnvelopeId } from './envelope-ids';
import { envelopeSignerFromSeed } from './envelope-keys';
import { generateEnvelopeKey } from './__fixtures__/keys';
import {
  type Arrival,
  createEnvelopeGate,
  fromSubjectSite,
  type InboundMessage,
  queryAddressedTo,
} from './envelope.gate';
import type { QueryEnvelope, ResultEnvelope } from './envelope.schema';
import { signEnvelope } from './envelope.signature';
import { siteHeartbeatSubject, siteQuerySubject, siteResultSubject } from './subjects';

function signerOf(seed: string) {
  const signer = envelopeSignerFromSeed(seed);
  if (!signer.ok) {
    throw new Error(signer.error.message);
  }
  return signer.value;
}

const brokerKey = generateEnvelopeKey();
const siteKey = generateEnvelopeKey();
const SENT = '2026-01-01T10:00:00.000Z';
const BEFORE_DEADLINE = new Date('2026-01-01T10:00:30.000Z');
const AFTER_DEADLINE = new Date('2026-01-01T10:01:00.000Z');

/** Remembers admitted envelopes by id, as the receivers' stores do. */
class MemoryReplays {
  readonly seen = new Map<string, number>();
  judge(envelopeId: string, streamSequence: number): Arrival {
    const first = this.seen.get(envelopeId);
    if (first === undefined) {
      return { kind: 'new' };
    }
    return first === streamSequence ? { kind: 'redelivery' } : { kind: 'replay', firstSequence: first };
  }
}

function aQuery(siteId = 'site-a', overrides: Partial<Pick<QueryEnvelope, 'sentAt'>> = {}): QueryEnvelope {
  const queryId = randomUUID();
  return signEnvelope<QueryEnvelope>(
    {
      id: queryEnvelopeId(queryId, siteId),
      type: 'query',
      sentAt: overrides.sentAt ?? SENT,
      expiresAt: '2026-01-01T10:01:00.000Z',
      sender: { kind: 'broker' },
      payload: {
        queryId,
        queryHash: 'a'.repeat(64),
        requester: 'r-1',
        query: { inclusionCriteria: [[{ termCodes: [{ system: 'http://loinc.org', code: '4548-4' }] }]] },
      },
    },
    signerOf(brokerKey.seed),
  );
}

function anAnswer(siteId = 'site-a', payloadSite = siteId): ResultEnvelope {
  return signEnvelope<ResultEnvelope>(
    {
      id: randomUUID(),
      type: 'result',
      sentAt: SENT,
      expiresAt: '2026-01-01T10:01:00.000Z',
      sender: { kind: 'site', siteId },
      payload: { status: 'expired', queryId: randomUUID(), siteId: payloadSite },
    },
    signerOf(siteKey.seed),
  );
}

function inbound(envelope: object | string, subject: string, streamSequence = 1): InboundMessage {
  const data =
    typeof envelope === 'string' ? new TextEncoder().encode(envelope) : encodeEnvelope(envelope as QueryEnvelope);
  return { data, subject, streamSequence };
}

describe('createEnvelopeGate', () => {
  describe('at a site', () => {
    const replays = new MemoryReplays();
    const gate = createEnvelopeGate({
      types: ['query'],
      keyOf: (sender) => (sender.kind === 'broker' ? brokerKey.publicKey : null),
      route: queryAddressedTo('site-a'),
      replays,
    });

    it('admits a query the broker signed and addressed to this site, on its subject', () => {
      const query = aQuery();
      expect(gate.judge(inbound(query, siteQuerySubject('site-a'), 7), BEFORE_DEADLINE)).toEqual({
        kind: 'admitted',
        message: { envelope: query, streamSequence: 7, arrival: 'new' },
      });
    });

    it('rejects a query from a sender it has no key for, with the ids it could read', () => {
      const { signature: _signature, ...unsigned } = aQuery();
      const fromSite = signEnvelope<QueryEnvelope>(
        { ...unsigned, sender: { kind: 'site', siteId: 'site-b' } },
        signerOf(siteKey.seed),
      );
      expect(gate.judge(inbound(fromSite, siteQuerySubject('site-a')), BEFORE_DEADLINE)).toEqual({
        kind: 'rejected',
        rejection: {
          code: 'ENVELOPE_SENDER_UNKNOWN',
          reason: 'no trusted key for site site-b here',
          envelopeId: fromSite.id,
          queryId: fromSite.payload.queryId,
        },
      });
    });

    it('rejects bytes that are no envelope, reading no ids', () => {
      expect(gate.judge(inbound('{"type":"query", oops', siteQuerySubject('site-a')), BEFORE_DEADLINE)).toMatchObject({
        kind: 'rejected',
        rejection: { code: 'ENVELOPE_JSON_INVALID', envelopeId: null, queryId: null },
      });
    });

    it('rejects a valid query on another subject, and the copy the broker addressed to another site', () => {
      const query = aQuery();
      expect(gate.judge(inbound(query, siteQuerySubject('site-b')), BEFORE_DEADLINE)).toMatchObject({
        kind: 'rejected',
        rejection: { code: 'SITE_MESSAGE_UNEXPECTED', envelopeId: query.id, queryId: query.payload.queryId },
      });
      const elsewhere = aQuery('site-b');
      expect(gate.judge(inbound(elsewhere, siteQuerySubject('site-a')), BEFORE_DEADLINE)).toMatchObject({
        kind: 'rejected',
        rejection: { code: 'ENVELOPE_SITE_MISMATCH', envelopeId: elsewhere.id },
      });
    });

    it('tells a redelivery of the same stream message from a replay in another one', () => {
      const query = aQuery();
      replays.seen.set(query.id, 3);
      expect(gate.judge(inbound(query, siteQuerySubject('site-a'), 3), BEFORE_DEADLINE)).toMatchObject({
        kind: 'admitted',
        message: { arrival: 'redelivery' },
      });
      expect(gate.judge(inbound(query, siteQuerySubject('site-a'), 4), BEFORE_DEADLINE)).toMatchObject({
        kind: 'rejected',
        rejection: { code: 'ENVELOPE_REPLAYED', envelopeId: query.id },
      });
    });

    it('hands over a query past its deadline as expired, and rejects one sent too far in the future', () => {
      const query = aQuery();
      expect(gate.judge(inbound(query, siteQuerySubject('site-a'), 9), AFTER_DEADLINE)).toEqual({
        kind: 'expired',
        message: { envelope: query, streamSequence: 9, arrival: 'new' },
        rejection: {
          code: 'ENVELOPE_EXPIRED',
          reason: 'expired at 2026-01-01T10:01:00.000Z, judged at 2026-01-01T10:01:00.000Z',
          envelopeId: query.id,
          queryId: query.payload.queryId,
        },
      });
      const early = aQuery('site-a', { sentAt: '2026-01-01T10:05:00.000Z' });
      expect(gate.judge(inbound(early, siteQuerySubject('site-a')), BEFORE_DEADLINE)).toMatchObject({
        kind: 'rejected',
        rejection: { code: 'ENVELOPE_SENT_IN_FUTURE' },
      });
    });
  });

  describe('at the broker', () => {
    const gate = createEnvelopeGate({
      types: ['result'],
      keyOf: (sender) => (sender.kind === 'site' && sender.siteId === 'site-a' ? siteKey.publicKey : null),
      route: fromSubjectSite,
      replays: new MemoryReplays(),
    });

    it('admits a result whose sender, payload and subject name the same site', () => {
      const answer = anAnswer();
      expect(gate.judge(inbound(answer, siteResultSubject('site-a')), BEFORE_DEADLINE)).toMatchObject({
        kind: 'admitted',
        message: { envelope: answer },
      });
    });

    it('rejects a result on another site’s subject or naming another site in its payload', () => {
      expect(gate.judge(inbound(anAnswer(), siteResultSubject('site-b')), BEFORE_DEADLINE)).toMatchObject({
        kind: 'rejected',
        rejection: { code: 'ENVELOPE_SENDER_MISMATCH' },
      });
      expect(
        gate.judge(inbound(anAnswer('site-a', 'site-b'), siteResultSubject('site-a')), BEFORE_DEADLINE),
      ).toMatchObject({ kind: 'rejected', rejection: { code: 'ENVELOPE_SENDER_MISMATCH' } });
    });

    it('rejects an envelope of a type it does not take', () => {
      expect(gate.judge(inbound(aQuery(), siteHeartbeatSubject('site-a')), BEFORE_DEADLINE)).toMatchObject({
        kind: 'rejected',
        rejection: { code: 'ENVELOPE_TYPE_UNEXPECTED' },
      });
    });
  });
});
