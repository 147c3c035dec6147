import { ProblemDetails, QuotaUsage } from '@fq/contracts';
import request from 'supertest';
import { FEMALE_QUERY, ManualClock, startTestBroker, type TestBroker } from '../__fixtures__/test-broker';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../persistence/__fixtures__/test-databases';

const QUOTAS = {
  BROKER_QUOTA_SOFT_AMOUNT: '3',
  BROKER_QUOTA_SOFT_INTERVAL_SECONDS: '60',
  BROKER_QUOTA_HARD_AMOUNT: '5',
  BROKER_QUOTA_HARD_INTERVAL_SECONDS: '604800',
  BROKER_QUOTA_POLL_INTERVAL_SECONDS: '10',
};

describe.each(testDatabaseKinds())('quotas on %s', (kind) => {
  let db: TestDatabase;
  let broker: TestBroker;
  let clock: ManualClock;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    clock = new ManualClock();
    broker = await startTestBroker({ ...db.env, ...QUOTAS }, { clock });
  });

  afterEach(async () => {
    await broker.close();
    await db.drop();
  });

  const submit = async (who = 'alice', role: 'researcher' | 'power-user' | 'admin' = 'researcher') =>
    request(broker.url)
      .post('/api/v1/queries')
      .set(await broker.as(who, role))
      .send(FEMALE_QUERY);
  const quota = async (who = 'alice') =>
    QuotaUsage.parse(
      (
        await request(broker.url)
          .get('/api/v1/quota')
          .set(await broker.as(who))
          .expect(200)
      ).body,
    );

  it('answers the fourth query within a minute with 429 and Retry-After until the oldest leaves the window', async () => {
    for (const step of [0, 10_000, 10_000]) {
      clock.advance(step);
      expect((await submit()).status).toBe(201);
    }
    const refused = await submit();
    expect(refused.status).toBe(429);
    expect(ProblemDetails.parse(refused.body).code).toBe('BROKER_QUOTA_EXCEEDED');
    expect(refused.headers['retry-after']).toBe('40');
    expect(await quota()).toMatchObject({ soft: { amount: 3, used: 3, nextSlotAt: '2026-03-02T09:01:00.000Z' } });
    clock.advance(40_000);
    expect((await submit()).status).toBe(201);
    expect((await submit('bob')).status).toBe(201);
  });

  it('blacklists a researcher past the hard limit until an admin lifts it, and not again at once', async () => {
    for (let i = 0; i < 5; i++) {
      clock.advance(61_000);
      expect((await submit()).status).toBe(201);
    }
    clock.advance(61_000);
    const refused = await submit();
    expect(refused.status).toBe(403);
    expect(ProblemDetails.parse(refused.body).code).toBe('BROKER_USER_BLACKLISTED');
    clock.advance(61_000);
    expect((await submit()).status).toBe(403);
    expect(await quota()).toMatchObject({ blacklisted: true, hard: { amount: 5, used: 5 } });
    const admin = await broker.as('root', 'admin');
    const listed = await request(broker.url).get('/api/v1/admin/blacklist').set(admin).expect(200);
    expect(listed.body).toEqual([{ userId: 'alice', blacklistedAt: '2026-03-02T09:06:06.000Z' }]);

    await request(broker.url).delete('/api/v1/admin/blacklist/alice').set(admin).expect(204);
    await request(broker.url).delete('/api/v1/admin/blacklist/alice').set(admin).expect(404);
    expect((await submit()).status).toBe(201);
    expect(await quota()).toMatchObject({ blacklisted: false, hard: { used: 1 } });
  });

  it('exempts power users from the hard limit and admins from every limit', async () => {
    for (let i = 0; i < 7; i++) {
      clock.advance(61_000);
      expect((await submit('pat', 'power-user')).status).toBe(201);
    }
    for (let i = 0; i < 8; i++) {
      expect((await submit('root', 'admin')).status).toBe(201);
    }
  });

  it('keeps usage and blacklist across a restart', async () => {
    for (let i = 0; i < 5; i++) {
      clock.advance(61_000);
      await submit();
    }
    clock.advance(61_000);
    expect((await submit()).status).toBe(403);
    await broker.close();
    broker = await startTestBroker({ ...db.env, ...QUOTAS }, { clock });
    expect((await submit()).status).toBe(403);
    expect(await quota()).toMatchObject({ blacklisted: true, hard: { used: 5 } });
  });

  it('answers a second read of the same result within the polling interval with 429', async () => {
    const { id } = (await submit()).body as { id: string };
    const auth = await broker.as('alice');
    await request(broker.url).get(`/api/v1/queries/${id}`).set(auth).expect(200);
    const again = await request(broker.url).get(`/api/v1/queries/${id}`).set(auth).expect(429);
    expect(ProblemDetails.parse(again.body).code).toBe('BROKER_POLLING_LIMIT_EXCEEDED');
    expect(again.headers['retry-after']).toBe('10');
    clock.advance(10_000);
    await request(broker.url).get(`/api/v1/queries/${id}`).set(auth).expect(200);
  });

  it('keeps the polling limit across a restart', async () => {
    const { id } = (await submit()).body as { id: string };
    await request(broker.url)
      .get(`/api/v1/queries/${id}`)
      .set(await broker.as('alice'))
      .expect(200);
    await broker.close();
    clock.advance(4_000);
    broker = await startTestBroker({ ...db.env, ...QUOTAS }, { clock });
    const auth = await broker.as('alice');
    const again = await request(broker.url).get(`/api/v1/queries/${id}`).set(auth).expect(429);
    expect(ProblemDetails.parse(again.body).code).toBe('BROKER_POLLING_LIMIT_EXCEEDED');
    expect(again.headers['retry-after']).toBe('6');
    clock.advance(6_000);
    await request(broker.url).get(`/api/v1/queries/${id}`).set(auth).expect(200);
  });

  it('limits each user and query on its own, and never an admin', async () => {
    const first = (await submit()).body as { id: string };
    clock.advance(1_000);
    const second = (await submit()).body as { id: string };
    const alice = await broker.as('alice');
    const root = await broker.as('root', 'admin');
    await request(broker.url).get(`/api/v1/queries/${first.id}`).set(alice).expect(200);
    await request(broker.url).get(`/api/v1/queries/${second.id}`).set(alice).expect(200);
    for (let i = 0; i < 3; i++) {
      await request(broker.url).get(`/api/v1/queries/${first.id}`).set(root).expect(200);
    }
    await request(broker.url).get(`/api/v1/queries/${second.id}`).set(alice).expect(429);
    expect(await quota()).toMatchObject({ pollIntervalSeconds: 10 });
  });

  it('counts no quota for rejected bodies', async () => {
    for (const body of ['{', '[]', JSON.stringify({ inclusionCriteria: 'x' })]) {
      const response = await request(broker.url)
        .post('/api/v1/queries')
        .set(await broker.as('alice'))
        .set('Content-Type', 'application/json')
        .send(body);
      expect(response.status).toBe(400);
    }
    expect(await quota()).toMatchObject({ soft: { used: 0 }, hard: { used: 0 } });
  });
});
