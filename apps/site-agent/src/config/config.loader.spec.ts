import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { DEFAULT_MAX_CRITERIA } from '@fq/contracts';
import { generateEnvelopeKey, generateNatsUserKey } from '@fq/network-admin';
import { DEFAULT_BUDGET_POLICY, DEFAULT_PROTECTION_POLICY } from '@fq/privacy';
import { describeConfig, loadSiteAgentConfig, redactNatsUrl } from './config.loader';

const CWD = '/srv/site';
const SITE_KEY = generateEnvelopeKey();
const BROKER_KEY = generateEnvelopeKey();
const MINIMAL = {
  SITE_ID: 'site-a',
  SITE_DATA: 'data/ndjson',
  SITE_SIGNING_KEY: SITE_KEY.seed,
  SITE_BROKER_PUBLIC_KEY: BROKER_KEY.publicKey,
};

function load(env: Record<string, string | undefined>) {
  return loadSiteAgentConfig(env, CWD);
}

describe('loadSiteAgentConfig', () => {
  it('fills every default from a minimal environment', () => {
    const result = load(MINIMAL);
    if (!result.ok) {
      throw result.error;
    }
    const { security, ...rest } = result.value.config;
    expect(security).toMatchObject({ brokerPublicKey: BROKER_KEY.publicKey, natsNkeySeed: null, tls: null });
    expect(security.signer.publicKey).toBe(SITE_KEY.publicKey);
    expect(rest).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      siteId: 'site-a',
      dataPaths: ['/srv/site/data/ndjson'],
      fhirSource: null,
      stateDir: '/srv/site/.site-state/site-a',
      auditLogFile: '/srv/site/.site-state/site-a/audit.jsonl',
      mappingFile: null,
      conceptTreeFiles: [],
      upstreamCompatible: false,
      dataVersionOverride: null,
      ingestWorkers: availableParallelism(),
      indexSnapshot: true,
      reloadIntervalSeconds: 0,
      refreshRetrySeconds: 60,
      heartbeatSeconds: 10,
      policy: {
        allowedContexts: null,
        allowedCodeSystems: null,
        maxCriteria: DEFAULT_MAX_CRITERIA,
        rateLimit: 999,
        rateIntervalSeconds: 3600,
        approval: 'auto',
      },
      protection: DEFAULT_PROTECTION_POLICY,
      privacyBudget: DEFAULT_BUDGET_POLICY,
      evaluationDate: null,
      logLevel: 'log',
      logFormat: 'json',
    });
    expect(result.value.warnings).toEqual([]);
  });

  it('reads every variable', () => {
    const result = load({
      ...MINIMAL,
      NATS_URL: 'nats://user:pw@nats-1:4222,tls://nats-2:4222',
      SITE_ID: 'uk-b',
      SITE_DATA: '/data/a:/data/b.ndjson',
      SITE_STATE_DIR: '/var/lib/site',
      SITE_AUDIT_LOG: 'logs/audit.jsonl',
      SITE_MAPPING_FILE: 'mapping_fhir.json',
      SITE_CONCEPT_TREE_FILES: 'tree1.json:tree2.json',
      SITE_UPSTREAM_COMPATIBLE: 'true',
      SITE_DATA_VERSION: 'export-2025-03',
      SITE_RELOAD_INTERVAL_SECONDS: '600',
      SITE_HEARTBEAT_SECONDS: '5',
      SITE_ALLOWED_CONTEXTS: 'Diagnose, Laboruntersuchung',
      SITE_ALLOWED_CODE_SYSTEMS: 'http://loinc.org',
      SITE_MAX_CRITERIA: '20',
      SITE_RATE_LIMIT: '100',
      SITE_RATE_INTERVAL_SECONDS: '60',
      SITE_APPROVAL: 'manual',
      SITE_PRIVACY_MECHANISM: 'mii-laplace',
      SITE_PRIVACY_EPSILON: '0.25',
      SITE_PRIVACY_ROUNDING: '5',
      SITE_PRIVACY_THRESHOLD: '0',
      SITE_PRIVACY_BUDGET_COHORTS: '200',
      SITE_PRIVACY_BUDGET_WINDOW_DAYS: '30',
      SITE_EVALUATION_DATE: '2025-01-01',
      SITE_LOG_LEVEL: 'debug',
      SITE_LOG_FORMAT: 'text',
    });
    if (!result.ok) {
      throw result.error;
    }
    expect(result.value.config).toMatchObject({
      natsUrl: 'nats://user:pw@nats-1:4222,tls://nats-2:4222',
      dataPaths: ['/data/a', '/data/b.ndjson'],
      stateDir: '/var/lib/site',
      auditLogFile: '/srv/site/logs/audit.jsonl',
      mappingFile: '/srv/site/mapping_fhir.json',
      conceptTreeFiles: ['/srv/site/tree1.json', '/srv/site/tree2.json'],
      upstreamCompatible: true,
      dataVersionOverride: 'export-2025-03',
      reloadIntervalSeconds: 600,
      heartbeatSeconds: 5,
      policy: {
        allowedContexts: ['Diagnose', 'Laboruntersuchung'],
        allowedCodeSystems: ['http://loinc.org'],
        maxCriteria: 20,
        rateLimit: 100,
        rateIntervalSeconds: 60,
        approval: 'manual',
      },
      protection: { mechanism: 'mii-laplace', epsilon: { numerator: 1, denominator: 4 }, rounding: 5, threshold: 0 },
      privacyBudget: { cohorts: 200, windowDays: 30 },
      evaluationDate: '2025-01-01',
      logLevel: 'debug',
      logFormat: 'text',
    });
  });

  it('lists every problem at once, each with its variable', () => {
    const result = load({
      NATS_URL: 'http://nats:4222',
      SITE_ID: 'Site A',
      SITE_UPSTREAM_COMPATIBLE: 'maybe',
      SITE_HEARTBEAT_SECONDS: '0',
      SITE_MAX_CRITERIA: 'lots',
      SITE_RATE_LIMIT: '-1',
      SITE_APPROVAL: 'sometimes',
      SITE_PRIVACY_MECHANISM: 'gaussian',
      SITE_PRIVACY_EPSILON: '0',
      SITE_PRIVACY_ROUNDING: '1.5',
      SITE_PRIVACY_BUDGET_COHORTS: '0',
      SITE_PRIVACY_BUDGET_WINDOW_DAYS: '400',
      SITE_EVALUATION_DATE: '2025-13-01',
      SITE_LOG_LEVEL: 'chatty',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.error.problems;
    expect(problems.map((p) => p.variable).sort()).toEqual(
      [
        'NATS_URL',
        'SITE_ID',
        'SITE_DATA',
        'SITE_UPSTREAM_COMPATIBLE',
        'SITE_HEARTBEAT_SECONDS',
        'SITE_MAX_CRITERIA',
        'SITE_RATE_LIMIT',
        'SITE_APPROVAL',
        'SITE_PRIVACY_MECHANISM',
        'SITE_PRIVACY_EPSILON',
        'SITE_PRIVACY_ROUNDING',
        'SITE_PRIVACY_BUDGET_COHORTS',
        'SITE_PRIVACY_BUDGET_WINDOW_DAYS',
        'SITE_EVALUATION_DATE',
        'SITE_LOG_LEVEL',
        'SITE_BROKER_PUBLIC_KEY',
      ].sort(),
    );
    expect(problems.find((p) => p.variable === 'SITE_MAX_CRITERIA')?.message).toBe(
      'must be a whole number from 1 to 10000, got "lots"',
    );
    expect(problems.find((p) => p.variable === 'SITE_PRIVACY_EPSILON')?.message).toMatch(/greater than 0/);
    expect(problems.find((p) => p.variable === 'SITE_PRIVACY_BUDGET_COHORTS')?.message).toBe(
      'must be a whole number from 1 to 1000000, got "0"',
    );
    expect(result.ok ? '' : result.error.code).toBe('SITE_CONFIG_INVALID');
  });

  it('names the missing required variables', () => {
    const result = load({});
    expect(result.ok ? [] : result.error.problems.map((p) => p.variable)).toEqual([
      'SITE_ID',
      'SITE_DATA',
      'SITE_BROKER_PUBLIC_KEY',
    ]);
  });

  it('treats empty variables as unset', () => {
    const result = load({ ...MINIMAL, SITE_ALLOWED_CONTEXTS: '', SITE_RATE_LIMIT: ' ' });
    expect(result.ok && result.value.config.policy).toMatchObject({ allowedContexts: null, rateLimit: 999 });
  });

  it('warns about unknown SITE_ variables instead of ignoring a typo silently', () => {
    const result = load({ ...MINIMAL, SITE_RATE_LIMTI: '5', HOME: '/root' });
    expect(result.ok && result.value.warnings).toEqual(['unknown variable SITE_RATE_LIMTI is ignored (a typo?)']);
  });
});

