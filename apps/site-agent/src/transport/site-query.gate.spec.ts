import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  encodeEnvelope,
  MAX_ENVELOPE_BYTES,
  type QueryEnvelope,
  queryEnvelopeId,
  signEnvelope,
  siteQuerySubject,
} from '@fq/contracts';
import { generateEnvelopeKey } from '@fq/network-admin';
import { hashQuery } from '@fq/ccdl';
import {
  createSiteWorld,
  FEMALE_QUERY,
  queryEnvelope,
  SITE_ID,
  signerOf,
  type SiteWorld,
  TEST_BROKER_KEY,
  TEST_SITE_KEY,
} from '../queries/__fixtures__/site-world';

const FORGER = signerOf(generateEnvelopeKey());

/** `envelope` as the broker sends it to `siteId`: its id derived from (query id, site id), signed by the broker. */
function addressed(envelope: QueryEnvelope = queryEnvelope(), siteId = SITE_ID): QueryEnvelope {
  const { signature: _signature, ...unsigned } = envelope;
  return signEnvelope<QueryEnvelope>(
    { ...unsigned, id: queryEnvelopeId(unsigned.payload.queryId, siteId) },
    signerOf(TEST_BROKER_KEY),
  );
}

describe('SiteQueryGate.receive', () => {
  let world: SiteWorld;
  let sequence = 1;

  beforeEach(async () => {
    world = await createSiteWorld();
  });

  afterEach(async () => {
    await world.close();
  });

  const deliver = (data: Uint8Array | string, subject = siteQuerySubject(SITE_ID), seq = sequence++) =>
    world.gate.receive(
      {
        data: typeof data === 'string' ? new TextEncoder().encode(data) : data,
        subject,
        streamSequence: seq,
        storedAt: world.clock.now(),
      },
      world.dispatch,
    );

  /** Rejected with `code`, audited, nothing published, nothing recorded; a valid query is still answered. */
  async function expectRejected(data: Uint8Array | string, code?: string, subject?: string): Promise<void> {
    const published = world.publisher.published.length;
    const audited = (await world.auditLines()).length;
    await expect(deliver(data, subject)).resolves.toBe('ack');
    expect(world.publisher.published).toHaveLength(published);
    const lines = await world.auditLines();
    expect(lines).toHaveLength(audited + 1);
    expect(lines.at(-1)).toMatchObject({ decision: 'rejected-message', ...(code === undefined ? {} : { code }) });
    const valid = addressed();
    expect(world.processed.has(valid.payload.queryId)).toBe(false);
    await expect(deliver(encodeEnvelope(valid))).resolves.toBe('ack');
    expect(world.publisher.published.at(-1)?.payload).toMatchObject({
      queryId: valid.payload.queryId,
      status: 'answered',
    });
  }

  function forged(signer = FORGER): QueryEnvelope {
    const { signature: _signature, ...unsigned } = addressed();
    return signEnvelope<QueryEnvelope>(unsigned, signer);
  }

  it('answers a query signed by the broker', async () => {
    const envelope = addressed();
    await expect(deliver(encodeEnvelope(envelope))).resolves.toBe('ack');
    expect(world.publisher.published.map((result) => result.payload.queryId)).toEqual([envelope.payload.queryId]);
  });

  it.each([
    ['signed with a key that is not the broker’s', () => encodeEnvelope(forged()), 'ENVELOPE_SIGNATURE_INVALID'],
    ['unsigned', () => JSON.stringify({ ...addressed(), signature: null }), 'ENVELOPE_UNSIGNED'],
    ['oversized', () => new Uint8Array(MAX_ENVELOPE_BYTES + 1), 'ENVELOPE_TOO_LARGE'],
    ['malformed', () => '{"type":"query", oops', 'ENVELOPE_JSON_INVALID'],
    [
      'sent in the future',
      () => encodeEnvelope(addressed(queryEnvelope(FEMALE_QUERY, { sentAt: '2025-03-01T10:05:00.000Z' }))),
      'ENVELOPE_SENT_IN_FUTURE',
    ],
  ] satisfies Array<[string, () => Uint8Array | string, string]>)(
    'rejects and audits a query that is %s',
    async (_what, data, code) => {
      await expectRejected(data(), code);
    },
  );

  it('rejects a query that claims to come from a site, without answering it', async () => {
    const { signature: _signature, ...unsigned } = addressed();
    const fromSite = signEnvelope<QueryEnvelope>(
      { ...unsigned, sender: { kind: 'site', siteId: 'site-evil' } },
      signerOf(TEST_SITE_KEY),
    );
    await expectRejected(encodeEnvelope(fromSite), 'ENVELOPE_SENDER_UNKNOWN');
  });

  it('rejects a query signed by a site key, even the site’s own', async () => {
    await expectRejected(encodeEnvelope(forged(signerOf(TEST_SITE_KEY))), 'ENVELOPE_SIGNATURE_INVALID');
  });

  it('rejects a valid query on another site’s subject', async () => {
    await expectRejected(encodeEnvelope(addressed()), 'SITE_MESSAGE_UNEXPECTED', siteQuerySubject('site-other'));
  });

  it('rejects and audits a valid query the broker addressed to another site, replayed onto this site’s subject', async () => {
    const elsewhere = addressed(queryEnvelope(), 'site-other');
    await expectRejected(encodeEnvelope(elsewhere), 'ENVELOPE_SITE_MISMATCH');
    expect((await world.auditLines()).find((line) => line.code === 'ENVELOPE_SITE_MISMATCH')).toMatchObject({
      queryId: elsewhere.payload.queryId,
      envelopeId: elsewhere.id,
    });
    expect(world.processed.has(elsewhere.payload.queryId)).toBe(false);
  });

  it('rejects and audits another site’s copy of a query it has answered, instead of acknowledging it silently', async () => {
    const own = addressed();
    await expect(deliver(encodeEnvelope(own))).resolves.toBe('ack');
    await expectRejected(encodeEnvelope(addressed(own, 'site-other')), 'ENVELOPE_SITE_MISMATCH');
    expect(world.publisher.published.filter((r) => r.payload.queryId === own.payload.queryId)).toHaveLength(1);
  });

  it('audits an expired query without answering it', async () => {
    const expired = addressed(queryEnvelope(FEMALE_QUERY, { expiresAt: '2025-03-01T09:59:00.000Z' }));
    await expect(deliver(encodeEnvelope(expired))).resolves.toBe('ack');
    expect(world.publisher.published).toEqual([]);
    expect((await world.auditLines()).at(-1)).toMatchObject({ decision: 'expired', code: 'ENVELOPE_EXPIRED' });
  });

  it('answers a redelivered stream message once, and audits the same envelope in another message as a replay', async () => {
    const envelope = encodeEnvelope(addressed());
    await deliver(envelope, undefined, 500);
    await expect(deliver(envelope, undefined, 500)).resolves.toBe('ack');
    expect(world.publisher.published).toHaveLength(1);
    await expectRejected(envelope, 'ENVELOPE_REPLAYED');
    expect(world.publisher.published).toHaveLength(2);
  });

  it('never crashes on arbitrary bytes, answers none of them and audits each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 1024 }), async (bytes) => {
        await expectRejected(bytes);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects every mutation of a signed query', async () => {
    const queryId = randomUUID();
    const text = JSON.stringify(
      signEnvelope<QueryEnvelope>(
        {
          id: queryEnvelopeId(queryId, SITE_ID),
          type: 'query',
          sentAt: '2025-03-01T10:00:00.000Z',
          expiresAt: '2025-03-01T11:00:00.000Z',
          sender: { kind: 'broker' },
          payload: { queryId, queryHash: hashQuery(FEMALE_QUERY), query: FEMALE_QUERY, requester: 'r-1' },
        },
        signerOf(TEST_BROKER_KEY),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: text.length - 1 }),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
        async (position, char) => {
          fc.pre(text[position] !== char);
          await expectRejected(`${text.slice(0, position)}${char}${text.slice(position + 1)}`);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('SiteQueryGate.reject', () => {
  let world: SiteWorld;

  afterEach(async () => {
    await world.close();
  });

  it('acks and audits a malformed message and keeps working', async () => {
    world = await createSiteWorld();
    const rejection = {
      code: 'ENVELOPE_SCHEMA_INVALID',
      reason: 'the message is not a valid envelope ($.payload.queryHash: expected 64 lowercase hex digits)',
      envelopeId: randomUUID(),
      queryId: null,
    };

    await expect(world.gate.reject(rejection)).resolves.toBe('ack');
    await expect(world.admit(queryEnvelope())).resolves.toBe('ack');

    const lines = await world.auditLines();
    expect(lines[0]).toMatchObject({
      decision: 'rejected-message',
      code: 'ENVELOPE_SCHEMA_INVALID',
      reason: rejection.reason,
      envelopeId: rejection.envelopeId,
      queryId: null,
    });
    expect(lines[1]).toMatchObject({ decision: 'answered' });
    expect(world.publisher.published).toHaveLength(1);
  });
});
