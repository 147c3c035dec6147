import { siteResultSubject } from '@fq/contracts';
import { type BrokerHandle, hba1cQuery, NetworkWorld, type SiteData, type WireTap } from './support';

describe('a site whose policy does not allow a query', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let tap: WireTap;
  let open: { id: string; data: SiteData };
  let strict: { id: string; data: SiteData };

  beforeAll(async () => {
    world = await NetworkWorld.create();
    tap = await world.tap();
    const openId = world.newSiteId('open');
    const strictId = world.newSiteId('strict');
    open = { id: openId, data: await world.generateSite(openId, 200) };
    strict = { id: strictId, data: await world.generateSite(strictId, 200) };
    broker = await world.startBroker(world.brokerEnv([open.id, strict.id]));
    await world.startSite(open.id, world.siteEnv(open.id, open.data));
    // Laboratory results are not among the contexts this site answers for.
    await world.startSite(
      strict.id,
      world.siteEnv(strict.id, strict.data, { SITE_ALLOWED_CONTEXTS: 'Patient,Diagnose' }),
    );
  });

  afterAll(async () => {
    await world?.close();
  });

  it('shows up as refused at the broker, with a refused result and an audit record at the site', async () => {
    const id = await broker.client.submit(hba1cQuery());

    const result = await broker.client.waitForResult(id, (r) => r.status !== 'running', 20_000);

    expect(result.status).toBe('completed');
    expect(result.sites.find((site) => site.siteId === open.id)?.status).toBe('answered');
    expect(result.sites.find((site) => site.siteId === strict.id)).toMatchObject({ status: 'refused', count: null });
    await tap.flush();
    const refusals = tap
      .publishedOn(siteResultSubject(strict.id))
      .map((m) => m.envelope)
      .filter((envelope) => envelope?.type === 'result' && envelope.payload.queryId === id)
      .map((envelope) => (envelope?.type === 'result' ? envelope.payload : null));
    expect(refusals).toEqual([expect.objectContaining({ status: 'refused', code: 'SITE_POLICY_REFUSED' })]);
    const audit = (await world.auditLog(strict.id)).filter((line) => line.queryId === id);
    expect(audit).toEqual([expect.objectContaining({ decision: 'refused', code: 'SITE_POLICY_REFUSED' })]);
  });
});
