import { SiteStateList } from '@fq/contracts';
import request from 'supertest';
import { startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';
let broker: TestBroker;

beforeEach(async () => {
  broker = await startSqliteTestBroker({ BROKER_SITE_OFFLINE_SECONDS: '30' });
});

afterEach(async () => {
  await broker.close();
});

function heartbeat(siteId: string, at: Date, agentVersion = '0.1.0'): void {
  broker.transport.handlers?.onHeartbeat(
    {
      siteId,
      agentVersion,
      dataVersion: 'd1',
      dataLoadedAt: '2026-03-01T22:00:00.000Z',
      state: 'ready',
      maxCriteria: 50,
    },
    at,
  );
}

async function sites() {
  return SiteStateList.parse((await request(broker.url).get('/api/v1/sites').expect(200)).body);
}

describe('GET /api/v1/sites', () => {
  it('lists every registered site by display name, offline until it sends a heartbeat', async () => {
    expect(await sites()).toEqual([
      {
        id: 'site-a',
        name: 'Uniklinik A',
        online: false,
        lastHeartbeat: null,
        dataFreshness: null,
        dataRefreshedAt: null,
        dataSource: null,
        dataAsOf: null,
        agentVersion: null,
      },
      {
        id: 'site-b',
        name: 'Uniklinik B',
        online: false,
        lastHeartbeat: null,
        dataFreshness: null,
        dataRefreshedAt: null,
        dataSource: null,
        dataAsOf: null,
        agentVersion: null,
      },
      {
        id: 'site-c',
        name: 'Uniklinik C',
        online: false,
        lastHeartbeat: null,
        dataFreshness: null,
        dataRefreshedAt: null,
        dataSource: null,
        dataAsOf: null,
        agentVersion: null,
      },
    ]);
  });

  it('shows a site online for BROKER_SITE_OFFLINE_SECONDS after its heartbeat, then offline', async () => {
    heartbeat('site-b', broker.clock.now(), '0.2.0');
    broker.clock.advance(30_000);
    expect((await sites())[1]).toEqual({
      id: 'site-b',
      name: 'Uniklinik B',
      online: true,
      lastHeartbeat: '2026-03-02T09:00:00.000Z',
      dataFreshness: '2026-03-01T22:00:00.000Z',
      dataRefreshedAt: null,
      dataSource: null,
      dataAsOf: null,
      agentVersion: '0.2.0',
    });
    broker.clock.advance(1);
    expect((await sites())[1].online).toBe(false);
  });

  it("shows where a site's data come from and how fresh they are, as its heartbeat says", async () => {
    broker.transport.handlers?.onHeartbeat(
      {
        siteId: 'site-c',
        agentVersion: '0.2.0',
        dataVersion: 'd2',
        dataLoadedAt: '2026-03-01T22:00:00.000Z',
        state: 'ready',
        dataSource: 'fhir-bulk-export',
        dataRefreshedAt: '2026-03-02T08:00:00.000Z',
        dataAsOf: '2026-03-02T07:59:58.120Z',
      },
      broker.clock.now(),
    );
    expect((await sites())[2]).toMatchObject({
      dataFreshness: '2026-03-01T22:00:00.000Z',
      dataRefreshedAt: '2026-03-02T08:00:00.000Z',
      dataSource: 'fhir-bulk-export',
      dataAsOf: '2026-03-02T07:59:58.120Z',
    });
  });

  it('keeps the newest heartbeat and ignores unregistered sites', async () => {
    const now = broker.clock.now();
    heartbeat('site-a', now, '0.3.0');
    heartbeat('site-a', new Date(now.getTime() - 5_000), '0.1.0');
    heartbeat('site-x', now);
    const list = await sites();
    expect(list[0].agentVersion).toBe('0.3.0');
    expect(list.map((site) => site.id)).toEqual(['site-a', 'site-b', 'site-c']);
  });
});
