import { type BudgetReport, QuotaUsage, type ResultPayload, SubmitQueryResponse } from '@fq/contracts';
import request from 'supertest';
import {
  answered,
  FEMALE_QUERY,
  startTestBroker,
  submitFemaleQuery,
  type TestBroker,
} from '../__fixtures__/test-broker';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../persistence/__fixtures__/test-databases';
import { QueryDeadlinesService } from '../queries/query-deadlines.service';
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
    const { id, hash } = await submitFemaleQuery(broker, 'alice');
    await record(answered(id, 'site-a', hash, 30), '2026-03-02T09:00:01.000Z');
    expect((await quota('alice')).siteBudgets).toEqual([]);
  });

  it('shows each site’s latest report from the caller’s finished queries, and only to that caller', async () => {
    const first = await submitFemaleQuery(broker, 'alice');
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
    // While the query runs, its reports stay unread: the view must not change as each site answers.
    expect((await quota('alice')).siteBudgets).toEqual([]);
    await record(
      answeredWith(first.id, 'site-c', first.hash, { ...BUDGET, remaining: 40 }),
      '2026-03-02T09:00:04.000Z',
    );

    const finished = '2026-03-02T09:00:04.000Z';
    expect((await quota('alice', 'admin')).siteBudgets).toEqual([
      { siteId: 'site-a', name: 'Uniklinik A', ...BUDGET, reportedAt: finished },
      {
        siteId: 'site-b',
        name: 'Uniklinik B',
        remaining: 0,
        limit: 50,
        windowDays: 7,
        resetsAt: '2026-03-05T10:00:00.000Z',
        reportedAt: finished,
      },
      { siteId: 'site-c', name: 'Uniklinik C', ...BUDGET, remaining: 40, reportedAt: finished },
    ]);

    const second = await submitFemaleQuery(broker, 'alice');
    await record(
      answeredWith(second.id, 'site-a', second.hash, { ...BUDGET, remaining: 47 }),
      '2026-03-02T09:00:05.000Z',
    );
    expect((await quota('alice', 'admin')).siteBudgets.map((budget) => budget.remaining)).toEqual([48, 0, 40]);
    await record(answered(second.id, 'site-b', second.hash, 30), '2026-03-02T09:00:06.000Z');
    await record(answered(second.id, 'site-c', second.hash, 30), '2026-03-02T09:00:07.000Z');

    const usage = await quota('alice', 'admin');
    expect(usage.siteBudgets.map((budget) => [budget.siteId, budget.remaining, budget.reportedAt])).toEqual([
      ['site-a', 47, '2026-03-02T09:00:07.000Z'],
      ['site-b', 0, finished],
      ['site-c', 40, finished],
    ]);
    expect(usage).toMatchObject({ userId: 'alice', hard: { used: 2 } });
    expect((await quota('bob')).siteBudgets).toEqual([]);
  });

  it('shows a researcher the budgets without site names, fewest remaining first', async () => {
    const { id, hash } = await submitFemaleQuery(broker, 'dora');
    await record(answeredWith(id, 'site-a', hash, { ...BUDGET, remaining: 45 }), '2026-03-02T09:00:10.000Z');
    await record(answeredWith(id, 'site-b', hash, { ...BUDGET, remaining: 12 }), '2026-03-02T09:00:11.000Z');
    await record(answeredWith(id, 'site-c', hash, { ...BUDGET, remaining: 30 }), '2026-03-02T09:00:12.000Z');
    const budgets = (await quota('dora')).siteBudgets;
    expect(budgets.map((budget) => budget.remaining)).toEqual([12, 30, 45]);
    // A named budget next to a pseudonymous result would tell which pseudonym is which hospital.
    expect(JSON.stringify(budgets)).not.toMatch(/site-[abc]|Uniklinik/);
    expect((await quota('dora', 'admin')).siteBudgets.map((budget) => budget.name)).toEqual([
      'Uniklinik A',
      'Uniklinik B',
      'Uniklinik C',
    ]);
  });

  it('shows the reports of a query that expired with sites missing', async () => {
    const { id, hash } = await submitFemaleQuery(broker, 'carol');
    await record(answeredWith(id, 'site-a', hash, { ...BUDGET, remaining: 10 }), '2026-03-02T09:00:09.000Z');
    broker.clock.advance(61_000);
    await broker.app.get(QueryDeadlinesService).expireOverdue();
    expect((await quota('carol')).siteBudgets).toMatchObject([{ remaining: 10 }]);
  });

  it('shows an admin their own budgets too: sites budget every role alike', async () => {
    const response = await request(broker.url)
      .post('/api/v1/queries')
      .set(await broker.as('root', 'admin'))
      .send(FEMALE_QUERY)
      .expect(201);
    const { id } = SubmitQueryResponse.parse(response.body);
    const hash = broker.transport.published.at(-1)?.envelope.payload.queryHash ?? '';
    for (const siteId of ['site-a', 'site-b', 'site-c']) {
      await record(answeredWith(id, siteId, hash, BUDGET), '2026-03-02T09:00:02.000Z');
    }
    expect((await quota('root', 'admin')).siteBudgets).toMatchObject([
      { siteId: 'site-a', remaining: 48 },
      { siteId: 'site-b' },
      { siteId: 'site-c' },
    ]);
  });
});
