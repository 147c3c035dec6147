import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SiteStateList } from '@fq/contracts';
import { readFhirResources } from '@fq/engine';
import { waitFor } from '@fq/process-kit';
import { FhirServerDouble, type StoredResource } from './support/fhir-server';
import { adultsQuery, type AuditLine, type BrokerHandle, NetworkWorld, type SiteHandle } from './support';

// Discrete Laplace noise with ε = 1/2 exceeds ±35 with probability below 1e-7; rounding adds at most 5.
const NOISE_TOLERANCE = 40;
/** Adults put on the server per change: far more than the noise, so a refreshed answer is told apart. */
const NEW_ADULTS = 150;

function adults(prefix: string, n: number): StoredResource[] {
  return Array.from({ length: n }, (_, i) => ({
    resourceType: 'Patient',
    id: `${prefix}-${i}`,
    gender: 'female',
    birthDate: '1960-01-01',
  }));
}

describe('a site agent whose data come from a FHIR server', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let server: FhirServerDouble;
  let site: SiteHandle;
  let siteEnv: Record<string, string>;
  let siteId: string;
  let exactAdults: number;

  /** The site's protected count of adults, asked through the broker: the total, as the network has this one site. */
  async function adultsAnswer(): Promise<{ count: number; queryId: string }> {
    const queryId = await broker.client.submit(adultsQuery());
    const result = await broker.client.waitForResult(queryId, (r) => r.status !== 'running', 20_000);
    const row = result.sites.find((candidate) => candidate.siteId === siteId);
    if (row?.status !== 'answered' || result.total === null) {
      throw new Error(`the site did not answer: ${JSON.stringify(result)}\n${world.tails()}`);
    }
    return { count: result.total, queryId };
  }

  const dataRecords = async (decision: string): Promise<AuditLine[]> =>
    (await world.auditLog(siteId)).filter((line) => line.decision === decision);

  async function siteState() {
    const answer = await broker.client.get('/api/v1/sites');
    const state = SiteStateList.parse(answer.body).find((candidate) => candidate.id === siteId);
    if (state === undefined) {
      throw new Error(`${siteId} is not listed`);
    }
    return state;
  }

  beforeAll(async () => {
    world = await NetworkWorld.create();
    siteId = world.newSiteId('fhir');
    const data = await world.generateSite(siteId, 300);
    exactAdults = data.exactCount(adultsQuery());

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    // A short token lifetime: the agent renews its token before expiry while refreshes run.
    server = await FhirServerDouble.start({
      client: { clientId: `feasibility-${siteId}`, publicKey, tokenLifetimeSeconds: 20 },
      resourcesPerFile: 400,
    });
    const resources: StoredResource[] = [];
    for await (const { resource } of readFhirResources([data.dir])) {
      resources.push(resource as StoredResource);
    }
    server.put(...resources);

    const keyDir = join(world.root, 'fhir-client');
    await mkdir(keyDir, { recursive: true, mode: 0o700 });
    const keyFile = join(keyDir, 'client-key.pem');
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

    broker = await world.startBroker(world.brokerEnv([siteId]));
    const { SITE_DATA: _files, ...env } = world.siteEnv(siteId, data, {
      SITE_FHIR_BASE_URL: server.baseUrl,
      SITE_FHIR_AUTH: 'smart-backend',
      SITE_FHIR_CLIENT_ID: `feasibility-${siteId}`,
      SITE_FHIR_PRIVATE_KEY_FILE: keyFile,
      SITE_FHIR_INCREMENTAL_SECONDS: '2',
      SITE_REFRESH_RETRY_SECONDS: '1',
      SITE_FHIR_TIMEOUT_SECONDS: '10',
    });
    siteEnv = env;
    site = await world.startSite(siteId, siteEnv);
  }, 120_000);

  afterAll(async () => {
    await world?.close();
    await server?.close();
  });

  it('loads its data from the server and answers', async () => {
    const { count } = await adultsAnswer();
    expect(Math.abs(count - exactAdults)).toBeLessThanOrEqual(NOISE_TOLERANCE);

    const [kickOff] = server.seen('$export');
    expect(kickOff.query.get('_type')?.split(',')).toEqual(expect.arrayContaining(['Patient', 'Condition']));
    expect(server.seen('token').length).toBeGreaterThanOrEqual(1);
    expect(server.deletedJobs.length).toBeGreaterThanOrEqual(1);
    const state = await waitFor(async () => {
      const current = await siteState();
      return current.dataSource === null ? null : current;
    }, 'a heartbeat saying where the data come from');
    expect(state).toMatchObject({ online: true, dataSource: 'fhir-bulk-export' });
    expect(state.dataAsOf).not.toBeNull();
    expect(await dataRecords('data-loaded')).toHaveLength(1);
  });

  it('brings changes made on the server into its answers with an incremental refresh', async () => {
    const before = await adultsAnswer();
    const loads = (await dataRecords('data-loaded')).length;
    server.put(...adults('added', NEW_ADULTS));

    await waitFor(async () => (await dataRecords('data-loaded')).length > loads, 'a refresh with the changes', 30_000);
    const after = await adultsAnswer();

    expect(after.count - before.count).toBeGreaterThanOrEqual(NEW_ADULTS - 2 * NOISE_TOLERANCE);
    expect(Math.abs(after.count - (exactAdults + NEW_ADULTS))).toBeLessThanOrEqual(NOISE_TOLERANCE);
    const incremental = server.seen('$export').filter((request) => request.query.get('_since') !== null);
    expect(incremental.length).toBeGreaterThanOrEqual(1);
    const state = await siteState();
    expect(state.dataRefreshedAt).not.toBeNull();
  });

  it('keeps answering from the old index while the server fails mid-export, and catches up once it recovers', async () => {
    const before = await adultsAnswer();
    const failures = (await dataRecords('data-refresh-failed')).length;
    // Every export now fails after its kick-off, while polling: a job the server gave up on.
    server.inject({ at: 'status', status: 500, times: 1_000_000 });
    server.put(...adults('while-failing', NEW_ADULTS));

    await waitFor(
      async () => (await dataRecords('data-refresh-failed')).length > failures,
      'a failed refresh in the audit log',
      30_000,
    );
    const during = await adultsAnswer();
    // The same cohort as before the failure, so the same protected count (DESIGN.md, invariant 2).
    expect(during.count).toBe(before.count);
    const audit = await world.auditLog(siteId);
    const answeredBefore = audit.find((line) => line.queryId === before.queryId);
    const answeredDuring = audit.find((line) => line.queryId === during.queryId);
    expect(answeredDuring?.dataVersion).toBe(answeredBefore?.dataVersion);
    const failed = (await dataRecords('data-refresh-failed')).at(-1);
    expect(failed?.code).toBe('SITE_DATA_SOURCE_FAILED');
    expect(String(failed?.reason)).toMatch(/FHIR_SERVER_EXPORT_FAILED/);
    expect(site.app.process.output()).toMatch(/reload failed; still answering from the previous data/);

    const loads = (await dataRecords('data-loaded')).length;
    server.clearFaults();
    await waitFor(async () => (await dataRecords('data-loaded')).length > loads, 'a refresh after recovery', 30_000);
    const recovered = await adultsAnswer();
    expect(recovered.count - before.count).toBeGreaterThanOrEqual(NEW_ADULTS - 2 * NOISE_TOLERANCE);
  });

  it('restarts from the export it kept, without waiting for the server', async () => {
    const before = await adultsAnswer();
    await site.app.process.stop('SIGTERM');
    // The server refuses every export now: the restarted agent must not need one to answer.
    server.inject({ at: 'kick-off', status: 503, issueCode: 'processing', times: 1_000_000 });
    const kickOffs = server.seen('$export').length;

    site = await world.startSite(siteId, { ...siteEnv, SITE_FHIR_INCREMENTAL_SECONDS: '3600' });
    const after = await adultsAnswer();

    expect(after.count).toBe(before.count);
    expect(server.seen('$export')).toHaveLength(kickOffs);
    expect(site.app.process.output()).toMatch(/building from the export kept in the state dir/);
    server.clearFaults();
  });
});
