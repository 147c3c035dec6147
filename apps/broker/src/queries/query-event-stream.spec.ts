import type { MessageEvent } from '@nestjs/common';
import { parseStructuredQuery } from '@fq/ccdl';
import { FEMALE_QUERY } from '../__fixtures__/test-broker';
import type { QueriesRepository } from '../persistence/queries.repository';
import type { StoredQuery, StoredQueryHeader, StoredSiteResult } from '../persistence/records.schema';
import { QueryEventsBus } from './query-events.bus';
import { parseLastEventId, QueryEventStream } from './query-events.sse';

const parsed = parseStructuredQuery(FEMALE_QUERY);
if (!parsed.ok) {
  throw parsed.error;
}

const QUERY: StoredQuery = {
  id: '0e3c6d0e-8d0c-4a53-9b7e-0c1f2a3b4c5d',
  requesterId: 'alice',
  query: parsed.value,
  queryHash: 'a'.repeat(64),
  sites: [{ siteId: 'site-a', name: 'Uniklinik A', pseudonym: 'Site 1' }],
  status: 'running',
  createdAt: '2026-03-02T09:00:00.000Z',
  expiresAt: '2026-03-02T09:01:00.000Z',
  dispatchedAt: '2026-03-02T09:00:00.000Z',
  finishedAt: null,
};
const { query: _criteria, ...HEADER } = QUERY;

/** The store as the stream reads it: the query's header, which a test changes, and no results. */
class StubRepository {
  header: StoredQueryHeader | null = HEADER;
  reads = 0;

  findQueryHeader(): Promise<StoredQueryHeader | null> {
    this.reads++;
    return Promise.resolve(this.header);
  }

  listSiteResults(): Promise<StoredSiteResult[]> {
    return Promise.resolve([]);
  }
}

/** Lets the stream's store reads (promises) settle. */
const settle = () => jest.advanceTimersByTimeAsync(0);

describe('QueryEventStream', () => {
  let repository: StubRepository;
  let bus: QueryEventsBus;
  let stream: QueryEventStream;

  beforeEach(() => {
    jest.useFakeTimers();
    repository = new StubRepository();
    bus = new QueryEventsBus();
    stream = new QueryEventStream(repository as unknown as QueriesRepository, bus, {
      thresholds: { results: 0, sites: 0, sitesResult: 0 },
    });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends a keep-alive comment every 15 seconds while the query runs, and stops once it ended', async () => {
    const received: MessageEvent[] = [];
    let completed = false;
    stream.open(QUERY, { id: 'alice', role: 'researcher' }, 0).subscribe({
      next: (event) => received.push(event),
      complete: () => (completed = true),
    });
    await settle();
    expect(received).toEqual([]);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(received).toEqual([{ comment: 'keep-alive' }, { comment: 'keep-alive' }]);
    repository.header = { ...HEADER, status: 'expired', finishedAt: '2026-03-02T09:01:00.000Z' };
    bus.notify(QUERY.id);
    await settle();
    expect(received.map((event) => event.type ?? event.comment)).toEqual(['keep-alive', 'keep-alive', 'expired']);
    expect(completed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops reading the store and keeping alive when the client goes away', async () => {
    const received: MessageEvent[] = [];
    const subscription = stream
      .open(QUERY, { id: 'alice', role: 'researcher' }, 0)
      .subscribe((event) => received.push(event));
    await settle();
    const reads = repository.reads;
    subscription.unsubscribe();
    bus.notify(QUERY.id);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(repository.reads).toBe(reads);
    expect(received).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('completes without an event when the query is gone from the store', async () => {
    repository.header = null;
    let completed = false;
    const received: MessageEvent[] = [];
    stream.open(QUERY, { id: 'alice', role: 'researcher' }, 0).subscribe({
      next: (event) => received.push(event),
      complete: () => (completed = true),
    });
    await settle();
    expect(completed).toBe(true);
    expect(received).toEqual([]);
  });
});

describe('parseLastEventId', () => {
  it.each([
    [undefined, 0],
    ['', 0],
    ['2', 2],
    [' 7 ', 7],
    ['999999999', 999_999_999],
    ['1000000000', 0],
    ['-1', 0],
    ['3.5', 0],
    ['abc', 0],
  ])('reads %p as %p', (header, expected) => {
    expect(parseLastEventId(header)).toBe(expected);
  });
});
