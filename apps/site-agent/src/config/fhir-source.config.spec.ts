import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEnvelopeKey } from '@fq/network-admin';
import { describeConfig, loadSiteAgentConfig } from './config.loader';

const SITE_KEY = generateEnvelopeKey();
const BROKER_KEY = generateEnvelopeKey();
const BASE = {
  SITE_ID: 'site-a',
  SITE_SIGNING_KEY: SITE_KEY.seed,
  SITE_BROKER_PUBLIC_KEY: BROKER_KEY.publicKey,
};

describe('the FHIR server source configuration', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fhir-config-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const secretFile = async (name: string, mode = 0o600): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, 'not-shown-anywhere\n');
    await chmod(file, mode);
    return file;
  };

  const problems = (env: Record<string, string>): string[] => {
    const result = loadSiteAgentConfig({ ...BASE, ...env }, dir);
    return result.ok ? [] : result.error.problems.map((p) => `${p.variable} ${p.message}`);
  };

  it('reads a server with SMART Backend Services and its defaults', async () => {
    const key = await secretFile('client.key');
    await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const result = loadSiteAgentConfig(
      {
        ...BASE,
        SITE_FHIR_BASE_URL: 'https://fhir.example.org/fhir/',
        SITE_FHIR_AUTH: 'smart-backend',
        SITE_FHIR_CLIENT_ID: 'feasibility-agent',
        SITE_FHIR_PRIVATE_KEY_FILE: 'client.key',
        SITE_FHIR_CA_FILE: 'ca.pem',
        SITE_FHIR_INCREMENTAL_SECONDS: '3600',
      },
      dir,
    );
    if (!result.ok) {
      throw result.error;
    }
    const { config } = result.value;
    expect(config.dataPaths).toEqual([]);
    expect(config.fhirSource).toEqual({
      baseUrl: 'https://fhir.example.org/fhir',
      read: 'bulk-export',
      exportLevel: 'system',
      groupId: null,
      auth: {
        kind: 'smart-backend',
        clientId: 'feasibility-agent',
        privateKeyFile: key,
        keyId: null,
        tokenUrl: null,
        scope: 'system/*.read',
      },
      caFile: join(dir, 'ca.pem'),
      requestTimeoutSeconds: 60,
      exportTimeoutSeconds: 21_600,
      parallelDownloads: 4,
      pageSize: 1000,
      incrementalSeconds: 3600,
    });
    expect(JSON.stringify(describeConfig(config))).not.toContain('not-shown-anywhere');
  });

  it('needs files or a server, and refuses both', () => {
    expect(problems({})).toEqual([expect.stringMatching(/^SITE_DATA or SITE_FHIR_BASE_URL is required/)]);
    expect(problems({ SITE_DATA: '/data', SITE_FHIR_BASE_URL: 'http://127.0.0.1:8080/fhir' })).toEqual([
      'SITE_DATA and SITE_FHIR_BASE_URL are both set: choose files or a FHIR server',
    ]);
  });

  it('names what each authentication and export level needs', () => {
    const url = { SITE_FHIR_BASE_URL: 'http://127.0.0.1:8080/fhir' };
    expect(problems({ ...url, SITE_FHIR_AUTH: 'basic' }).map((p) => p.split(' ')[0])).toEqual([
      'SITE_FHIR_USERNAME',
      'SITE_FHIR_PASSWORD_FILE',
    ]);
    expect(problems({ ...url, SITE_FHIR_AUTH: 'bearer' })[0]).toMatch(/^SITE_FHIR_TOKEN_FILE is required/);
    expect(problems({ ...url, SITE_FHIR_AUTH: 'smart-backend' }).map((p) => p.split(' ')[0])).toEqual([
      'SITE_FHIR_CLIENT_ID',
      'SITE_FHIR_PRIVATE_KEY_FILE',
    ]);
    expect(problems({ ...url, SITE_FHIR_EXPORT_LEVEL: 'group' })[0]).toMatch(/^SITE_FHIR_GROUP_ID is required/);
    expect(problems({ ...url, SITE_FHIR_READ: 'search', SITE_FHIR_INCREMENTAL_SECONDS: '60' })[0]).toMatch(
      /^SITE_FHIR_INCREMENTAL_SECONDS needs SITE_FHIR_READ=bulk-export/,
    );
  });

  it('refuses a number out of its range and says what it got', () => {
    const url = { SITE_FHIR_BASE_URL: 'http://127.0.0.1:8080/fhir' };
    expect(problems({ ...url, SITE_FHIR_PARALLEL_DOWNLOADS: '33', SITE_FHIR_PAGE_SIZE: 'many' })).toEqual([
      'SITE_FHIR_PARALLEL_DOWNLOADS must be a whole number from 1 to 32, got "33"',
      'SITE_FHIR_PAGE_SIZE must be a whole number from 1 to 10000, got "many"',
    ]);
  });

  it('refuses URLs with credentials or another scheme, and server settings without a server', () => {
    expect(problems({ SITE_FHIR_BASE_URL: 'https://user:pw@fhir.example.org' })[0]).toMatch(/no credentials/);
    expect(problems({ SITE_FHIR_BASE_URL: 'ftp://fhir.example.org' })[0]).toMatch(/http:\/\/ or https:\/\//);
    expect(problems({ SITE_DATA: '/data', SITE_FHIR_CLIENT_ID: 'x' })).toEqual([
      'SITE_FHIR_CLIENT_ID is set but SITE_FHIR_BASE_URL is not',
    ]);
  });

  it('refuses a CA file that is missing or holds no certificate', async () => {
    await writeFile(join(dir, 'notes.txt'), 'hello');
    const url = { SITE_FHIR_BASE_URL: 'https://127.0.0.1:8443/fhir' };
    expect(problems({ ...url, SITE_FHIR_CA_FILE: 'missing.pem' })).toEqual([
      `SITE_FHIR_CA_FILE cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
    ]);
    expect(problems({ ...url, SITE_FHIR_CA_FILE: 'notes.txt' })[0]).toMatch(/holds no PEM certificate/);
  });

  it('refuses a credential file others can read, without quoting it', async () => {
    await secretFile('token', 0o644);
    const listed = problems({
      SITE_FHIR_BASE_URL: 'http://127.0.0.1:8080/fhir',
      SITE_FHIR_AUTH: 'bearer',
      SITE_FHIR_TOKEN_FILE: 'token',
    });
    expect(listed).toEqual([expect.stringMatching(/^SITE_FHIR_TOKEN_FILE .*readable by others/)]);
    expect(listed.join()).not.toContain('not-shown-anywhere');
  });
});
