import { siteQuerySubject, siteResultSubject } from '@fq/contracts';
import { waitFor } from '@fq/process-kit';
import {
  adultsQuery,
  type BrokerHandle,
  type JetStreamProbe,
  NetworkWorld,
  type SiteData,
  type WireTap,
} from './support';

const DEADLINE_SECONDS = 3;

describe('a site that is offline while a query runs', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let tap: WireTap;
  let probe: JetStreamProbe;
  let online: { id: string; data: SiteData };
  let offline: { id: string; data: SiteData };

  beforeAll(async () => {
    world = await NetworkWorld.create();
    tap = await world.tap();
    probe = await world.probe();
    const onlineId = world.newSiteId('online');
    const offlineId = world.newSiteId('offline');
    online = { id: onlineId, data: await world.generateSite(onlineId, 200) };
    offline = { id: offlineId, data: await world.generateSite(offlineId, 150) };
    broker = await world.startBroker(
      world.brokerEnv([online.id, offline.id], { BROKER_QUERY_DEADLINE_SECONDS: String(DEADLINE_SECONDS) }),
    );
    await world.startSite(online.id, world.siteEnv(online.id, online.data));
  });

  afterAll(async () => {
    await probe?.close();
    await world?.close();
  });

  it('is marked expired by the broker when the deadline passes', async () => {
    const id = await broker.client.submit(adultsQuery());

    const result = await broker.client.waitForResult(id, (r) => r.status !== 'running', (DEADLINE_SECONDS + 10) * 1000);

    expect(result.status).toBe('expired');
    expect(result.sites.find((site) => site.siteId === online.id)?.status).toBe('answered');
    expect(result.sites.find((site) => site.siteId === offline.id)?.status).toBe('expired');
  });

  it('answers nothing for a query that expired while it was offline once it comes back', async () => {
    const id = await broker.client.submit(adultsQuery(30));
    await broker.client.waitForResult(id, (r) => r.status === 'expired', (DEADLINE_SECONDS + 10) * 1000);
    const published = tap.publishedOn(siteQuerySubject(offline.id)).filter((m) => m.envelope?.type === 'query');
    expect(published.length).toBeGreaterThan(0);

    await world.startSite(offline.id, world.siteEnv(offline.id, offline.data));

    // The site consumed and acknowledged every query waiting for it, and wrote `expired` for ours.
    await waitFor(
      async () => {
        const progress = await probe.consumerProgress('FQ_QUERIES', `site-${offline.id}`);
        return progress.pending === 0 && progress.ackPending === 0;
      },
      () => world.tails(),
      15_000,
    );
    const audit = await waitFor(
      async () => {
        const lines = (await world.auditLog(offline.id)).filter((line) => line.queryId === id);
        return lines.length > 0 ? lines : null;
      },
      () => world.tails(),
      10_000,
    );
    expect(audit.map((line) => line.decision)).toEqual(['expired']);
    await tap.flush();
    const answers = tap
      .publishedOn(siteResultSubject(offline.id))
      .filter((m) => m.envelope?.type === 'result' && m.envelope.payload.queryId === id);
    expect(answers).toEqual([]);
    const after = await broker.client.result(id);
    expect(after.status).toBe('expired');
    expect(after.sites.find((site) => site.siteId === offline.id)?.status).toBe('expired');
  });
});
