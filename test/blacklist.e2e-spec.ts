import { BlacklistList, QuotaUsage } from '@fq/contracts';
import { BrokerHttpClient, expectProblem, expectShape } from '@fq/process-kit';
import { adultsQuery, type BrokerHandle, NetworkWorld } from './support';

describe('the hard quota', () => {
  let world: NetworkWorld;

  beforeEach(async () => {
    world = await NetworkWorld.create();
  });

  afterEach(async () => {
    await world?.close();
  });

  it('blacklists a researcher past the limit (403, across a broker restart) until an admin lifts it', async () => {
    // No site needs to run: submissions wait in JetStream; the quota is decided at the broker.
    const env = world.brokerEnv([world.newSiteId('unused')], {
      BROKER_QUOTA_HARD_AMOUNT: '2',
      BROKER_QUOTA_SOFT_AMOUNT: '100',
    });
    let broker: BrokerHandle = await world.startBroker(env);
    let alice = await world.clientFor(broker.url, 'alice', 'researcher');

    await alice.submit(adultsQuery());
    await alice.submit(adultsQuery());
    const refused = await alice.post(adultsQuery());
    expect(refused.status).toBe(403);
    expect(expectProblem(refused).code).toBe('BROKER_USER_BLACKLISTED');
    expect(expectProblem(await alice.post(adultsQuery())).code).toBe('BROKER_USER_BLACKLISTED');
    expect((await alice.get('/api/v1/admin/blacklist')).status).toBe(403);

    await broker.app.process.stop('SIGTERM');
    broker = await world.startBroker(env);
    alice = await world.clientFor(broker.url, 'alice', 'researcher');
    const stillRefused = await alice.post(adultsQuery());
    expect(stillRefused.status).toBe(403);
    expect(expectProblem(stillRefused).code).toBe('BROKER_USER_BLACKLISTED');
    const quota = expectShape(QuotaUsage, (await alice.get('/api/v1/quota')).body, 'GET /api/v1/quota');
    expect(quota).toMatchObject({ userId: 'alice', blacklisted: true, hard: { amount: 2, used: 2 } });
    const listed = expectShape(BlacklistList, (await broker.client.get('/api/v1/admin/blacklist')).body, 'blacklist');
    expect(listed.map((entry) => entry.userId)).toEqual(['alice']);

    expect((await broker.client.delete('/api/v1/admin/blacklist/alice')).status).toBe(204);
    // The week's two earlier submissions were forgiven with the lift: alice is not blacklisted again at once.
    await alice.submit(adultsQuery());
    const after = expectShape(QuotaUsage, (await alice.get('/api/v1/quota')).body, 'GET /api/v1/quota');
    expect(after).toMatchObject({ blacklisted: false, hard: { amount: 2, used: 1 } });
    expect(expectShape(BlacklistList, (await broker.client.get('/api/v1/admin/blacklist')).body, 'blacklist')).toEqual(
      [],
    );
  }, 120_000);

  it('answers a request without a bearer token with 401 and WWW-Authenticate', async () => {
    const broker = await world.startBroker(world.brokerEnv([world.newSiteId('unused')]));
    const anonymous = new BrokerHttpClient(broker.url, {});
    const answer = await anonymous.post(adultsQuery());
    expect(answer.status).toBe(401);
    expect(answer.wwwAuthenticate).toMatch(/^Bearer realm=/);
    expect(expectProblem(answer).code).toBe('BROKER_AUTH_REQUIRED');
  }, 60_000);
});
