import { randomUUID } from 'node:crypto';
import { BrokerSecretsRepository } from './broker-secrets.repository';
import type { BrokerDatabase } from './broker-database';
import { openBrokerDatabase } from './database.provider';
import { QueriesRepository } from './queries.repository';
import type { SiteAnswer, StoredQuery } from './records.schema';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from './__fixtures__/test-databases';

function aQuery(overrides: Partial<StoredQuery> = {}): StoredQuery {
  return {
    id: randomUUID(),
    requesterId: 'alice',
    query: {
      inclusionCriteria: [
        [{ termCodes: [{ system: 'http://loinc.org', code: '4548-4' }], futureField: { kept: true } }],
      ],
    },
    queryHash: 'c'.repeat(64),
    sites: [
      { siteId: 'site-a', name: 'Uniklinik A', pseudonym: 'Site 2' },
      { siteId: 'site-b', name: 'Uniklinik B', pseudonym: 'Site 1' },
    ],
    status: 'running',
    createdAt: '2026-03-02T09:00:00.000Z',
    expiresAt: '2026-03-02T09:01:00.000Z',
    dispatchedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

const count = (n: number): SiteAnswer => ({
  status: 'answered',
  result: { kind: 'count', protectedCount: n },
  dataVersion: 'v7',
});

describe.each(testDatabaseKinds())('QueriesRepository on %s', (kind) => {
  let test: TestDatabase;
  let db: BrokerDatabase;
  let repository: QueriesRepository;

  beforeEach(async () => {
    test = await createTestDatabase(kind);
    db = await openBrokerDatabase(test.target);
    repository = new QueriesRepository(db);
  });

  afterEach(async () => {
    await db.destroy();
    await test.drop();
  });

  it('stores a query and reads it back, unknown CCDL properties included', async () => {
    const query = aQuery();
    await repository.insertQuery(query);
    expect(await repository.findQuery(query.id)).toEqual(query);
    expect(await repository.findQuery(randomUUID())).toBeNull();
  });

  it('reads a query without its criteria, and its status as it changes', async () => {
    const { query: _criteria, ...header } = aQuery();
    await repository.insertQuery({ ...header, query: _criteria });
    expect(await repository.findQueryHeader(header.id)).toEqual(header);
    await repository.expireQuery(header.id, '2026-03-02T09:01:00.000Z');
    expect(await repository.findQueryHeader(header.id)).toMatchObject({ status: 'expired' });
    expect(await repository.findQueryHeader(randomUUID())).toBeNull();
  });

  it('reads the header of a running query as its own writes left it: dispatched, completed', async () => {
    const query = aQuery({ sites: [{ siteId: 'site-a', name: 'A', pseudonym: 'Site 1' }] });
    await repository.insertQuery(query);
    await repository.markDispatched(query.id, '2026-03-02T09:00:01.000Z');
    expect(await repository.findQueryHeader(query.id)).toMatchObject({
      status: 'running',
      dispatchedAt: '2026-03-02T09:00:01.000Z',
    });
    await repository.recordSiteResult(query.id, 'site-a', count(30), '2026-03-02T09:00:02.000Z');
    expect(await repository.findQueryHeader(query.id)).toMatchObject({
      status: 'completed',
      finishedAt: '2026-03-02T09:00:02.000Z',
    });
    // A repository that did not write the query (a restarted broker) reads the same from the database.
    expect(await new QueriesRepository(db).findQueryHeader(query.id)).toEqual(
      await repository.findQueryHeader(query.id),
    );
  });

  it('lists only the results stored after a given one', async () => {
    const query = aQuery();
    await repository.insertQuery(query);
    await repository.recordSiteResult(query.id, 'site-a', count(30), '2026-03-02T09:00:02.000Z');
    const [first] = await repository.listSiteResults(query.id);
    expect(await repository.listSiteResults(query.id, first.seq)).toEqual([]);
    await repository.recordSiteResult(query.id, 'site-b', count(40), '2026-03-02T09:00:03.000Z');
    expect((await repository.listSiteResults(query.id, first.seq)).map((result) => result.siteId)).toEqual(['site-b']);
  });

  it('keeps queries and results when the database is opened again, migrations and all', async () => {
    const query = aQuery();
    await repository.insertQuery(query);
    await repository.recordSiteResult(query.id, 'site-a', count(30), '2026-03-02T09:00:02.000Z');
    await db.destroy();
    db = await openBrokerDatabase(test.target);
    repository = new QueriesRepository(db);
    expect(await repository.findQuery(query.id)).toEqual(query);
    expect(await repository.listSiteResults(query.id)).toMatchObject([{ siteId: 'site-a', answer: count(30) }]);
  });

  it("lists a requester's queries newest first, a page at a time after the previous page's last entry", async () => {
    const ids: string[] = [];
    for (let minute = 0; minute < 5; minute++) {
      const query = aQuery({ createdAt: `2026-03-02T09:0${minute}:00.000Z` });
      ids.push(query.id);
      await repository.insertQuery(query);
    }
    await repository.insertQuery(aQuery({ requesterId: 'bob' }));
    const first = await repository.listQueries({ requesterId: 'alice' }, 2);
    expect(first.map((query) => query.id)).toEqual([ids[4], ids[3]]);
    const before = { createdAt: first[1].createdAt, id: first[1].id };
    const second = await repository.listQueries({ requesterId: 'alice', before }, 2);
    expect(second.map((query) => query.id)).toEqual([ids[2], ids[1]]);
    expect(await repository.listQueries({}, 10)).toHaveLength(6);
  });

  it('pages through queries submitted in the same millisecond by id, none twice, none left out', async () => {
    const createdAt = '2026-03-02T09:00:00.000Z';
    const ids = Array.from({ length: 7 }, () => randomUUID());
    for (const id of ids) {
      await repository.insertQuery(aQuery({ id, createdAt }));
    }
    const seen: string[] = [];
    let before: { createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await repository.listQueries({ requesterId: 'alice', before }, 3);
      seen.push(...page.map((query) => query.id));
      if (page.length < 3) {
        break;
      }
      before = { createdAt, id: page[page.length - 1].id };
    }
    expect(seen).toEqual([...ids].sort().reverse());
  });

  it('filters the list and its count by status and by submission time', async () => {
    const old = aQuery({ createdAt: '2026-03-01T09:00:00.000Z' });
    const recent = aQuery({ createdAt: '2026-03-03T09:00:00.000Z', status: 'expired' });
    await repository.insertQuery(old);
    await repository.insertQuery(recent);
    expect((await repository.listQueries({ status: 'expired' }, 10)).map((query) => query.id)).toEqual([recent.id]);
    expect((await repository.listQueries({ status: 'running' }, 10)).map((query) => query.id)).toEqual([old.id]);
    const since = await repository.listQueries({ since: '2026-03-02T00:00:00.000Z' }, 10);
    expect(since.map((query) => query.id)).toEqual([recent.id]);
    expect(await repository.countQueries({ requesterId: 'alice', since: '2026-03-01T09:00:00.000Z' })).toBe(2);
    expect(await repository.countQueries({ requesterId: 'bob' })).toBe(0);
    expect(await repository.countQueries({ status: 'completed' })).toBe(0);
  });

  it('keeps the first result per (query, site), also when two arrive at once', async () => {
    const query = aQuery();
    await repository.insertQuery(query);
    const outcomes = await Promise.all([
      repository.recordSiteResult(query.id, 'site-a', count(30), '2026-03-02T09:00:02.000Z'),
      repository.recordSiteResult(query.id, 'site-a', count(40), '2026-03-02T09:00:02.000Z'),
    ]);
    expect(outcomes.filter((outcome) => outcome.recorded)).toHaveLength(1);
    expect(await repository.recordSiteResult(query.id, 'site-a', count(50), '2026-03-02T09:00:03.000Z')).toEqual({
      recorded: false,
    });
    const results = await repository.listSiteResults(query.id);
    expect(results).toHaveLength(1);
    expect([count(30), count(40)]).toContainEqual(results[0].answer);
  });

  it('completes the query with the last site result, once', async () => {
    const query = aQuery();
    await repository.insertQuery(query);
    expect(await repository.recordSiteResult(query.id, 'site-a', count(30), '2026-03-02T09:00:02.000Z')).toEqual({
      recorded: true,
      completed: false,
    });
    const refusal: SiteAnswer = { status: 'refused', code: 'SITE_POLICY_REFUSED', reason: 'context not allowed' };
    expect(await repository.recordSiteResult(query.id, 'site-b', refusal, '2026-03-02T09:00:03.000Z')).toEqual({
      recorded: true,
      completed: true,
    });
    expect(await repository.findQuery(query.id)).toMatchObject({
      status: 'completed',
      finishedAt: '2026-03-02T09:00:03.000Z',
    });
    expect((await repository.listSiteResults(query.id)).map((result) => result.answer)).toEqual([count(30), refusal]);
  });

  it('completes a query exactly once when its last two sites answer at the same moment', async () => {
    // Many queries at once give concurrent transactions a real chance to interleave.
    const queries = Array.from({ length: 20 }, () => aQuery());
    for (const query of queries) {
      await repository.insertQuery(query);
    }
    const outcomes = await Promise.all(
      queries.flatMap((query) =>
        ['site-a', 'site-b'].map((siteId) =>
          repository.recordSiteResult(query.id, siteId, count(30), '2026-03-02T09:00:02.000Z'),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.recorded && outcome.completed)).toHaveLength(queries.length);
    const statuses = await Promise.all(queries.map(async (query) => (await repository.findQuery(query.id))?.status));
    expect(statuses.every((status) => status === 'completed')).toBe(true);
  });

  it('round-trips every kind of answer', async () => {
    const query = aQuery({
      sites: ['a', 'b', 'c', 'd', 'e'].map((s, i) => ({ siteId: `site-${s}`, name: s, pseudonym: `Site ${i + 1}` })),
    });
    await repository.insertQuery(query);
    const answers: SiteAnswer[] = [
      count(0),
      { status: 'answered', result: { kind: 'below-threshold', threshold: 10 }, dataVersion: 'v1' },
      { status: 'refused', code: 'SITE_POLICY_REFUSED', reason: 'no' },
      { status: 'failed', code: 'SITE_EVALUATION_FAILED', reason: 'disk' },
      { status: 'expired' },
    ];
    for (const [index, answer] of answers.entries()) {
      await repository.recordSiteResult(query.id, query.sites[index].siteId, answer, '2026-03-02T09:00:02.000Z');
    }
    expect((await repository.listSiteResults(query.id)).map((result) => result.answer)).toEqual(answers);
  });

  it('expires a running query: every site without a result becomes expired, by the broker', async () => {
    const query = aQuery();
    await repository.insertQuery(query);
    await repository.recordSiteResult(query.id, 'site-a', count(30), '2026-03-02T09:00:02.000Z');
    expect(await repository.expireQuery(query.id, '2026-03-02T09:01:00.000Z')).toBe(true);
    expect(await repository.expireQuery(query.id, '2026-03-02T09:02:00.000Z')).toBe(false);
    expect(await repository.findQuery(query.id)).toMatchObject({
      status: 'expired',
      finishedAt: '2026-03-02T09:01:00.000Z',
    });
    expect((await repository.listSiteResults(query.id)).map((r) => [r.siteId, r.origin, r.answer.status])).toEqual([
      ['site-a', 'site', 'answered'],
      ['site-b', 'broker', 'expired'],
    ]);
    // The broker's expiry is a result like any other: a late answer does not replace it.
    expect(await repository.recordSiteResult(query.id, 'site-b', count(40), '2026-03-02T09:01:01.000Z')).toEqual({
      recorded: false,
    });
  });

  it('does not expire a completed query', async () => {
    const query = aQuery({ sites: [{ siteId: 'site-a', name: 'A', pseudonym: 'Site 1' }] });
    await repository.insertQuery(query);
    await repository.recordSiteResult(query.id, 'site-a', count(30), '2026-03-02T09:00:02.000Z');
    expect(await repository.expireQuery(query.id, '2026-03-02T09:01:00.000Z')).toBe(false);
    expect((await repository.findQuery(query.id))?.status).toBe('completed');
  });

  it('lists running queries and the results of several queries at once', async () => {
    const running = aQuery();
    const finished = aQuery({ status: 'completed', finishedAt: '2026-03-02T09:00:30.000Z' });
    await repository.insertQuery(running);
    await repository.insertQuery(finished);
    await repository.markDispatched(running.id, '2026-03-02T09:00:01.000Z');
    expect((await repository.listRunningQueries()).map((query) => [query.id, query.dispatchedAt])).toEqual([
      [running.id, '2026-03-02T09:00:01.000Z'],
    ]);
    await repository.recordSiteResult(finished.id, 'site-b', count(5), '2026-03-02T09:00:02.000Z');
    const byQuery = await repository.listSiteResultsOf([running.id, finished.id]);
    expect(byQuery.get(running.id)).toEqual([]);
    expect(byQuery.get(finished.id)?.map((result) => result.siteId)).toEqual(['site-b']);
  });
});

describe.each(testDatabaseKinds())('BrokerSecretsRepository on %s', (kind) => {
  it('creates a secret once and returns the same one afterwards, also after reopening', async () => {
    const test = await createTestDatabase(kind);
    try {
      let db = await openBrokerDatabase(test.target);
      const first = await new BrokerSecretsRepository(db).getOrCreate('key', () => 'one');
      expect(await new BrokerSecretsRepository(db).getOrCreate('key', () => 'two')).toBe(first);
      await db.destroy();
      db = await openBrokerDatabase(test.target);
      expect(await new BrokerSecretsRepository(db).getOrCreate('key', () => 'three')).toBe('one');
      await db.destroy();
    } finally {
      await test.drop();
    }
  });
});
