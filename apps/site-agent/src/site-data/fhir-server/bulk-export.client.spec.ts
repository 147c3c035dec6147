import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@fq/process-kit';
import { FhirServerDouble, type StoredResource } from '../../../../../test/support/fhir-server';
import { createTestCertificates } from '../../../../../test/support/tls-certificates';
import type { FhirAuthSource, FhirSourceSettings } from '../../config/fhir-source.schema';
import { fhirSourceSettings } from './__fixtures__/fhir-source-settings';
import { BulkExportClient, type FhirSourceEvent } from './bulk-export.client';
import { mergeExportFiles, readGzipLines } from './export-merge';
import { createFhirAuthorizer } from './fhir-auth';
import { FhirHttp, type RetryPolicy } from './fhir-http';
import { FhirSearchClient } from './fhir-search.client';
import { FhirServerError } from './fhir-server.errors';

/** The FhirServerError a promise rejects with; fails the test when it resolves or rejects with anything else. */
async function failureOf(promise: Promise<unknown>): Promise<FhirServerError> {
  const settled = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(settled instanceof FhirServerError)) {
    throw new Error(`expected a FhirServerError, got ${String(settled)}`);
  }
  return settled;
}

const RETRY: RetryPolicy = { attempts: 4, firstDelayMs: 10, maxDelayMs: 50 };
const TYPES = ['Condition', 'Patient'];

function patients(n: number, gender = 'female'): StoredResource[] {
  return Array.from({ length: n }, (_, i) => ({ resourceType: 'Patient', id: `p${i}`, gender }));
}

