import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { adultsQuery, type BrokerHandle, NetworkWorld, type SiteData, type SiteHandle } from './support';

/** The network's total for `query` (one site: its protected count), submitted once and waited for. */
async function answerOf(broker: BrokerHandle, query: unknown): Promise<number | null> {
  const id = await broker.client.submit(query);
  const result = await broker.client.waitForResult(id, (r) => r.status !== 'running', 30_000);
  return result.total;
}

describe('a site agent restarted on unchanged data', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let siteId: string;
  let data: SiteData;
  let site: SiteHandle;

  beforeAll(async () => {
    world = await NetworkWorld.create();
    siteId = world.newSiteId('snapshot');
    data = await world.generateSite(siteId, 300);
    broker = await world.startBroker(world.brokerEnv([siteId]));
    site = await world.startSite(siteId, world.siteEnv(siteId, data, { SITE_INGEST_WORKERS: '2' }));
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('starts from its index snapshot, answers as before, and rebuilds once the data change', async () => {
    await site.app.process.waitForLine(/index snapshot saved/, 30_000);
    const before = await answerOf(broker, adultsQuery());
    expect(before).not.toBeNull();

    await site.app.process.stop('SIGTERM');
    site = await world.startSite(siteId, world.siteEnv(siteId, data));
    await site.app.process.waitForLine(/index loaded from its snapshot/, 30_000);
    expect(site.app.process.output()).not.toMatch(/index snapshot not used/);
    expect(await answerOf(broker, adultsQuery())).toBe(before);

    const [file] = (await readdir(data.dir)).filter((name) => name.startsWith('Patient'));
    await appendFile(
      join(data.dir, file),
      `\n${JSON.stringify({ resourceType: 'Patient', id: 'late-arrival', birthDate: '1950-01-01' })}\n`,
    );
    await site.app.process.stop('SIGTERM');
    site = await world.startSite(siteId, world.siteEnv(siteId, data));
    await site.app.process.waitForLine(
      /index snapshot not used, building the index from the data: .*other data/,
      30_000,
    );
    await site.app.process.waitForLine(/index snapshot saved/, 30_000);
  }, 180_000);
});
