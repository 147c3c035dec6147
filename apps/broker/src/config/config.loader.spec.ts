import { loadBrokerConfig, summarizeBrokerConfig } from './config.loader';

const SITES = 'site-a=Uniklinik A,site-b=Uniklinik B';

describe('loadBrokerConfig', () => {
  it('fills every default from the brief', () => {
    const loaded = loadBrokerConfig({ BROKER_SITES: SITES });
    expect(loaded).toEqual({
      ok: true,
      value: {
        natsServers: ['nats://127.0.0.1:4222'],
        http: { host: '0.0.0.0', port: 3000 },
        database: { kind: 'sqlite', file: '.broker/broker.sqlite' },
        sites: [
          { id: 'site-a', name: 'Uniklinik A' },
          { id: 'site-b', name: 'Uniklinik B' },
        ],
        queryDeadlineSeconds: 60,
        thresholds: { results: 20, sites: 3, sitesResult: 20 },
        siteOfflineSeconds: 30,
        devIdentity: false,
      },
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set and treats empty values as unset', () => {
    const loaded = loadBrokerConfig({
      BROKER_SITES: SITES,
      DATABASE_URL: 'postgres://broker:secret@db:5432/broker',
      BROKER_PORT: '',
      BROKER_DEV_IDENTITY: 'true',
      NATS_URL: 'nats://a:4222, nats://b:4222',
    });
    expect(loaded.ok && loaded.value).toMatchObject({
      database: { kind: 'postgres', url: 'postgres://broker:secret@db:5432/broker' },
      http: { port: 3000 },
      devIdentity: true,
      natsServers: ['nats://a:4222', 'nats://b:4222'],
    });
  });

  it('lists every problem at once', () => {
    const loaded = loadBrokerConfig({
      BROKER_SITES: 'site-a=Uniklinik A,Site B=Bad,site-a=Again,site-c',
      BROKER_PORT: '70000',
      BROKER_QUERY_DEADLINE_SECONDS: 'soon',
      BROKER_THRESHOLD_RESULTS: '-1',
      BROKER_DEV_IDENTITY: 'maybe',
      DATABASE_URL: 'mysql://x',
    });
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.error;
    expect(problems).toEqual(
      expect.arrayContaining([
        'BROKER_PORT: BROKER_PORT must be at most 65535',
        'BROKER_QUERY_DEADLINE_SECONDS: BROKER_QUERY_DEADLINE_SECONDS must be a whole number',
        'BROKER_THRESHOLD_RESULTS: BROKER_THRESHOLD_RESULTS must be at least 0',
        'BROKER_DEV_IDENTITY: expected true or false',
        'DATABASE_URL: DATABASE_URL must be a postgres:// or postgresql:// URL',
        expect.stringMatching(/^BROKER_SITES: entry 2 "Site B=Bad"/),
        'BROKER_SITES: site id site-a is listed twice',
        expect.stringMatching(/^BROKER_SITES: entry 4 "site-c"/),
      ]),
    );
  });

  it('refuses to start without BROKER_SITES', () => {
    expect(loadBrokerConfig({})).toEqual({
      ok: false,
      error: ['BROKER_SITES: BROKER_SITES is required: id=Display Name,id=Display Name,…'],
    });
  });
});

describe('summarizeBrokerConfig', () => {
  it('redacts passwords and tokens in URLs', () => {
    const loaded = loadBrokerConfig({
      BROKER_SITES: SITES,
      DATABASE_URL: 'postgres://broker:s3cret@db/broker?sslpassword=k3y',
      NATS_URL: 'nats://t0ken@nats:4222',
    });
    if (!loaded.ok) {
      throw new Error(loaded.error.join('; '));
    }
    const text = JSON.stringify(summarizeBrokerConfig(loaded.value));
    expect(text).not.toMatch(/s3cret|k3y|t0ken/);
    expect(text).toContain('postgres://broker:***@db/broker');
  });
});