function conditions(n: number): StoredResource[] {
  return Array.from({ length: n }, (_, i) => ({
    resourceType: 'Condition',
    id: `c${i}`,
    subject: { reference: `Patient/p${i}` },
    code: { coding: [{ system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm', code: 'E11.9' }] },
  }));
}

describe('BulkExportClient against the FHIR server double', () => {
  let dir: string;
  let server: FhirServerDouble;
  let waits: number[];
  let events: FhirSourceEvent[];
  let http: FhirHttp;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulk-export-'));
    waits = [];
    events = [];
  });

  afterEach(async () => {
    await http?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(options: Parameters<typeof FhirServerDouble.start>[0] = {}): Promise<void> {
    server = await FhirServerDouble.start({ resourcesPerFile: 7, ...options });
    server.put(...patients(20), ...conditions(12));
  }

  function settings(overrides: Partial<FhirSourceSettings> = {}): FhirSourceSettings {
    return fhirSourceSettings(server.baseUrl, overrides);
  }

  async function smartAuth(): Promise<FhirAuthSource> {
    const keyFile = join(dir, 'client-key.pem');
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await chmod(keyFile, 0o600);
    return {
      kind: 'smart-backend',
      clientId: 'site-agent',
      privateKeyFile: keyFile,
      keyId: null,
      tokenUrl: null,
      scope: 'system/*.read',
    };
  }

  function client(config: FhirSourceSettings): BulkExportClient {
    http = new FhirHttp(config, RETRY, (ms) => {
      waits.push(ms);
      return Promise.resolve();
    });
    return new BulkExportClient(config, http, createFhirAuthorizer(config.auth, http), (event) => events.push(event));
  }

  async function linesOf(files: readonly string[]): Promise<unknown[]> {
    const lines: unknown[] = [];
    for (const file of files) {
      for await (const line of readGzipLines(join(dir, file))) {
        lines.push(JSON.parse(line));
      }
    }
    return lines;
  }

  it('kicks off as the IG says, polls by Retry-After, downloads every file and deletes the job', async () => {
    await start();
    const exported = await client(settings()).export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000));

    const [kickOff] = server.seen('$export');
    expect(kickOff.headers.prefer).toBe('respond-async');
    expect(kickOff.headers.accept).toBe('application/fhir+json');
    expect(kickOff.query.get('_type')).toBe('Condition,Patient');
    expect(kickOff.query.get('_since')).toBeNull();
    // Two 202 answers with Retry-After: 1, then the manifest.
    expect(waits).toEqual([1000, 1000]);
    expect(events.filter((event) => event.kind === 'progress')).toHaveLength(2);
    expect(exported.files).toHaveLength(5);
    expect(exported.digest.lines).toBe(32);
    const lines = await linesOf(exported.files);
    expect(lines.filter((line) => (line as StoredResource).resourceType === 'Patient')).toHaveLength(20);
    expect(server.deletedJobs).toHaveLength(1);
    expect((await readdir(dir)).every((name) => name.endsWith('.ndjson.gz'))).toBe(true);
  });

  it('gets a SMART backend token once, sends it with every request and the files, and renews it after a 401', async () => {
    await start({ client: { clientId: 'site-agent', publicKey } });
    const config = settings({ auth: await smartAuth() });
    const exporter = client(config);
    await exporter.export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000));
    expect(server.seen('token')).toHaveLength(1);
    expect(server.seen('bulk-files').every((request) => request.headers.authorization?.startsWith('Bearer '))).toBe(
      true,
    );

    server.expireTokens();
    const again = await exporter.export({ types: TYPES, since: null }, join(dir), AbortSignal.timeout(10_000));
    expect(again.digest.lines).toBe(32);
    expect(server.seen('token')).toHaveLength(2);
  });

  it('refuses a client whose assertion the server cannot verify', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await start({ client: { clientId: 'site-agent', publicKey: other.publicKey } });
    const failure = client(settings({ auth: await smartAuth() })).export(
      { types: TYPES, since: null },
      dir,
      AbortSignal.timeout(10_000),
    );
    const error = await failureOf(failure);
    expect(error.code).toBe('FHIR_SERVER_AUTH_FAILED');
    expect(error.message).toContain('invalid_client');
  });

  it('waits as a 429 Retry-After says and retries 5xx and cut-off files until the data are complete', async () => {
    await start();
    server.inject({ at: 'status', status: 429, retryAfter: '7' });
    server.inject({ at: 'file', status: 503, retryAfter: '2' });
    server.inject({ at: 'file', truncate: true });
    const exported = await client(settings()).export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000));

    expect(waits).toContain(7000);
    expect(waits).toContain(2000);
    expect(events.some((event) => event.kind === 'retry' && event.step === 'download')).toBe(true);
    expect(exported.digest.lines).toBe(32);
    const ids = (await linesOf(exported.files)).map((line) => (line as StoredResource).id);
    expect(new Set(ids).size).toBe(32);
  });

  it('fails with the OperationOutcome of a failed job, and still deletes the job', async () => {
    await start();
    server.inject({ at: 'status', status: 500, issueCode: 'processing' });
    const failure = client(settings()).export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000));
    const error = await failureOf(failure);
    expect(error.code).toBe('FHIR_SERVER_EXPORT_FAILED');
    expect(error.message).toContain('error processing injected fault');
    expect(server.seen('bulk-status').some((request) => request.method === 'DELETE')).toBe(true);
  });

  it('fails when a file stays broken after the retries', async () => {
    await start();
    server.inject({ at: 'file', truncate: true, times: 100 });
    const failure = client(settings()).export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000));
    expect((await failureOf(failure)).code).toBe('FHIR_SERVER_FILE_TRUNCATED');
    expect(server.deletedJobs).toHaveLength(1);
  });

  it('retries a transient status failure, but not for ever', async () => {
    await start();
    server.inject({ at: 'status', status: 503, issueCode: 'transient', times: 2 });
    const exported = await client(settings()).export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000));
    expect(exported.digest.lines).toBe(32);
    server.inject({ at: 'status', status: 503, issueCode: 'transient', times: 100 });
    const error = await failureOf(
      client(settings()).export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000)),
    );
    expect(error.code).toBe('FHIR_SERVER_EXPORT_FAILED');
    expect(error.message).toContain('repeatedly');
  });

  it('asks Patient and Group level exports at their URLs', async () => {
    await start();
    await client(settings({ exportLevel: 'group', groupId: 'cohort-1' }))
      .export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000))
      .catch(() => undefined);
    expect(server.requests.some((request) => request.path === '/fhir/Group/cohort-1/$export')).toBe(true);
    await client(settings({ exportLevel: 'patient' })).export(
      { types: TYPES, since: null },
      dir,
      AbortSignal.timeout(10_000),
    );
    expect(server.seen('Patient/$export')).toHaveLength(1);
  });

  it('reports the server error files and keeps the export', async () => {
    await start();
    server.reportErrors('Observation/o7 could not be read');
    const exported = await client(settings()).export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000));
    expect(exported.serverErrors).toBe(1);
    expect(events).toContainEqual({
      kind: 'server-errors',
      count: 1,
      samples: ['error processing Observation/o7 could not be read'],
    });
  });

  it('exports only the changes _since a transactionTime, and merging them gives the data as they are now', async () => {
    await start();
    const exporter = client(settings());
    const full = await exporter.export({ types: TYPES, since: null }, dir, AbortSignal.timeout(10_000));
    server.put(
      { resourceType: 'Patient', id: 'p3', gender: 'male' },
      { resourceType: 'Patient', id: 'p99', gender: 'male' },
    );
    server.delete('Condition/c0', 'Patient/p0');
    const deltaDir = await mkdtemp(join(dir, 'delta-'));
    const delta = await exporter.export(
      { types: TYPES, since: full.transactionTime },
      deltaDir,
      AbortSignal.timeout(10_000),
    );
    expect(server.seen('$export')[1].query.get('_since')).toBe(full.transactionTime);
    expect(delta.digest.lines).toBe(2);
    expect(delta.deletedFiles).toHaveLength(1);

    const mergedDir = await mkdtemp(join(dir, 'merged-'));
    const merged = await mergeExportFiles(
      full.files.map((file) => join(dir, file)),
      delta.files.map((file) => join(deltaDir, file)),
      delta.deletedFiles.map((file) => join(deltaDir, file)),
      mergedDir,
    );
    const resources: StoredResource[] = [];
    for (const file of merged.files) {
      for await (const line of readGzipLines(join(mergedDir, file))) {
        resources.push(JSON.parse(line) as StoredResource);
      }
    }
    const byKey = new Map(resources.map((resource) => [`${resource.resourceType}/${resource.id}`, resource]));
    expect(resources).toHaveLength(byKey.size);
    expect(byKey.size).toBe(32 + 1 - 2);
    expect(byKey.get('Patient/p3')?.gender).toBe('male');
    expect(byKey.has('Patient/p0')).toBe(false);
    expect(byKey.has('Condition/c0')).toBe(false);
    expect(merged.digest.lines).toBe(31);
  });
});

