import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  decodeEnvelope,
  describeEnvelopeIssue,
  encodeEnvelope,
  MAX_ENVELOPE_BYTES,
  readEnvelopeIdsLeniently,
} from './envelope.codec';
import type { QueryEnvelope, ResultEnvelope } from './envelope.schema';
import { siteIdOfSubject, siteQuerySubject, siteResultSubject, siteSubjectPattern } from './subjects';

const HASH = 'a'.repeat(64);

function aQueryEnvelope(): QueryEnvelope {
  return {
    id: randomUUID(),
    type: 'query',
    sentAt: '2026-01-01T10:00:00.000Z',
    expiresAt: '2026-01-01T10:01:00.000Z',
    sender: { kind: 'broker' },
    signature: 'c2lnbmVk',
    payload: {
      queryId: randomUUID(),
      queryHash: HASH,
      requester: 'r-1',
      query: {
        inclusionCriteria: [[{ termCodes: [{ system: 'http://loinc.org', code: '4548-4' }], futureField: 1 }]],
      },
    },
  };
}

function anAnswer(): ResultEnvelope {
  return {
    id: randomUUID(),
    type: 'result',
    sentAt: '2026-01-01T10:00:01.000Z',
    expiresAt: '2026-01-01T10:01:00.000Z',
    sender: { kind: 'site', siteId: 'site-a' },
    signature: 'c2lnbmVk',
    payload: {
      status: 'answered',
      queryId: randomUUID(),
      siteId: 'site-a',
      queryHash: HASH,
      dataVersion: 'v1',
      result: { kind: 'count', protectedCount: 120 },
    },
  };
}

describe('decodeEnvelope', () => {
  it('round-trips a query envelope and keeps unknown CCDL properties', () => {
    const envelope = aQueryEnvelope();
    const decoded = decodeEnvelope(encodeEnvelope(envelope), ['query']);
    expect(decoded).toEqual({ ok: true, value: envelope });
  });

  it('round-trips an answered result', () => {
    const envelope = anAnswer();
    expect(decodeEnvelope(encodeEnvelope(envelope), ['result'])).toEqual({ ok: true, value: envelope });
  });

  it('refuses a result that carries a raw count field', () => {
    const envelope = anAnswer();
    const withRaw = { ...envelope, payload: { ...envelope.payload, rawCount: 117 } };
    const decoded = decodeEnvelope(new TextEncoder().encode(JSON.stringify(withRaw)), ['result']);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? null : decoded.error.code).toBe('ENVELOPE_SCHEMA_INVALID');
  });

  it('refuses an answered result without a protected result', () => {
    const envelope = anAnswer();
    const { result: _result, ...payload } = envelope.payload as Extract<
      ResultEnvelope['payload'],
      { status: 'answered' }
    >;
    const decoded = decodeEnvelope(new TextEncoder().encode(JSON.stringify({ ...envelope, payload })), ['result']);
    expect(decoded.ok ? null : decoded.error.issues?.map((i) => i.path)).toContain('$.payload.result');
  });

  it('refuses the wrong envelope type, oversized input and non-JSON with distinct codes', () => {
    expect(decodeEnvelope(encodeEnvelope(aQueryEnvelope()), ['result'])).toMatchObject({
      ok: false,
      error: { code: 'ENVELOPE_TYPE_UNEXPECTED' },
    });
    expect(decodeEnvelope(new Uint8Array(MAX_ENVELOPE_BYTES + 1), ['query'])).toMatchObject({
      ok: false,
      error: { code: 'ENVELOPE_TOO_LARGE' },
    });
    expect(decodeEnvelope(new Uint8Array([0xff, 0xfe, 0x00]), ['query'])).toMatchObject({
      ok: false,
      error: { code: 'ENVELOPE_JSON_INVALID' },
    });
  });

  it('never throws on arbitrary bytes or arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }),
          fc.json().map((j) => new TextEncoder().encode(j)),
        ),
        (bytes) => {
          const decoded = decodeEnvelope(bytes, ['query', 'result', 'heartbeat']);
          expect(typeof decoded.ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('site subjects', () => {
  it('put the site id in every subject, under one permission pattern', () => {
    expect(siteQuerySubject('site-a')).toBe('fq.sites.site-a.queries');
    expect(siteResultSubject('site-a')).toBe('fq.sites.site-a.results');
    expect(siteSubjectPattern('site-a')).toBe('fq.sites.site-a.>');
    expect(siteIdOfSubject('fq.sites.site-a.results')).toBe('site-a');
    expect(siteIdOfSubject('fq.sites.>.results')).toBeNull();
  });

  it('refuse site ids that would break out of their subject token', () => {
    for (const bad of ['a.b', '*', '>', 'A', '', '-a', 'a b']) {
      expect(() => siteQuerySubject(bad)).toThrow();
    }
  });
});

describe('describeEnvelopeIssue', () => {
  it('adds the first five schema issues to the message', () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({ path: `$.f${i}`, message: `bad ${i}` }));
    expect(describeEnvelopeIssue({ code: 'ENVELOPE_SCHEMA_INVALID', message: 'not an envelope', issues })).toBe(
      'not an envelope ($.f0: bad 0; $.f1: bad 1; $.f2: bad 2; $.f3: bad 3; $.f4: bad 4)',
    );
    expect(describeEnvelopeIssue({ code: 'ENVELOPE_JSON_INVALID', message: 'not JSON' })).toBe('not JSON');
  });
});

describe('readEnvelopeIdsLeniently', () => {
  const envelopeId = '0f4b7e2a-9c3d-4e8f-a1b2-c3d4e5f60718';
  const queryId = '6a1f6c0e-2f4b-4c1e-9d3a-0b8e7f6a5c41';
  const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

  it('reads the ids of an otherwise invalid envelope and nothing that is not a UUID', () => {
    expect(readEnvelopeIdsLeniently(bytes({ id: envelopeId, payload: { queryId }, junk: 1 }))).toEqual({
      envelopeId,
      queryId,
    });
    expect(readEnvelopeIdsLeniently(bytes({ id: 'x', payload: 'y' }))).toEqual({ envelopeId: null, queryId: null });
  });

  it('gives up on bytes that are no JSON or too large', () => {
    expect(readEnvelopeIdsLeniently(new Uint8Array([0xff, 0x7b]))).toEqual({ envelopeId: null, queryId: null });
    const large = bytes({ id: envelopeId, pad: 'x'.repeat(MAX_ENVELOPE_BYTES) });
    expect(readEnvelopeIdsLeniently(large)).toEqual({ envelopeId: null, queryId: null });
  });
});
