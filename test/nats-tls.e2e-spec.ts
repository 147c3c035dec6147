import { connect } from 'nats';
import { adultsQuery, type BrokerHandle, natsLoginOptions, NetworkWorld, type SiteData } from './support';

describe('a network whose NATS server requires TLS with client certificates', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let site: { id: string; data: SiteData };

  beforeAll(async () => {
    world = await NetworkWorld.create({ tls: true });
    const id = world.newSiteId('tls');
    site = { id, data: await world.generateSite(id, 200) };
    broker = await world.startBroker(world.brokerEnv([site.id]));
    await world.startSite(site.id, world.siteEnv(site.id, site.data));
  });

  afterAll(async () => {
    await world?.close();
  });

  it('answers a query when the broker and the site connect with their TLS files', async () => {
    const id = await broker.client.submit(adultsQuery());
    const result = await broker.client.waitForResult(id, (r) => r.status === 'completed', 20_000);
    expect(result.sites.map((answer) => [answer.siteId, answer.status])).toEqual([[site.id, 'answered']]);
  });

  it('refuses a client with the right nkey but without a client certificate', async () => {
    const login = await world.siteLogin(site.id);
    // It trusts the server (the CA), so only the missing client certificate can make the server refuse it.
    const withoutCertificate = { ...login, tls: { caFile: login.tls?.caFile ?? '' } };
    // Control: the same login with its certificate connects, so a refusal below is the missing certificate's.
    const withCertificate = await connect({ servers: world.nats.url, reconnect: false, ...natsLoginOptions(login) });
    await withCertificate.close();
    // Under TLS 1.3 the server refuses after the client's side of the handshake is done: the client reads either the
    // server's alert or, when the server closes first, a reset.
    await expect(
      connect({ servers: world.nats.url, reconnect: false, ...natsLoginOptions(withoutCertificate) }),
    ).rejects.toThrow(/bad certificate|certificate required|ECONNRESET/);
  });
});
