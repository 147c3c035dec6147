import { QueryResult } from '@fq/contracts';
import request from 'supertest';
import { waitFor } from '@fq/process-kit';
import {
  answered,
  InMemoryBrokerTransport,
  ManualClock,
  startTestBroker,
  submitFemaleQuery,
  type TestBroker,
} from '../__fixtures__/test-broker';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../persistence/__fixtures__/test-databases';
import { QueryDeadlinesService } from './query-deadlines.service';
import { QueryResultsService } from './query-results.service';

// Thresholds off: these tests are about collection, not display.
const OPEN = { BROKER_THRESHOLD_RESULTS: '0', BROKER_THRESHOLD_SITES: '0' };

describe.each(testDatabaseKinds())('collecting results on %s', (kind) => {
  let db: TestDatabase;
  let broker: TestBroker;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    broker = await startTestBroker({ ...db.env, ...OPEN });
  });

  afterEach(async () => {
    await broker.close();
    await db.drop();
  });

  async function view(id: string, on: TestBroker = broker): Promise<QueryResult> {
    const response = await request(on.url)
      .get(`/api/v1/queries/${id}`)
      .set(await on.as('operator', 'admin'))
      .expect(200);
    return QueryResult.parse(response.body);
  }

  const statusOf = (result: QueryResult, siteId: string) => result.sites.find((site) => site.siteId === siteId);

  it('keeps the first result per site and ignores a re-sent one', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    const results = broker.app.get(QueryResultsService);
    expect(await results.record(answered(id, 'site-a', hash, 30), broker.clock.now())).toBe('recorded');
    expect(await results.record(answered(id, 'site-a', hash, 990), broker.clock.now())).toBe('duplicate');
    expect(statusOf(await view(id), 'site-a')).toMatchObject({ status: 'answered', count: 30 });
  });

  it('completes the query when the last site answers', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    const results = broker.app.get(QueryResultsService);
    await results.record(answered(id, 'site-a', hash, 30), broker.clock.now());
    await results.record(
      { status: 'refused', queryId: id, siteId: 'site-b', code: 'SITE_POLICY_REFUSED', reason: 'too many criteria' },
      broker.clock.now(),
    );
    expect((await view(id)).status).toBe('running');
    expect(await results.record({ status: 'expired', queryId: id, siteId: 'site-c' }, broker.clock.now())).toBe(
      'completed',
    );
    const done = await view(id);
    expect(done).toMatchObject({
      status: 'completed',
      total: 30,
      reportedSites: 3,
      finishedAt: '2026-03-02T09:00:00.000Z',
    });
    expect(done.sites.map((site) => [site.siteId, site.status])).toEqual(
      expect.arrayContaining([
        ['site-a', 'answered'],
        ['site-b', 'refused'],
        ['site-c', 'expired'],
      ]),
    );
  });

  it('counts a result that reached the network at the deadline and drops one a millisecond later', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    const results = broker.app.get(QueryResultsService);
    const deadline = new Date('2026-03-02T09:01:00.000Z');
    expect(await results.record(answered(id, 'site-a', hash, 30), deadline)).toBe('recorded');
    expect(await results.record(answered(id, 'site-b', hash, 30), new Date(deadline.getTime() + 1))).toBe('late');
  });

  it('drops results for an unknown query, a site the query was not sent to, or another query hash', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    const results = broker.app.get(QueryResultsService);
    const now = broker.clock.now();
    expect(await results.record(answered('9b2f3c4d-1e5f-4a6b-8c7d-0e1f2a3b4c5d', 'site-a', hash, 30), now)).toBe(
      'unknown-query',
    );
    expect(await results.record(answered(id, 'site-z', hash, 30), now)).toBe('unknown-site');
    expect(await results.record(answered(id, 'site-a', 'b'.repeat(64), 30), now)).toBe('hash-mismatch');
    expect((await view(id)).reportedSites).toBe(0);
  });

  it('expires every site without an answer once the deadline passed, not before', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    await broker.transport.deliver(answered(id, 'site-a', hash, 30), broker.clock.now());
    const deadlines = broker.app.get(QueryDeadlinesService);
    broker.clock.advance(59_999);
    expect(await deadlines.expireOverdue()).toEqual([]);
    broker.clock.advance(1);
    expect(await deadlines.expireOverdue()).toEqual([id]);
    const expired = await view(id);
    expect(expired).toMatchObject({ status: 'expired', finishedAt: '2026-03-02T09:01:00.000Z', reportedSites: 1 });
    expect(statusOf(expired, 'site-a')?.status).toBe('answered');
    expect(statusOf(expired, 'site-b')?.status).toBe('expired');
    // An answer after the deadline changes nothing.
    expect(await broker.transport.deliver(answered(id, 'site-b', hash, 40), broker.clock.now())).toMatchObject({
      code: 'RESULT_LATE',
    });
  });

  it('expires a query by its own timer', async () => {
    await broker.close();
    broker = await startTestBroker({ ...db.env, ...OPEN, BROKER_QUERY_DEADLINE_SECONDS: '1' });
    const { id } = await submitFemaleQuery(broker);
    await waitFor(async () => (await view(id)).status === 'expired', 'the deadline timer');
    expect((await view(id)).sites.map((site) => site.status)).toEqual(['expired', 'expired', 'expired']);
  });

  it('expires on start-up a query whose deadline passed while the broker was down', async () => {
    const { id } = await submitFemaleQuery(broker);
    await broker.close();
    const clock = new ManualClock();
    clock.advance(120_000);
    broker = await startTestBroker({ ...db.env, ...OPEN }, { clock });
    const expired = await view(id);
    expect(expired.status).toBe('expired');
    expect(expired.sites.every((site) => site.status === 'expired')).toBe(true);
  });

  it('keeps queries, results and pseudonyms across a restart and completes the query afterwards', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    await broker.transport.deliver(answered(id, 'site-a', hash, 30), broker.clock.now());
    const before = await view(id);
    const pseudonyms = async (on: TestBroker) =>
      QueryResult.parse(
        (
          await request(on.url)
            .get(`/api/v1/queries/${id}`)
            .set(await on.as('alice'))
            .expect(200)
        ).body,
      ).sites.map((site) => `${site.site}:${site.status}`);
    const labelsBefore = await pseudonyms(broker);
    await broker.close();
    broker = await startTestBroker({ ...db.env, ...OPEN });
    expect(await view(id)).toEqual(before);
    expect(await pseudonyms(broker)).toEqual(labelsBefore);
    await broker.transport.deliver(answered(id, 'site-b', hash, 40), broker.clock.now());
    await broker.transport.deliver(answered(id, 'site-c', hash, 50), broker.clock.now());
    expect(await view(id)).toMatchObject({ status: 'completed', total: 120 });
  });

  it('sends on start-up a query that was stored but never reached the network', async () => {
    broker.transport.failPublishing = true;
    const { id } = await submitFemaleQuery(broker);
    await broker.close();
    const transport = new InMemoryBrokerTransport();
    broker = await startTestBroker({ ...db.env, ...OPEN }, { transport });
    expect(transport.published.map((p) => [p.siteId, p.envelope.payload.queryId]).sort()).toEqual([
      ['site-a', id],
      ['site-b', id],
      ['site-c', id],
    ]);
  });
});
