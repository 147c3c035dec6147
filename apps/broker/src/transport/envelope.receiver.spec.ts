import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  encodeEnvelope,
  type EnvelopeSigner,
  type HeartbeatPayload,
  MAX_ENVELOPE_BYTES,
  type ResultEnvelope,
  type ResultPayload,
  signEnvelope,
  type SiteRegistration,
  siteResultSubject,
} from '@fq/contracts';
import { generateEnvelopeKey, generateNatsUserKey } from '@fq/network-admin';
import { testSigner } from '../__fixtures__/test-registry';
import { type ResultRejection, ResultRejectionCode } from './broker-transport';
import type { EnvelopeRejection, FloodEpisodeRecord } from './envelope-audit.log';
import { EnvelopeReceiver, type ReceivedMessage } from './envelope.receiver';
import { ReceivedEnvelopesStore } from './received-envelopes.store';
import { SiteFloodGuard } from './site-flood.guard';

const SITE_KEY = generateEnvelopeKey();
const OTHER_KEY = generateEnvelopeKey();
const REGISTRY: SiteRegistration[] = [
  {
    id: 'site-a',
    name: 'Uniklinik A',
    natsUserPublicKey: generateNatsUserKey().publicKey,
    envelopePublicKey: SITE_KEY.publicKey,
  },
];
// Importing a key costs more than a signature; the property tests sign hundreds of envelopes.
const SITE_SIGNER = testSigner(SITE_KEY);
const OTHER_SIGNER = testSigner(OTHER_KEY);
const STORED_AT = new Date('2026-03-02T09:00:30.000Z');
const SILENT = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A receiver over in-memory stores; `state` records everything a handler would have changed. */
function aReceiver(
  options: {
    reject?: (result: ResultPayload) => ResultRejection | null;
    flood?: SiteFloodGuard;
    now?: () => Date;
    startedAt?: Date;
    registry?: SiteRegistration[];
  } = {},
) {
  const state = { results: [] as ResultPayload[], heartbeats: [] as HeartbeatPayload[] };
  const audit: EnvelopeRejection[] = [];
  const floods: FloodEpisodeRecord[] = [];
  const receiver = new EnvelopeReceiver({
    registry: options.registry ?? REGISTRY,
    audit: {
      reject: (record) => Promise.resolve(void audit.push(record)),
      floodEpisode: (record) => Promise.resolve(void floods.push(record)),
    },
    results: ReceivedEnvelopesStore.inMemory(),
    heartbeats: ReceivedEnvelopesStore.inMemory(),
    handlers: {
      onResult: (result) => {
        state.results.push(result);
        return Promise.resolve(options.reject?.(result) ?? null);
      },
      onHeartbeat: (heartbeat) => void state.heartbeats.push(heartbeat),
    },
    logger: SILENT,
    flood: options.flood,
    now: options.now,
    startedAt: options.startedAt,
  });
  return { receiver, state, audit, floods };
}

function anAnswer(signer: EnvelopeSigner = SITE_SIGNER, overrides: Partial<ResultEnvelope> = {}) {
  const queryId = randomUUID();
  return signEnvelope<ResultEnvelope>(
    {
      id: randomUUID(),
      type: 'result',
      sentAt: '2026-03-02T09:00:10.000Z',
      expiresAt: '2026-03-02T09:01:00.000Z',
      sender: { kind: 'site', siteId: 'site-a' },
      payload: {
        status: 'answered',
        queryId,
        siteId: 'site-a',
        queryHash: 'b'.repeat(64),
        dataVersion: 'v1',
        result: { kind: 'count', protectedCount: 40 },
      },
      ...overrides,
    },
    signer,
  );
}

let sequence = 1;
function message(data: Uint8Array | string, subject = siteResultSubject('site-a'), seq = sequence++): ReceivedMessage {
  return {
    data: typeof data === 'string' ? new TextEncoder().encode(data) : data,
    subject,
    streamSequence: seq,
    storedAt: STORED_AT,
  };
}

/** Asserts the message was rejected with `code`, audited once, changed nothing, and a valid result still counts. */
async function expectRefused(world: ReturnType<typeof aReceiver>, msg: ReceivedMessage, code?: string): Promise<void> {
  const before = world.state.results.length;
  const audited = world.audit.length;
  await expect(world.receiver.receiveResult(msg)).resolves.toBe('ack');
  expect(world.state.results).toHaveLength(before);
  expect(world.audit).toHaveLength(audited + 1);
  if (code !== undefined) {
    expect(world.audit.at(-1)?.code).toBe(code);
  }
  const valid = anAnswer();
  await expect(world.receiver.receiveResult(message(encodeEnvelope(valid)))).resolves.toBe('ack');
  expect(world.state.results.at(-1)).toEqual(valid.payload);
}

