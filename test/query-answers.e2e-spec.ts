import type { QueryResult } from '@fq/contracts';
import { adultsQuery, type BrokerHandle, NetworkWorld, type SiteData } from './support';

// Discrete Laplace noise with ε = 1/2 exceeds ±35 with probability below 1e-7; rounding adds at most 5.
const NOISE_TOLERANCE = 40;
const ROUNDING = 10;

describe('a query submitted over HTTP', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  const sites: Array<{ id: string; data: SiteData }> = [];

  beforeAll(async () => {
    world = await NetworkWorld.create();
    // Three sites of different sizes, as in a real network.
    for (const [label, patients] of [
      ['large', 400],
      ['medium', 250],
      ['small', 150],
    ] as const) {
      const id = world.newSiteId(label);
      sites.push({ id, data: await world.generateSite(id, patients) });
    }
    broker = await world.startBroker(world.brokerEnv(sites.map((site) => site.id)));
    await Promise.all(sites.map((site) => world.startSite(site.id, world.siteEnv(site.id, site.data))));
  });

  afterAll(async () => {
    await world?.close();
  });

  it('is answered by every site, and GET shows the total and each site’s protected count', async () => {
    const query = adultsQuery();
    const id = await broker.client.submit(query);

    const result: QueryResult = await broker.client.waitForResult(id, (r) => r.status !== 'running', 20_000);

    expect(result).toMatchObject({ id, status: 'completed', totalSites: 3, breakdownHidden: null, totalHidden: null });
    expect(result.finishedAt).not.toBeNull();
    expect(result.sites.map((site) => site.siteId).sort()).toEqual(sites.map((site) => site.id).sort());
    for (const site of sites) {
      const row = result.sites.find((candidate) => candidate.siteId === site.id);
      const exact = site.data.exactCount(query);
      expect(row?.status).toBe('answered');
      expect(row?.count).not.toBeNull();
      expect((row?.count ?? 0) % ROUNDING).toBe(0);
      expect(Math.abs((row?.count ?? 0) - exact)).toBeLessThanOrEqual(NOISE_TOLERANCE);
    }
    expect(result.total).toBe(result.sites.reduce((sum, site) => sum + (site.count ?? 0), 0));
  });

  it('returns the same protected counts when the same query is asked again', async () => {
    const first = await broker.client.submit(adultsQuery());
    const second = await broker.client.submit(adultsQuery());

    const [a, b] = await Promise.all(
      [first, second].map((id) => broker.client.waitForResult(id, (r) => r.status !== 'running', 20_000)),
    );

    const countsOf = (r: QueryResult): Record<string, number | null> =>
      Object.fromEntries(r.sites.map((site) => [site.siteId ?? site.site, site.count]));
    expect(countsOf(b)).toEqual(countsOf(a));
    expect(b.total).toBe(a.total);
  });
});
