import { randomUUID } from 'node:crypto';
import { answered, startSqliteTestBroker, submitFemaleQuery, type TestBroker } from '../__fixtures__/test-broker';
import type { ResultRejection } from '../transport/broker-transport';

// What the network hands the broker is verified (signature, sender, timing); these are the rejections on the merits.
describe('results the broker rejects on their merits', () => {
  let broker: TestBroker;

  beforeEach(async () => {
    broker = await startSqliteTestBroker({ BROKER_QUERY_DEADLINE_SECONDS: '60' });
  });

  afterEach(async () => {
    await broker.close();
  });

  it('hands the transport a rejection with a code for each, and nothing for a counted result', async () => {
    const { id, hash } = await submitFemaleQuery(broker);
    const now = broker.clock.now();
    await expect(broker.transport.deliver(answered(id, 'site-a', hash, 30), now)).resolves.toBeNull();
    await expect(broker.transport.deliver(answered(id, 'site-a', hash, 40), now)).resolves.toMatchObject({
      code: 'RESULT_DUPLICATE',
    });
    await expect(broker.transport.deliver(answered(randomUUID(), 'site-a', hash, 30), now)).resolves.toMatchObject({
      code: 'RESULT_QUERY_UNKNOWN',
    });
    await expect(broker.transport.deliver(answered(id, 'site-z', hash, 30), now)).resolves.toMatchObject({
      code: 'RESULT_SITE_NOT_ASKED',
    });
    await expect(broker.transport.deliver(answered(id, 'site-b', 'f'.repeat(64), 30), now)).resolves.toMatchObject({
      code: 'RESULT_QUERY_HASH_MISMATCH',
    });
    const late = new Date(now.getTime() + 61_000);
    const rejection = (await broker.transport.deliver(answered(id, 'site-c', hash, 30), late)) as ResultRejection;
    expect(rejection.code).toBe('RESULT_LATE');
    expect(rejection.reason).toContain(id);
  });
});
