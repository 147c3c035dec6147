import { siteQuerySubject } from '@fq/contracts';
import { waitFor } from '@fq/process-kit';
import {
  adultsQuery,
  type BrokerHandle,
  NetworkWorld,
  REDELIVERY_MS,
  type SiteData,
  type SiteHandle,
  type WireTap,
} from './support';

describe('a site that crashes while a query is running', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let tap: WireTap;
  const sites: Array<{ id: string; data: SiteData; handle: SiteHandle }> = [];

  beforeAll(async () => {
    world = await NetworkWorld.create();
    tap = await world.tap();
    const generated = [];
    for (const [label, patients] of [
      ['stable', 250],
      ['crashing', 200],
    ] as const) {
      const id = world.newSiteId(label);
      generated.push({ id, data: await world.generateSite(id, patients) });
    }
    broker = await world.startBroker(
      world.brokerEnv(
        generated.map((site) => site.id),
        // Long enough for a restart, short enough that the suite does not wait for it.
        { BROKER_QUERY_DEADLINE_SECONDS: '90' },
      ),
    );
    for (const site of generated) {
      sites.push({ ...site, handle: await world.startSite(site.id, world.siteEnv(site.id, site.data)) });
    }
  });

  afterAll(async () => {
    await world?.close();
  });

  it('answers the query after a restart, before the deadline', async () => {
    const [stable, crashing] = sites;
    // SIGKILL: no graceful shutdown, no drain; whatever the site held in memory is gone.
    await crashing.handle.app.process.stop('SIGKILL');
    const id = await broker.client.submit(adultsQuery());
    // The query is running: the stable site answered, the crashed one has its query waiting in JetStream.
    const running = await broker.client.waitForResult(
      id,
      (r) => r.sites.find((site) => site.siteId === stable.id)?.status === 'answered',
      20_000,
    );
    expect(running.status).toBe('running');
    expect(running.sites.find((site) => site.siteId === crashing.id)?.status).toBe('pending');
    await waitFor(
      () => tap.publishedOn(siteQuerySubject(crashing.id)).some((message) => message.envelope?.type === 'query'),
      'the query for the crashed site to be published',
      10_000,
    );

    await world.startSite(crashing.id, world.siteEnv(crashing.id, crashing.data));

    const finished = await broker.client.waitForResult(id, (r) => r.status !== 'running', REDELIVERY_MS);
    expect(finished.status).toBe('completed');
    expect(finished.sites.map((site) => site.status)).toEqual(['answered', 'answered']);
    expect(new Date(finished.finishedAt ?? '').getTime()).toBeLessThan(new Date(finished.expiresAt).getTime());
    const audit = await world.auditLog(crashing.id);
    expect(audit.filter((line) => line.queryId === id).map((line) => line.decision)).toEqual(['answered']);
  }, 120_000);
});
