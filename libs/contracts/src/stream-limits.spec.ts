import { encodeEnvelope } from './envelope.codec';
import { type EnvelopeSigner, envelopeSignerFromSeed } from './envelope-keys';
import { generateEnvelopeKey } from './__fixtures__/keys';
import { HeartbeatEnvelope, type HeartbeatPayload, ResultEnvelope, type ResultPayload } from './envelope.schema';
import { signEnvelope } from './envelope.signature';
import { MAX_HEARTBEAT_ENVELOPE_BYTES, MAX_RESULT_ENVELOPE_BYTES } from './stream-limits';

// The longest values each schema allows, of characters JSON escapes to six bytes where any character is allowed.
const ESCAPED = '\u0001';
const LONGEST_SITE = `a${'-'.repeat(61)}z`;
const LONGEST_TIME = '2026-03-02T09:00:00.123456789+14:00';
const QUERY_ID = '6a1f6c0e-2f4b-4c1e-9d3a-0b8e7f6a5c41';
const BUDGET = {
  remaining: Number.MAX_SAFE_INTEGER,
  limit: Number.MAX_SAFE_INTEGER,
  windowDays: Number.MAX_SAFE_INTEGER,
  resetsAt: LONGEST_TIME,
};

function signer(): EnvelopeSigner {
  const key = envelopeSignerFromSeed(generateEnvelopeKey().seed);
  if (!key.ok) {
    throw new Error(key.error.message);
  }
  return key.value;
}

function resultEnvelope(payload: ResultPayload): Uint8Array {
  const envelope = signEnvelope<ResultEnvelope>(
    {
      id: QUERY_ID,
      type: 'result',
      sentAt: LONGEST_TIME,
      expiresAt: LONGEST_TIME,
      sender: { kind: 'site', siteId: LONGEST_SITE },
      payload,
    },
    signer(),
  );
  expect(ResultEnvelope.safeParse(envelope).success).toBe(true);
  return encodeEnvelope(envelope);
}

describe('per-message stream limits', () => {
  it('fit the largest result envelope the schema allows, answered or refused', () => {
    const common = { queryId: QUERY_ID, siteId: LONGEST_SITE };
    const answered = resultEnvelope({
      ...common,
      status: 'answered',
      queryHash: 'f'.repeat(64),
      dataVersion: ESCAPED.repeat(128),
      result: { kind: 'below-threshold', threshold: Number.MAX_SAFE_INTEGER },
      budget: BUDGET,
    });
    const refused = resultEnvelope({
      ...common,
      status: 'refused',
      code: `S${'_'.repeat(63)}`,
      reason: ESCAPED.repeat(500),
      budget: BUDGET,
    });
    expect(answered.byteLength).toBeLessThan(MAX_RESULT_ENVELOPE_BYTES);
    expect(refused.byteLength).toBeLessThan(MAX_RESULT_ENVELOPE_BYTES);
    // Headroom for fields a later version adds.
    expect(refused.byteLength).toBeLessThan(MAX_RESULT_ENVELOPE_BYTES * 0.75);
  });

  it('fit the largest heartbeat envelope the schema allows', () => {
    const payload: HeartbeatPayload = {
      siteId: LONGEST_SITE,
      agentVersion: ESCAPED.repeat(64),
      dataVersion: ESCAPED.repeat(128),
      dataLoadedAt: LONGEST_TIME,
      state: 'reloading',
      maxCriteria: 10_000,
    };
    const envelope = signEnvelope<HeartbeatEnvelope>(
      {
        id: QUERY_ID,
        type: 'heartbeat',
        sentAt: LONGEST_TIME,
        expiresAt: LONGEST_TIME,
        sender: { kind: 'site', siteId: LONGEST_SITE },
        payload,
      },
      signer(),
    );
    expect(HeartbeatEnvelope.safeParse(envelope).success).toBe(true);
    expect(encodeEnvelope(envelope).byteLength).toBeLessThan(MAX_HEARTBEAT_ENVELOPE_BYTES * 0.75);
  });
});