describe('FhirSearchClient against the FHIR server double', () => {
  it('follows next links page by page and writes one file per type', async () => {
    const server = await FhirServerDouble.start({ bulkExport: false });
    const dir = await mkdtemp(join(tmpdir(), 'fhir-search-'));
    const config = { baseUrl: server.baseUrl, caFile: null, requestTimeoutSeconds: 10, pageSize: 8 };
    const http = new FhirHttp(config, RETRY, () => Promise.resolve());
    try {
      server.put(...patients(20), ...conditions(12));
      server.inject({ at: 'search', status: 502 });
      const read = await new FhirSearchClient(
        config,
        http,
        createFhirAuthorizer({ kind: 'none' }, http),
        () => undefined,
      ).read(TYPES, dir, AbortSignal.timeout(10_000));
      expect(read.files).toEqual(['00000-Condition.ndjson.gz', '00001-Patient.ndjson.gz']);
      expect(read.digest.lines).toBe(32);
      expect(server.seen('Patient').map((request) => request.query.get('_count'))).toEqual(['8', '8', '8']);
    } finally {
      await http.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the FHIR client over TLS, with timeouts and token lifetimes', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fhir-tls-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trusts a server certificate from the configured CA, and no other', async () => {
    const certificates = await createTestCertificates(join(dir, 'tls'));
    const server = await FhirServerDouble.start({
      pollsBeforeDone: 0,
      tls: {
        cert: await readFile(certificates.serverCertFile, 'utf8'),
        key: await readFile(certificates.serverKeyFile, 'utf8'),
      },
    });
    server.put(...patients(3));
    const exportWith = async (caFile: string | null): Promise<number> => {
      const config = {
        baseUrl: server.baseUrl,
        exportLevel: 'system' as const,
        groupId: null,
        parallelDownloads: 2,
        caFile,
        requestTimeoutSeconds: 5,
      };
      const http = new FhirHttp(config, { attempts: 1, firstDelayMs: 1, maxDelayMs: 1 }, () => Promise.resolve());
      try {
        const client = new BulkExportClient(
          config,
          http,
          createFhirAuthorizer({ kind: 'none' }, http),
          () => undefined,
        );
        const exported = await client.export({ types: ['Patient'], since: null }, dir, AbortSignal.timeout(10_000));
        return exported.digest.lines;
      } finally {
        await http.close();
      }
    };
    try {
      expect(server.baseUrl).toMatch(/^https:/);
      expect(await exportWith(certificates.caFile)).toBe(3);
      const untrusted = await exportWith(null).then(
        () => null,
        (error: unknown) => error,
      );
      expect(untrusted).toBeInstanceOf(FhirServerError);
      expect((untrusted as FhirServerError).code).toBe('FHIR_SERVER_UNREACHABLE');
    } finally {
      await server.close();
    }
  });

  it('gives up on a file that does not come within the request timeout, and retries it', async () => {
    const server = await FhirServerDouble.start({ pollsBeforeDone: 0 });
    server.put(...patients(5));
    server.inject({ at: 'file', delayMs: 1500 });
    const config = {
      baseUrl: server.baseUrl,
      exportLevel: 'system' as const,
      groupId: null,
      parallelDownloads: 1,
      caFile: null,
      requestTimeoutSeconds: 1,
    };
    const reasons: string[] = [];
    const http = new FhirHttp(config, RETRY, () => Promise.resolve());
    try {
      const client = new BulkExportClient(config, http, createFhirAuthorizer({ kind: 'none' }, http), (event) => {
        if (event.kind === 'retry') {
          reasons.push(event.reason);
        }
      });
      const exported = await client.export({ types: ['Patient'], since: null }, dir, AbortSignal.timeout(10_000));
      expect(exported.digest.lines).toBe(5);
      expect(reasons.join()).toMatch(/Timeout/i);
    } finally {
      await http.close();
      await server.close();
    }
  });

  it('reuses a SMART token until shortly before it expires, then gets a new one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const server = await FhirServerDouble.start({
      client: { clientId: 'agent', publicKey, tokenLifetimeSeconds: 3 },
    });
    const keyFile = join(dir, 'key.pem');
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const http = new FhirHttp({ baseUrl: server.baseUrl, caFile: null, requestTimeoutSeconds: 5 }, RETRY, () =>
      Promise.resolve(),
    );
    const auth = createFhirAuthorizer(
      {
        kind: 'smart-backend',
        clientId: 'agent',
        privateKeyFile: keyFile,
        keyId: 'k1',
        tokenUrl: null,
        scope: 'system/*.read',
      },
      http,
    );
    try {
      const first = await auth.authorization();
      expect(await auth.authorization()).toBe(first);
      // A 3 s token is renewed a fifth of its lifetime early, after 2.4 s, before the server would refuse it.
      const renewed = await waitFor(
        async () => {
          const current = await auth.authorization();
          return current !== first && current;
        },
        'a renewed token',
        5000,
      );
      expect(renewed).toMatch(/^Bearer /);
      expect(server.seen('token')).toHaveLength(2);
      expect(server.seen('.well-known/smart-configuration')).toHaveLength(1);
    } finally {
      await http.close();
      await server.close();
    }
  });
});