describe('EnvelopeReceiver (results)', () => {
  it('hands over a result signed by the registered site, judged by the storage time', async () => {
    const world = aReceiver();
    const answer = anAnswer();
    await expect(world.receiver.receiveResult(message(encodeEnvelope(answer)))).resolves.toBe('ack');
    expect(world.state.results).toEqual([answer.payload]);
    expect(world.audit).toEqual([]);
  });

  it.each([
    ['unsigned', () => JSON.stringify({ ...anAnswer(), signature: undefined }), 'ENVELOPE_UNSIGNED'],
    [
      'signed with a key that is not the site’s',
      () => encodeEnvelope(anAnswer(OTHER_SIGNER)),
      'ENVELOPE_SIGNATURE_INVALID',
    ],
    [
      'expired when it was stored',
      () => encodeEnvelope(anAnswer(undefined, { expiresAt: '2026-03-02T09:00:20.000Z' })),
      'ENVELOPE_EXPIRED',
    ],
    [
      'sent in the future',
      () =>
        encodeEnvelope(
          anAnswer(undefined, { sentAt: '2026-03-02T09:05:00.000Z', expiresAt: '2026-03-02T09:10:00.000Z' }),
        ),
      'ENVELOPE_SENT_IN_FUTURE',
    ],
    ['oversized', () => new Uint8Array(MAX_ENVELOPE_BYTES + 1), 'ENVELOPE_TOO_LARGE'],
    ['not JSON', () => '{"type":"result",', 'ENVELOPE_JSON_INVALID'],
  ] satisfies Array<[string, () => Uint8Array | string, string]>)(
    'rejects and audits a result that is %s',
    async (_what, data, code) => {
      await expectRefused(aReceiver(), message(data()), code);
    },
  );

  it('rejects a valid result from one site on another site’s subject', async () => {
    const world = aReceiver();
    await expectRefused(
      world,
      message(encodeEnvelope(anAnswer()), siteResultSubject('site-b')),
      'ENVELOPE_SENDER_MISMATCH',
    );
  });

  it('treats the same stream message again as a redelivery, and the same envelope in another message as a replay', async () => {
    const world = aReceiver();
    const answer = encodeEnvelope(anAnswer());
    await world.receiver.receiveResult(message(answer, undefined, 900));
    await expect(world.receiver.receiveResult(message(answer, undefined, 900))).resolves.toBe('ack');
    expect(world.audit).toEqual([]);
    expect(world.state.results).toHaveLength(2);
    await expectRefused(world, message(answer, undefined, 901), 'ENVELOPE_REPLAYED');
    expect(world.audit.at(-1)).toMatchObject({ streamSequence: 901, siteId: 'site-a' });
  });

  it('never crashes, hands nothing over and audits every arbitrary byte string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        await expectRefused(aReceiver(), message(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects every mutation of a signed result, and keeps working', async () => {
    const text = JSON.stringify(anAnswer());
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: text.length - 1 }),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
        async (position, char) => {
          fc.pre(text[position] !== char);
          const mutated = `${text.slice(0, position)}${char}${text.slice(position + 1)}`;
          await expectRefused(aReceiver(), message(mutated));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects arbitrary JSON re-signed with a key the registry does not hold for the sender', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom('site-a', 'site-b'),
        async (count, siteId) => {
          const forged = anAnswer(OTHER_SIGNER, {
            sender: { kind: 'site', siteId },
            payload: {
              status: 'answered',
              queryId: randomUUID(),
              siteId,
              queryHash: 'c'.repeat(64),
              dataVersion: 'v9',
              result: { kind: 'count', protectedCount: count },
            },
          });
          const code = siteId === 'site-a' ? 'ENVELOPE_SIGNATURE_INVALID' : 'ENVELOPE_SENDER_UNKNOWN';
          await expectRefused(aReceiver(), message(encodeEnvelope(forged), siteResultSubject(siteId)), code);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('audits a verified result that the broker rejects on its merits, and acknowledges it', async () => {
    const unknown = anAnswer();
    const world = aReceiver({ reject: () => ({ code: ResultRejectionCode.QueryUnknown, reason: 'no such query' }) });
    await expect(world.receiver.receiveResult(message(encodeEnvelope(unknown), undefined, 700))).resolves.toBe('ack');
    expect(world.audit).toEqual([
      expect.objectContaining({
        decision: 'rejected',
        code: 'RESULT_QUERY_UNKNOWN',
        reason: 'no such query',
        streamSequence: 700,
        envelopeId: unknown.id,
        siteId: 'site-a',
      }),
    ]);
  });

  it('audits a second result for the same query and site, but not a redelivery of the one it recorded', async () => {
    const seen = new Set<string>();
    const world = aReceiver({
      reject: (result) => {
        const key = `${result.queryId}/${result.siteId}`;
        const duplicate = seen.has(key);
        seen.add(key);
        return duplicate ? { code: ResultRejectionCode.Duplicate, reason: 'the first result counts' } : null;
      },
    });
    const first = anAnswer();
    await world.receiver.receiveResult(message(encodeEnvelope(first), undefined, 800));
    await world.receiver.receiveResult(message(encodeEnvelope(first), undefined, 800));
    expect(world.audit).toEqual([]);
    const { queryId, siteId } = first.payload;
    const second = anAnswer(undefined, { payload: { queryId, siteId, status: 'refused', code: 'X_Y', reason: 'r' } });
    await world.receiver.receiveResult(message(encodeEnvelope(second), undefined, 801));
    expect(world.audit).toEqual([expect.objectContaining({ code: 'RESULT_DUPLICATE', envelopeId: second.id })]);
  });

  it('drops what a flooding site sends over its rate unread, keeps reading others, and audits the episode once', async () => {
    const siteC = generateEnvelopeKey();
    const registry: SiteRegistration[] = [
      ...REGISTRY,
      {
        id: 'site-c',
        name: 'Uniklinik C',
        natsUserPublicKey: generateNatsUserKey().publicKey,
        envelopePublicKey: siteC.publicKey,
      },
    ];
    let now = STORED_AT.getTime();
    // 40 results from site-a at once, each for an unknown query: each one read is audited.
    const unknown = { code: ResultRejectionCode.QueryUnknown, reason: 'no such query' };
    const world = aReceiver({
      registry,
      reject: (result) => (result.siteId === 'site-a' ? unknown : null),
      flood: new SiteFloodGuard({ perSecond: 1, burst: 3 }),
      now: () => new Date(now),
    });
    for (let i = 0; i < 40; i++) {
      await expect(
        world.receiver.receiveResult(message(encodeEnvelope(anAnswer()), undefined, 1000 + i)),
      ).resolves.toBe('ack');
    }
    expect(world.state.results).toHaveLength(3);
    expect(world.audit).toHaveLength(3);

    const fromC = signEnvelope<ResultEnvelope>(
      {
        ...anAnswer(),
        sender: { kind: 'site', siteId: 'site-c' },
        payload: { ...anAnswer().payload, siteId: 'site-c' },
      },
      testSigner(siteC),
    );
    await world.receiver.receiveResult(message(encodeEnvelope(fromC), siteResultSubject('site-c'), 2000));
    expect(world.state.results.at(-1)).toEqual(fromC.payload);

    // Still flooding a second later: the episode goes on, nothing is reported yet.
    now += 1000;
    await world.receiver.receiveResult(message(encodeEnvelope(anAnswer()), undefined, 1040));
    await world.receiver.receiveResult(message(encodeEnvelope(anAnswer()), undefined, 1041));
    await world.receiver.reportFloods();
    expect(world.floods).toEqual([]);

    // Within its rate for burst / rate seconds: the episode ends and is audited once, with its counts.
    now += 3000;
    await world.receiver.reportFloods();
    await world.receiver.reportFloods();
    expect(world.floods).toEqual([
      expect.objectContaining({
        decision: 'dropped-flood',
        code: 'BROKER_SITE_RATE_EXCEEDED',
        siteId: 'site-a',
        droppedResults: 38,
        droppedHeartbeats: 0,
        firstDroppedResult: 1003,
        lastDroppedResult: 1041,
        perSecond: 1,
        burst: 3,
      }),
    ]);
    expect(world.audit).toHaveLength(4);
  });

  it('reads in full what was stored before the broker started, which the stream bounds per site', async () => {
    const started = STORED_AT.getTime() + 10_000;
    const world = aReceiver({
      flood: new SiteFloodGuard({ perSecond: 1, burst: 3 }),
      now: () => new Date(started),
      startedAt: new Date(started),
    });
    for (let i = 0; i < 20; i++) {
      await world.receiver.receiveResult(message(encodeEnvelope(anAnswer()), undefined, 3000 + i));
    }
    expect(world.state.results).toHaveLength(20);
    // What arrives once it runs is limited again.
    for (let i = 0; i < 5; i++) {
      const stored = message(encodeEnvelope(anAnswer()), undefined, 3100 + i);
      await world.receiver.receiveResult({ ...stored, storedAt: new Date(started) });
    }
    expect(world.state.results).toHaveLength(23);
  });
});
