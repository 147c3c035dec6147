import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_CRITERIA } from '@fq/contracts';
import { generateEnvelopeKey } from '@fq/network-admin';
import { writeTestRegistry } from '../__fixtures__/test-registry';
import { loadBrokerConfig, summarizeBrokerConfig } from './config.loader';

// Two sites with fresh keys in a temporary sites.json, and the broker's signing seed.
const REGISTRY = writeTestRegistry([
  ['site-a', 'Uniklinik A'],
  ['site-b', 'Uniklinik B'],
]);
const SITES = {
  BROKER_SITES_FILE: REGISTRY.env.BROKER_SITES_FILE,
  BROKER_SIGNING_KEY: REGISTRY.env.BROKER_SIGNING_KEY,
  BROKER_DEV_ISSUER: 'true',
};

describe('loadBrokerConfig', () => {
  it('fills every default from the brief', () => {
    const loaded = loadBrokerConfig(SITES);
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
        logFormat: 'json',
        auth: { oidc: null, devIssuer: { keyFile: '.broker/dev-issuer.jwk' }, clockToleranceSeconds: 30 },
        quotas: {
          soft: { amount: 3, intervalSeconds: 60 },
          hard: { amount: 50, intervalSeconds: 604_800 },
          pollIntervalSeconds: 10,
        },
        requestLimits: { maxCriteria: DEFAULT_MAX_CRITERIA, maxNestingDepth: 32, maxStringLength: 2048 },
        corsOrigins: [],
        catalogFile: null,
        // The checkout's build, found from the broker's own files wherever it is started.
        web: {
          dir: join(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'web'),
          oidcClientId: null,
          oidcScopes: ['openid', 'profile'],
        },
        network: expect.objectContaining({
          sitesFile: REGISTRY.file,
          natsNkeySeed: null,
          tls: null,
          auditLogFile: '.broker/audit.jsonl',
          replayLogFile: '.broker/received-envelopes.jsonl',
        }) as unknown,
      },
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set and treats empty values as unset', () => {
    const loaded = loadBrokerConfig({
      ...SITES,
      DATABASE_URL: 'postgres://broker:secret@db:5432/broker',
      BROKER_PORT: '',
      BROKER_DEV_ISSUER: 'true',
      NATS_URL: 'nats://a:4222, nats://b:4222',
    });
    expect(loaded.ok && loaded.value).toMatchObject({
      database: { kind: 'postgres', url: 'postgres://broker:secret@db:5432/broker' },
      http: { port: 3000 },
      auth: { devIssuer: { keyFile: '.broker/dev-issuer.jwk' } },
      natsServers: ['nats://a:4222', 'nats://b:4222'],
    });
  });

  it('gives the web app the OIDC audience as its client id and always asks for openid', () => {
    const loaded = loadBrokerConfig({
      ...SITES,
      BROKER_AUTH_ISSUER: 'https://keycloak.example.org/realms/fdpg',
      BROKER_AUTH_AUDIENCE: 'feasibility-portal',
      BROKER_WEB_OIDC_SCOPES: 'profile email',
      BROKER_WEB_DIR: '/srv/web',
    });
    expect(loaded.ok && loaded.value.web).toEqual({
      dir: '/srv/web',
      oidcClientId: 'feasibility-portal',
      oidcScopes: ['openid', 'profile', 'email'],
    });
    const own = loadBrokerConfig({ ...SITES, BROKER_WEB_OIDC_CLIENT_ID: 'web-client', BROKER_WEB_OIDC_SCOPES: 'a  b' });
    expect(own.ok).toBe(false);
    expect(own.ok ? [] : own.error).toEqual([
      'BROKER_WEB_OIDC_SCOPES: BROKER_WEB_OIDC_SCOPES must be scope tokens separated by single spaces',
    ]);
  });

  it('lists every problem at once', () => {
    const loaded = loadBrokerConfig({
      BROKER_SITES: 'site-a=Uniklinik A',
      BROKER_PORT: '70000',
      BROKER_QUERY_DEADLINE_SECONDS: 'soon',
      BROKER_THRESHOLD_RESULTS: '-1',
      BROKER_DEV_ISSUER: 'maybe',
      BROKER_CORS_ORIGINS: 'https://portal.example.org,https://*.example.org/app',
      DATABASE_URL: 'mysql://x',
    });
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.error;
    expect(problems).toEqual(
      expect.arrayContaining([
        'BROKER_PORT: BROKER_PORT must be at most 65535',
        'BROKER_QUERY_DEADLINE_SECONDS: BROKER_QUERY_DEADLINE_SECONDS must be a whole number',
        'BROKER_THRESHOLD_RESULTS: BROKER_THRESHOLD_RESULTS must be at least 0',
        'BROKER_DEV_ISSUER: expected true or false',
        expect.stringMatching(/^BROKER_CORS_ORIGINS: "https:\/\/\*\.example\.org\/app" is not an origin/),
        'DATABASE_URL: DATABASE_URL must be a postgres:// or postgresql:// URL',
        'BROKER_SITES: BROKER_SITES is replaced by the site registry BROKER_SITES_FILE: register sites with `broker sites add`',
      ]),
    );
  });

  it('refuses to start without a site registry, naming the command that creates it', () => {
    const loaded = loadBrokerConfig({ ...SITES, BROKER_SITES_FILE: join(REGISTRY.dir, 'missing.json') });
    expect(loaded.ok ? [] : loaded.error).toEqual([
      `BROKER_SITES_FILE: cannot read ${join(REGISTRY.dir, 'missing.json')}: register sites with \`broker sites add\` (it creates the file)`,
    ]);
  });

  it('reads the site registry with every site and key', () => {
    const loaded = loadBrokerConfig(SITES);
    if (!loaded.ok) {
      throw new Error(loaded.error.join('; '));
    }
    expect(loaded.value.sites).toEqual([
      { id: 'site-a', name: 'Uniklinik A' },
      { id: 'site-b', name: 'Uniklinik B' },
    ]);
    expect(loaded.value.network.registry.map((site) => site.envelopePublicKey)).toEqual([
      REGISTRY.sites.get('site-a')?.signing.publicKey,
      REGISTRY.sites.get('site-b')?.signing.publicKey,
    ]);
    expect(loaded.value.network).toMatchObject({
      natsNkeySeed: null,
      tls: null,
      auditLogFile: '.broker/audit.jsonl',
      replayLogFile: '.broker/received-envelopes.jsonl',
    });
    expect(loaded.value.network.signer.publicKey).toBe(REGISTRY.broker.signing.publicKey);
  });

  it('refuses a registry entry with a malformed key, a signing key the registry does not list, and a loose seed file', () => {
    const badRegistry = join(REGISTRY.dir, 'bad-sites.json');
    writeFileSync(
      badRegistry,
      JSON.stringify({
        version: 1,
        sites: [{ id: 'site-a', name: 'A', natsUserPublicKey: 'U123', envelopePublicKey: 'A1' }],
      }),
    );
    const seedFile = join(REGISTRY.dir, 'loose.nk');
    writeFileSync(seedFile, generateEnvelopeKey().seed);
    chmodSync(seedFile, 0o644);
    const bad = loadBrokerConfig({ BROKER_SITES_FILE: badRegistry, BROKER_SIGNING_KEY_FILE: seedFile });
    const problems = bad.ok ? [] : bad.error;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^BROKER_SITES_FILE: .*bad-sites\.json \$\.sites\[0\]\.natsUserPublicKey: expected a NATS user/,
        ),
        expect.stringMatching(/^BROKER_SIGNING_KEY_FILE: .*loose\.nk is readable by others \(mode 0644\)/),
      ]),
    );
    const otherKey = loadBrokerConfig({ ...SITES, BROKER_SIGNING_KEY: generateEnvelopeKey().seed });
    expect(otherKey.ok ? [] : otherKey.error).toEqual([
      expect.stringMatching(
        /^BROKER_SIGNING_KEY_FILE: holds a key whose public key is not the one .* lists for the broker$/,
      ),
    ]);
  });
});

describe('summarizeBrokerConfig', () => {
  it('redacts passwords and tokens in URLs', () => {
    const loaded = loadBrokerConfig({
      ...SITES,
      BROKER_DEV_ISSUER: 'true',
      DATABASE_URL: 'postgres://broker:s3cret@db/broker?sslpassword=k3y',
      NATS_URL: 'nats://t0ken@nats:4222',
    });
    if (!loaded.ok) {
      throw new Error(loaded.error.join('; '));
    }
    const text = JSON.stringify(summarizeBrokerConfig(loaded.value));
    expect(text).not.toMatch(/s3cret|k3y|t0ken/);
    expect(text).not.toContain(REGISTRY.broker.signing.seed);
    expect(text).toContain(REGISTRY.broker.signing.publicKey);
    expect(text).toContain('postgres://broker:***@db/broker');
  });
});
