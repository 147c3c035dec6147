import { randomUUID } from 'node:crypto';
import { QUERY_STREAM, siteQuerySubject, siteResultSubject } from '@fq/contracts';
import { waitFor } from '@fq/process-kit';
import {
  adultsQuery,
  type BrokerHandle,
  type JetStreamProbe,
  NetworkWorld,
  type SiteData,
  type WireTap,
} from './support';

describe('a query delivered to a site twice', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let tap: WireTap;
  let probe: JetStreamProbe;
  let site: { id: string; data: SiteData };

  beforeAll(async () => {
    world = await NetworkWorld.create();
    tap = await world.tap();
    probe = await world.probe();
    const id = world.newSiteId('twice');
    site = { id, data: await world.generateSite(id, 200) };
    broker = await world.startBroker(world.brokerEnv([site.id]));
    await world.startSite(site.id, world.siteEnv(site.id, site.data));
  });

  afterAll(async () => {
    await probe?.close();
    await world?.close();
  });

  it('is answered once: one result on the wire, one answer in the audit log, one result at the broker', async () => {
    const id = await broker.client.submit(adultsQuery());
    const first = await broker.client.waitForResult(id, (r) => r.status === 'completed', 20_000);
    const original = tap
      .publishedOn(siteQuerySubject(site.id))
      .find((m) => m.envelope?.type === 'query' && m.envelope.payload.queryId === id);
    expect(original).toBeDefined();

    // The same envelope again under a new Nats-Msg-Id, so JetStream stores it as a new message and delivers it.
    const sequence = await probe.publish(
      siteQuerySubject(site.id),
      new TextEncoder().encode(original?.text),
      randomUUID(),
    );
    await waitFor(
      async () => (await probe.consumerProgress(QUERY_STREAM.name, `site-${site.id}`)).ackFloor >= sequence,
      () => world.tails(),
      15_000,
    );
    await tap.flush();

    const deliveries = tap
      .on(siteQuerySubject(site.id))
      .filter((m) => m.delivery && m.envelope?.type === 'query' && m.envelope.payload.queryId === id);
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    const results = tap
      .publishedOn(siteResultSubject(site.id))
      .filter((m) => m.envelope?.type === 'result' && m.envelope.payload.queryId === id);
    expect(results).toHaveLength(1);
    const answers = (await world.auditLog(site.id)).filter(
      (line) => line.queryId === id && line.decision === 'answered',
    );
    expect(answers).toHaveLength(1);
    const after = await broker.client.result(id);
    expect(after.sites).toEqual(first.sites);
    expect(after.total).toBe(first.total);
  });
});
