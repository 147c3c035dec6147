import { DEFAULT_MAX_CRITERIA, HeartbeatPayload, ProblemDetails, QueryList, QuotaLimit } from '@fq/contracts';
import request from 'supertest';
import { z } from 'zod';
import { FEMALE_QUERY, startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';

// The two counters of GET /api/v1/quota this suite reads.
const QuotaCounts = z.looseObject({ soft: QuotaLimit, hard: QuotaLimit });

/** A query with `count` criteria, all alternatives of one inclusion group (as sites count them: each one). */
function queryWithCriteria(count: number): object {
  const [[first]] = FEMALE_QUERY.inclusionCriteria;
  return {
    ...FEMALE_QUERY,
    inclusionCriteria: [
      Array.from({ length: count }, (_, i) => ({ ...first, termCodes: [{ ...first.termCodes[0], code: `10${i}` }] })),
    ],
  };
}

describe('the criteria limit', () => {
  let broker: TestBroker;

  beforeEach(async () => {
    // Quotas on, so that a slot spent would show.
    broker = await startSqliteTestBroker({
      BROKER_QUOTA_SOFT_AMOUNT: '100',
      BROKER_QUOTA_HARD_AMOUNT: '100',
    });
  });

  afterEach(async () => {
    await broker.close();
  });

  function heartbeat(siteId: string, maxCriteria: number, at = broker.clock.now()): void {
    broker.transport.handlers?.onHeartbeat(
      {
        siteId,
        agentVersion: '0.1.0',
        dataVersion: 'd1',
        dataLoadedAt: '2026-03-01T22:00:00.000Z',
        state: 'ready',
        maxCriteria,
      },
      at,
    );
  }

  const submit = async (body: object) =>
    request(broker.url)
      .post('/api/v1/queries')
      .set(await broker.as('alice'))
      .send(body);

  /** What alice has spent: stored queries (what the quotas count) and the quota view. */
  async function spent(): Promise<{ stored: number; soft: number; hard: number }> {
    const list = QueryList.parse(
      (
        await request(broker.url)
          .get('/api/v1/queries')
          .set(await broker.as('alice'))
          .expect(200)
      ).body,
    );
    const quota = QuotaCounts.parse(
      (
        await request(broker.url)
          .get('/api/v1/quota')
          .set(await broker.as('alice'))
          .expect(200)
      ).body,
    );
    return { stored: list.totalItems, soft: quota.soft.used, hard: quota.hard.used };
  }

  it('is the same shared default at the broker and at every site', () => {
    expect(DEFAULT_MAX_CRITERIA).toBe(50);
    expect(broker.config.requestLimits.maxCriteria).toBe(DEFAULT_MAX_CRITERIA);
  });

  it('refuses a query above the default with 400 before any site refuses it, and spends no quota', async () => {
    const response = await submit(queryWithCriteria(60));
    expect(response.status).toBe(400);
    expect(ProblemDetails.parse(response.body)).toMatchObject({
      code: 'BROKER_QUERY_TOO_COMPLEX',
      issues: [expect.objectContaining({ code: 'BROKER_QUERY_TOO_MANY_CRITERIA' })],
    });
    expect(broker.transport.published).toEqual([]);
    expect(await spent()).toEqual({ stored: 0, soft: 0, hard: 0 });
  });

  it('refuses a query above the smallest limit a registered site advertised, with 400 and no quota spent', async () => {
    heartbeat('site-a', 40);
    heartbeat('site-b', 12);
    heartbeat('site-c', 45);
    const response = await submit(queryWithCriteria(13));
    expect(response.status).toBe(400);
    const problem = ProblemDetails.parse(response.body);
    expect(problem).toMatchObject({
      code: 'BROKER_QUERY_ABOVE_SITE_LIMIT',
      issues: [{ path: '$.inclusionCriteria[0][12]', code: 'BROKER_QUERY_TOO_MANY_CRITERIA' }],
    });
    expect(problem.issues?.[0].message).toBe('the query has 13 criteria; at most 12 are allowed');
    // The researcher learns the limit, not which hospital set it.
    expect(JSON.stringify(problem)).not.toMatch(/site-b|Uniklinik B/);
    expect(broker.transport.published).toEqual([]);
    expect(await spent()).toEqual({ stored: 0, soft: 0, hard: 0 });

    expect((await submit(queryWithCriteria(12))).status).toBe(201);
    expect(await spent()).toEqual({ stored: 1, soft: 1, hard: 1 });
  });

  it('follows the newest heartbeat of each site', async () => {
    const earlier = broker.clock.now();
    broker.clock.advance(10_000);
    heartbeat('site-b', 12);
    heartbeat('site-b', 30, earlier);
    expect((await submit(queryWithCriteria(20))).status).toBe(400);
    broker.clock.advance(10_000);
    heartbeat('site-b', 30);
    expect((await submit(queryWithCriteria(20))).status).toBe(201);
  });

  it('takes a heartbeat of a site that advertises no limit (an agent older than the broker) as no limit', async () => {
    heartbeat('site-a', 12);
    broker.transport.handlers?.onHeartbeat(
      HeartbeatPayload.parse({
        siteId: 'site-a',
        agentVersion: '0.0.9',
        dataVersion: 'd1',
        dataLoadedAt: '2026-03-01T22:00:00.000Z',
        state: 'ready',
      }),
      new Date(broker.clock.now().getTime() + 1000),
    );
    expect((await submit(queryWithCriteria(20))).status).toBe(201);
  });

  it('never lets an advertised limit raise the broker’s own', async () => {
    heartbeat('site-a', 500);
    heartbeat('site-b', 500);
    heartbeat('site-c', 500);
    const response = await submit(queryWithCriteria(DEFAULT_MAX_CRITERIA + 1));
    expect(ProblemDetails.parse(response.body).code).toBe('BROKER_QUERY_TOO_COMPLEX');
  });
});
