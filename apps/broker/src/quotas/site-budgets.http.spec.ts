import { type BudgetReport, QuotaUsage, type ResultPayload, SubmitQueryResponse } from '@fq/contracts';
import request from 'supertest';
import { answered, FEMALE_QUERY, startTestBroker, type TestBroker } from '../__fixtures__/test-broker';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../persistence/__fixtures__/test-databases';
import { QueryResultsService } from '../queries/query-results.service';

const BUDGET = { remaining: 48, limit: 50, windowDays: 7, resetsAt: '2026-03-09T08:00:00.000Z' };

/** A site's answer with its budget report. */
function answeredWith(queryId: string, siteId: string, queryHash: string, budget: BudgetReport): ResultPayload {
  const payload = answered(queryId, siteId, queryHash, 30);
  if (payload.status !== 'answered') {
    throw new Error('the fixture answers');
  }
  return { ...payload, budget };
}

describe.each(testDatabaseKinds())('GET /api/v1/quota with site privacy budgets on %s', (kind) => {
  let db: TestDatabase;
  let broker: TestBroker;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    broker = await startTestBroker(db.env);
  });

  afterEach(async () => {
    await broker.close();
    await db.drop();
  });

  async function submit(who: string): Promise<{ id: string; hash: string }> {
    const response = await request(broker.url)
      .post('/api/v1/queries')
      .set(await broker.as(who))
      .send(FEMALE_QUERY)
      .expect(201);
    const { id } = SubmitQueryResponse.parse(response.body);
    return { id, hash: broker.transport.published.at(-1)?.envelope.payload.queryHash ?? '' };
  }

  async function quota(who: string, role: 'researcher' | 'admin' = 'researcher'): Promise<QuotaUsage> {
    const response = await request(broker.url)
      .get('/api/v1/quota')
      .set(await broker.as(who, role))
      .expect(200);
    return QuotaUsage.parse(response.body);
  }

  const record = (result: ResultPayload, at: string) =>
    broker.app.get(QueryResultsService).record(result, new Date(at));

  it('shows nothing for sites that have not reported a budget', async () => {
    const { id, hash } = await submit('alice');
    await record(answered(id, 'site-a', hash, 30), '2026-03-02T09:00:01.000Z');
    expect((await quota('alice')).siteBudgets).toEqual([]);
  });

  it('shows the latest budget each site reported to the caller, and only to that caller', async () => {
    const first = await submit('alice');
    await record(answeredWith(first.id, 'site-a', first.hash, BUDGET), '2026-03-02T09:00:02.000Z');
    await record(
      {
        status: 'refused',
        queryId: first.id,
        siteId: 'site-b',
        code: 'SITE_PRIVACY_BUDGET_EXHAUSTED',
        reason: 'privacy budget at this site exhausted until 2026-03-05T10:00:00.000Z',
        budget: { remaining: 0, limit: 50, windowDays: 7, resetsAt: '2026-03-05T10:00:00.000Z' },
      },
      '2026-03-02T09:00:03.000Z',
    );
    const second = await submit('alice');
    await record(
      answeredWith(second.id, 'site-a', second.hash, { ...BUDGET, remaining: 47 }),
      '2026-03-02T09:00:05.000Z',
    );
    // A result of an earlier query that arrives late does not undo a newer report.
    await record(
      answeredWith(first.id, 'site-c', first.hash, { ...BUDGET, remaining: 40 }),
      '2026-03-02T09:00:06.000Z',
    );

    const usage = await quota('alice');
    expect(usage.siteBudgets).toEqual([
      { siteId: 'site-a', name: 'Uniklinik A', ...BUDGET, remaining: 47, reportedAt: '2026-03-02T09:00:05.000Z' },
      {
        siteId: 'site-b',
        name: 'Uniklinik B',
        remaining: 0,
        limit: 50,
        windowDays: 7,
        resetsAt: '2026-03-05T10:00:00.000Z',
        reportedAt: '2026-03-02T09:00:03.000Z',
      },
      { siteId: 'site-c', name: 'Uniklinik C', ...BUDGET, remaining: 40, reportedAt: '2026-03-02T09:00:06.000Z' },
    ]);
    expect(usage).toMatchObject({ userId: 'alice', hard: { used: 2 } });
    expect((await quota('bob')).siteBudgets).toEqual([]);
  });

  it('keeps the newer of two reports of one site however they arrive', async () => {
    const results = broker.app.get(QueryResultsService);
    const first = await submit('carol');
    const second = await submit('carol');
    await results.record(
      answeredWith(second.id, 'site-a', second.hash, { ...BUDGET, remaining: 10 }),
      new Date('2026-03-02T09:00:09.000Z'),
    );
    await results.record(
      answeredWith(first.id, 'site-a', first.hash, { ...BUDGET, remaining: 11 }),
      new Date('2026-03-02T09:00:08.000Z'),
    );
    expect((await quota('carol')).siteBudgets).toMatchObject([{ siteId: 'site-a', remaining: 10 }]);
  });

  it('shows an admin their own budgets too: sites budget every role alike', async () => {
    const response = await request(broker.url)
      .post('/api/v1/queries')
      .set(await broker.as('root', 'admin'))
      .send(FEMALE_QUERY)
      .expect(201);
    const { id } = SubmitQueryResponse.parse(response.body);
    const hash = broker.transport.published.at(-1)?.envelope.payload.queryHash ?? '';
    await record(answeredWith(id, 'site-a', hash, BUDGET), '2026-03-02T09:00:02.000Z');
    expect((await quota('root', 'admin')).siteBudgets).toMatchObject([{ siteId: 'site-a', remaining: 48 }]);
  });
});
