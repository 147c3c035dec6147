import { siteResultSubject } from '@fq/contracts';
import { waitFor } from '@fq/process-kit';
import { adultsQuery, NetworkWorld, REDELIVERY_MS } from './support';

describe('a broker that restarts while a query is running', () => {
  let world: NetworkWorld;

  afterEach(async () => {
    await world?.close();
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'collects the results published while it was down after a restart (%s)',
    async (signal) => {
      world = await NetworkWorld.create();
      const tap = await world.tap();
      const earlyId = world.newSiteId('early');
      const lateId = world.newSiteId('late');
      const early = await world.generateSite(earlyId, 250);
      const late = await world.generateSite(lateId, 150);
      const brokerEnv = world.brokerEnv([earlyId, lateId], { BROKER_QUERY_DEADLINE_SECONDS: '120' });
      const before = await world.startBroker(brokerEnv);
      await world.startSite(earlyId, world.siteEnv(earlyId, early));
      const id = await before.client.submit(adultsQuery());
      await before.client.waitForResult(
        id,
        (r) => r.sites.find((site) => site.siteId === earlyId)?.status === 'answered',
        20_000,
      );

      await before.app.process.stop(signal);
      // The late site comes up and answers while no broker is running: its result waits in JetStream.
      await world.startSite(lateId, world.siteEnv(lateId, late));
      await waitFor(
        () =>
          tap
            .publishedOn(siteResultSubject(lateId))
            .some((m) => m.envelope?.type === 'result' && m.envelope.payload.queryId === id),
        () => world.tails(),
        20_000,
      );
      const after = await world.startBroker(brokerEnv);

      const result = await after.client.waitForResult(id, (r) => r.status !== 'running', REDELIVERY_MS);
      expect(result.status).toBe('completed');
      expect(Object.fromEntries(result.sites.map((site) => [site.siteId, site.status]))).toEqual({
        [earlyId]: 'answered',
        [lateId]: 'answered',
      });
    },
    120_000,
  );
});
