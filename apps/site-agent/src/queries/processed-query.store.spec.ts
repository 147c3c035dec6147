import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROCESSED_QUERIES_FILE, ProcessedQueryStore } from './processed-query.store';

const ID_A = '11111111-1111-4111-8111-111111111111';
const ID_B = '22222222-2222-4222-8222-222222222222';
const ID_C = '33333333-3333-4333-8333-333333333333';

describe('ProcessedQueryStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'processed-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('remembers recorded ids across a reopen', async () => {
    const store = await ProcessedQueryStore.open(dir);
    expect(store.has(ID_A)).toBe(false);
    await store.record({ queryId: ID_A, decision: 'answered', at: '2025-03-01T10:00:00.000Z' });
    await store.record({ queryId: ID_B, decision: 'expired', at: '2025-03-01T10:01:00.000Z' });
    await store.close();

    const reopened = await ProcessedQueryStore.open(dir);
    expect(reopened.get(ID_A)?.decision).toBe('answered');
    expect(reopened.get(ID_B)?.decision).toBe('expired');
    expect(reopened.has(ID_C)).toBe(false);
    await reopened.close();
  });

  it('tells the envelope gate a redelivery from a replay, also after a reopen', async () => {
    const envelopeId = '44444444-4444-4444-8444-444444444444';
    const heldEnvelopeId = '55555555-5555-4555-8555-555555555555';
    const store = await ProcessedQueryStore.open(dir);
    expect(store.judge(envelopeId, 7)).toEqual({ kind: 'new' });
    await store.record({
      queryId: ID_A,
      decision: 'answered',
      at: '2025-03-01T10:00:00.000Z',
      envelopeId,
      streamSequence: 7,
    });
    // A held query is answered from its file, not from a stream message: any copy of it is a redelivery.
    await store.record({
      queryId: ID_B,
      decision: 'refused',
      at: '2025-03-01T10:00:00.000Z',
      envelopeId: heldEnvelopeId,
    });
    await store.close();

    const reopened = await ProcessedQueryStore.open(dir);
    expect(reopened.judge(envelopeId, 7)).toEqual({ kind: 'redelivery' });
    expect(reopened.judge(envelopeId, 9)).toEqual({ kind: 'replay', firstSequence: 7 });
    expect(reopened.judge(heldEnvelopeId, 3)).toEqual({ kind: 'redelivery' });
    await reopened.close();
  });

  it('keeps the first decision for an id recorded twice and writes it once', async () => {
    const store = await ProcessedQueryStore.open(dir);
    await store.record({ queryId: ID_A, decision: 'answered', at: '2025-03-01T10:00:00.000Z' });
    await store.record({ queryId: ID_A, decision: 'refused', at: '2025-03-01T10:01:00.000Z' });
    await store.close();

    const text = await readFile(join(dir, PROCESSED_QUERIES_FILE), 'utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text).toMatch(/"answered"/);
  });

  it('skips a torn last line after a crash and keeps appending on a fresh line', async () => {
    const store = await ProcessedQueryStore.open(dir);
    await store.record({ queryId: ID_A, decision: 'answered', at: '2025-03-01T10:00:00.000Z' });
    await store.close();
    await appendFile(join(dir, PROCESSED_QUERIES_FILE), `{"queryId":"${ID_B}","decis`);

    const reopened = await ProcessedQueryStore.open(dir);
    expect(reopened.unreadableLines).toBe(1);
    expect(reopened.has(ID_B)).toBe(false);
    await reopened.record({ queryId: ID_C, decision: 'failed', at: '2025-03-01T10:02:00.000Z' });
    await reopened.close();

    const third = await ProcessedQueryStore.open(dir);
    expect(third.has(ID_A) && third.has(ID_C)).toBe(true);
    expect(third.unreadableLines).toBe(1);
    await third.close();
  });

  it('lists the answered queries of a recent window for the rate limiter', async () => {
    const store = await ProcessedQueryStore.open(dir);
    await store.record({ queryId: ID_A, decision: 'answered', at: '2025-03-01T08:00:00.000Z' });
    await store.record({ queryId: ID_B, decision: 'answered', at: '2025-03-01T09:30:00.000Z' });
    await store.record({ queryId: ID_C, decision: 'refused', at: '2025-03-01T09:40:00.000Z' });
    expect(store.answeredSince(new Date('2025-03-01T09:00:00.000Z'))).toEqual([new Date('2025-03-01T09:30:00.000Z')]);
    await store.close();
  });

  it('rejects an entry that is not a query id', async () => {
    const store = await ProcessedQueryStore.open(dir);
    expect(() =>
      store.record({ queryId: 'not-a-uuid', decision: 'answered', at: '2025-03-01T08:00:00.000Z' }),
    ).toThrow();
    await store.close();
  });
});