describe('loadSiteAgentConfig secrets', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'site-config-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function seedFile(name: string, seed: string, mode: number): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, `${seed}\n`);
    await chmod(file, mode);
    return file;
  }

  it('reads the signing seed and the NATS nkey from 0600 files', async () => {
    const nats = generateNatsUserKey();
    const result = loadSiteAgentConfig(
      {
        SITE_ID: 'site-a',
        SITE_DATA: 'data',
        SITE_BROKER_PUBLIC_KEY: BROKER_KEY.publicKey,
        SITE_SIGNING_KEY_FILE: await seedFile('signing.nk', SITE_KEY.seed, 0o600),
        SITE_NATS_NKEY_FILE: await seedFile('nats.nk', nats.seed, 0o600),
        SITE_NATS_TLS_CA_FILE: 'ca.pem',
      },
      dir,
    );
    if (!result.ok) {
      throw result.error;
    }
    const { security } = result.value.config;
    expect(security.signer.publicKey).toBe(SITE_KEY.publicKey);
    expect(security.natsNkeySeed?.reveal()).toBe(nats.seed);
    expect(security.tls).toEqual({ caFile: join(dir, 'ca.pem'), certFile: null, keyFile: null });
  });

  it('refuses a seed file others can read, and never quotes a seed', async () => {
    const result = loadSiteAgentConfig(
      {
        ...MINIMAL,
        SITE_SIGNING_KEY: undefined,
        SITE_SIGNING_KEY_FILE: await seedFile('signing.nk', SITE_KEY.seed, 0o644),
        SITE_NATS_NKEY: SITE_KEY.seed,
      },
      dir,
    );
    const problems = result.ok ? [] : result.error.problems;
    expect(problems.map((p) => p.variable)).toEqual(['SITE_SIGNING_KEY_FILE', 'SITE_NATS_NKEY']);
    expect(problems[0].message).toMatch(/readable by others \(mode 0644\); chmod 600/);
    expect(problems[1].message).toBe('holds not a NATS user seed (SU…)');
    expect(JSON.stringify(problems)).not.toContain(SITE_KEY.seed.slice(2, 30));
  });

  it('needs exactly one source of the signing seed', () => {
    const both = load({ ...MINIMAL, SITE_SIGNING_KEY_FILE: '/keys/signing.nk' });
    const none = load({ ...MINIMAL, SITE_SIGNING_KEY: undefined });
    for (const result of [both, none]) {
      expect(result.ok ? [] : result.error.problems.map((p) => p.variable)).toEqual(['SITE_SIGNING_KEY_FILE']);
    }
  });

  it('keeps every seed out of the startup summary and out of inspect()', () => {
    const nats = generateNatsUserKey();
    const result = load({ ...MINIMAL, SITE_NATS_NKEY: nats.seed });
    if (!result.ok) {
      throw result.error;
    }
    const printed = [JSON.stringify(describeConfig(result.value.config)), inspect(result.value.config, { depth: 9 })];
    for (const text of printed) {
      expect(text).not.toContain(nats.seed);
      expect(text).not.toContain(SITE_KEY.seed);
    }
    expect(printed[0]).toContain(SITE_KEY.publicKey);
  });
});

describe('describeConfig', () => {
  it('redacts NATS credentials in the startup summary', () => {
    const result = load({ ...MINIMAL, NATS_URL: 'nats://agent:s3cret@nats:4222' });
    const summary = JSON.stringify(result.ok ? describeConfig(result.value.config) : null);
    expect(summary).not.toMatch(/s3cret/);
    expect(summary).toMatch(/nats:\/\/\*\*\*@nats:4222/);
    expect(summary).toMatch(/"epsilon":"1\/2"/);
  });

  it('leaves URLs without credentials unchanged', () => {
    expect(redactNatsUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });
});
