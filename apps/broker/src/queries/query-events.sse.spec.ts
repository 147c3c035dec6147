import { QueryResult, QueryResultUpdate, SiteResultEvent } from '@fq/contracts';
import request from 'supertest';
import { openEventStream, waitFor } from '@fq/process-kit';
import { answered, startTestBroker, submitFemaleQuery, type TestBroker } from '../__fixtures__/test-broker';
import { createTestDatabase, type TestDatabase } from '../persistence/__fixtures__/test-databases';
import { QueryDeadlinesService } from './query-deadlines.service';

let db: TestDatabase;
let broker: TestBroker;

beforeEach(async () => {
  db = await createTestDatabase('sqlite');
  broker = await startTestBroker({ ...db.env, BROKER_THRESHOLD_RESULTS: '0', BROKER_THRESHOLD_SITES: '0' });
});

afterEach(async () => {
  await broker.close();
  await db.drop();
});

const answer = (id: string, hash: string, site: 'site-a' | 'site-b' | 'site-c', count: number) =>
  broker.transport.deliver(answered(id, site, hash, count), broker.clock.now());

/** The female query, answered by the three sites with 30, 40 and 50 (a total of 120): completed. */
async function completedQuery(): Promise<{ id: string; hash: string }> {
  const submitted = await submitFemaleQuery(broker);
  await answer(submitted.id, submitted.hash, 'site-a', 30);
  await answer(submitted.id, submitted.hash, 'site-b', 40);
  await answer(submitted.id, submitted.hash, 'site-c', 50);
  return submitted;
}

describe('GET /api/v1/queries/{id}/events', () => {
  it('sends a site-result per answer as it happens, then completed, then closes', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    const stream = await openEventStream(`${broker.url}/api/v1/queries/${id}/events`, await broker.as('alice'));
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toMatch(/^text\/event-stream/);
    await answer(id, hash, 'site-b', 40);
    await waitFor(() => stream.events.length === 1, 'the first site-result');
    await answer(id, hash, 'site-a', 30);
    await answer(id, hash, 'site-c', 50);
    const events = await stream.ended;
    expect(events.map((event) => [event.id, event.event])).toEqual([
      ['1', 'site-result'],
      ['2', 'site-result'],
      ['3', 'site-result'],
      ['4', 'completed'],
    ]);
    const first = SiteResultEvent.parse(JSON.parse(events[0].data));
    expect(first).toMatchObject({ status: 'answered', result: { total: 40, reportedSites: 1, status: 'running' } });
    expect(first.site).toMatch(/^Site [123]$/);
    expect(QueryResultUpdate.parse(JSON.parse(events[3].data))).toMatchObject({ status: 'completed', total: 120 });
  });

  it('carries the changed result without repeating the query, which GET still shows', async () => {
    const { id } = await completedQuery();
    const events = await (
      await openEventStream(`${broker.url}/api/v1/queries/${id}/events`, await broker.as('alice'))
    ).ended;
    expect(events).toHaveLength(4);
    for (const event of events) {
      expect(event.data).not.toMatch(/inclusionCriteria|termCodes|"query"/);
    }
    const read = await request(broker.url)
      .get(`/api/v1/queries/${id}`)
      .set(await broker.as('alice'))
      .expect(200);
    const { query, ...update } = QueryResult.parse(read.body);
    expect(query.inclusionCriteria).toHaveLength(1);
    expect(QueryResultUpdate.parse(JSON.parse(events[3].data))).toEqual(update);
  });

  it('gives a late subscriber the events that already happened, then closes', async () => {
    const { id } = await completedQuery();
    const events = await (
      await openEventStream(`${broker.url}/api/v1/queries/${id}/events`, await broker.as('alice'))
    ).ended;
    expect(events.map((event) => event.event)).toEqual(['site-result', 'site-result', 'site-result', 'completed']);
    expect(events.map((event) => SiteResultEvent.safeParse(JSON.parse(event.data)).data?.result.total)).toEqual([
      30,
      70,
      120,
      undefined,
    ]);
  });

  it('replays a running query, then continues live', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    await answer(id, hash, 'site-a', 30);
    const stream = await openEventStream(`${broker.url}/api/v1/queries/${id}/events`, await broker.as('alice'));
    await waitFor(() => stream.events.length === 1, 'the replayed site-result');
    await answer(id, hash, 'site-b', 40);
    await answer(id, hash, 'site-c', 50);
    expect((await stream.ended).map((event) => event.id)).toEqual(['1', '2', '3', '4']);
  });

  it('resumes after Last-Event-ID', async () => {
    const { id } = await completedQuery();
    const stream = await openEventStream(`${broker.url}/api/v1/queries/${id}/events`, {
      ...(await broker.as('alice')),
      'Last-Event-ID': '2',
    });
    expect((await stream.ended).map((event) => [event.id, event.event])).toEqual([
      ['3', 'site-result'],
      ['4', 'completed'],
    ]);
  });

  it('ends with expired when the deadline passes before every site answered', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    const stream = await openEventStream(`${broker.url}/api/v1/queries/${id}/events`, await broker.as('alice'));
    await answer(id, hash, 'site-a', 30);
    await waitFor(() => stream.events.length === 1, 'the site-result');
    broker.clock.advance(60_000);
    await broker.app.get(QueryDeadlinesService).expireOverdue();
    const events = await stream.ended;
    expect(events.map((event) => event.event)).toEqual(['site-result', 'expired']);
    const final = QueryResultUpdate.parse(JSON.parse(events[1].data));
    expect(final.status).toBe('expired');
    expect(final.sites.map((site) => site.status).sort()).toEqual(['answered', 'expired', 'expired']);
  });

  it('carries no counts while the final result might hide the breakdown (FDPG thresholds)', async () => {
    await broker.close();
    broker = await startTestBroker(db.env);
    const { id, hash } = await submitFemaleQuery(broker);
    const stream = await openEventStream(`${broker.url}/api/v1/queries/${id}/events`, await broker.as('alice'));
    // The red team's case: 50, 10 and 20 make a shown total of 80 and a hidden breakdown.
    await answer(id, hash, 'site-b', 50);
    await waitFor(() => stream.events.length === 1, 'the first site-result');
    const read = await request(broker.url)
      .get(`/api/v1/queries/${id}`)
      .set(await broker.as('alice'))
      .expect(200);
    await answer(id, hash, 'site-a', 10);
    await answer(id, hash, 'site-c', 20);
    const events = await stream.ended;
    const running = events.slice(0, 2).map((event) => SiteResultEvent.parse(JSON.parse(event.data)));
    for (const view of [...running.map((event) => event.result), QueryResult.parse(read.body)]) {
      expect(view).toMatchObject({ status: 'running', total: null, totalHidden: 'query-running' });
      expect(view.sites.every((site) => site.count === null)).toBe(true);
    }
    expect(running.map((event) => event.result.reportedSites)).toEqual([1, 2]);
    expect(QueryResultUpdate.parse(JSON.parse(events[3].data))).toMatchObject({
      status: 'completed',
      total: 80,
      breakdownHidden: 'too-few-sites-above-threshold',
    });
  });

  it('closes open streams when the broker shuts down', async () => {
    const { id } = await submitFemaleQuery(broker);
    const stream = await openEventStream(`${broker.url}/api/v1/queries/${id}/events`, await broker.as('alice'));
    await broker.close();
    // Ended or cut off: either way the client learns at once and an EventSource reconnects with Last-Event-ID.
    await expect(
      stream.ended.then(
        () => 'closed',
        () => 'closed',
      ),
    ).resolves.toBe('closed');
    broker = await startTestBroker(db.env);
  });
});
