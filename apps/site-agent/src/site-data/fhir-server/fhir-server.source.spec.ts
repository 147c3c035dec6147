import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateQuery } from '@fq/engine';
import { DEFAULT_PROTECTION_POLICY } from '@fq/privacy';
import { FhirServerDouble, type StoredResource } from '../../../../../test/support/fhir-server';
import type { FhirSourceSettings } from '../../config/fhir-source.schema';
import { CountProtectionService } from '../../protection/count-protection.service';
import { memoryNumbering } from '../../protection/__fixtures__/memory-numbering';
import { FEMALE_QUERY } from '../../queries/__fixtures__/site-world';
import { type LoadedSiteData, SiteDataLoader, type SiteDataResult } from '../site-data.loader';
import { fhirSourceSettings } from './__fixtures__/fhir-source-settings';
import { FhirServerSource } from './fhir-server.source';

const COHORT_KEYS = new CountProtectionService(
  new Uint8Array(32).fill(5),
  DEFAULT_PROTECTION_POLICY,
  memoryNumbering(),
);

function women(from: number, to: number): StoredResource[] {
  return Array.from({ length: to - from }, (_, i) => ({
    resourceType: 'Patient',
    id: `w${from + i}`,
    gender: 'female',
  }));
}

function value(result: SiteDataResult): LoadedSiteData {
  if (!result.ok) {
    throw result.error;
  }
  return result.value;
}

const countWomen = (data: LoadedSiteData): number =>
  evaluateQuery(data.index, FEMALE_QUERY, { evaluationDate: '2025-03-01' }).rawCount;

describe('FhirServerSource', () => {
  let stateDir: string;
  let server: FhirServerDouble;
  const sources: FhirServerSource[] = [];

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'fhir-source-'));
    server = await FhirServerDouble.start({ pollsBeforeDone: 0, resourcesPerFile: 4 });
    server.put(...women(0, 10), { resourceType: 'Patient', id: 'm1', gender: 'male' });
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.onModuleDestroy()));
    await server.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  function source(overrides: Partial<FhirSourceSettings> = {}): FhirServerSource {
    const fhirSource = fhirSourceSettings(server.baseUrl, {
      parallelDownloads: 2,
      pageSize: 5,
      incrementalSeconds: 60,
      ...overrides,
    });
    const config = { fhirSource, stateDir, dataVersionOverride: null };
    const loader = new SiteDataLoader(
      { ...config, dataPaths: [], mappingFile: null, conceptTreeFiles: [], upstreamCompatible: false },
      COHORT_KEYS,
    );
    const created = new FhirServerSource(config, loader);
    sources.push(created);
    return created;
  }

  it('exports at the first start, keeps the export private, and asks only for the types the mapping reads', async () => {
    const data = value(await source().load('initial'));
    expect(countWomen(data)).toBe(10);
    expect(data.origin).toEqual({ source: 'fhir-bulk-export', asOf: expect.any(String) as string });
    const types = server.seen('$export')[0].query.get('_type')?.split(',') ?? [];
    expect(types).toEqual(expect.arrayContaining(['Patient', 'Condition', 'Observation']));
    expect(types).not.toContain('Bundle');
    const root = join(stateDir, 'fhir-export');
    const [layer] = (await readdir(root)).filter((name) => name.startsWith('layer-'));
    expect((await stat(join(root, layer))).mode & 0o777).toBe(0o700);
    for (const file of await readdir(join(root, layer))) {
      expect((await stat(join(root, layer, file))).mode & 0o777).toBe(0o600);
    }
  });

  it('restarts from the kept export without asking the server', async () => {
    const first = value(await source().load('initial'));
    await server.close();
    const restarted = value(await source().load('initial'));
    expect(countWomen(restarted)).toBe(10);
    expect(restarted.dataVersion).toBe(first.dataVersion);
    expect(restarted.origin).toEqual(first.origin);
  });

  it('keeps the index and the data version when an incremental refresh finds nothing new', async () => {
    const agent = source();
    const first = value(await agent.load('initial'));
    const second = value(await agent.load('incremental'));
    expect(second.index).toBe(first.index);
    expect(second.dataVersion).toBe(first.dataVersion);
    expect(server.seen('$export')[1].query.get('_since')).toBe(first.origin?.asOf);
    expect(second.origin?.asOf).not.toBe(first.origin?.asOf);
  });

  it('merges changes and deletions into a new index with a new data version', async () => {
    const agent = source();
    const first = value(await agent.load('initial'));
    server.put(...women(10, 15));
    server.delete('Patient/w0');
    const second = value(await agent.load('incremental'));
    expect(countWomen(second)).toBe(14);
    expect(second.dataVersion).not.toBe(first.dataVersion);
    // The same data read in full give the same version: it names the data, not the way they came.
    const full = value(await agent.load('full'));
    expect(full.dataVersion).toBe(second.dataVersion);
    expect(full.index).toBe(second.index);
  });

  it('fails a refresh with the server reason and keeps the export it had', async () => {
    const agent = source();
    const first = value(await agent.load('initial'));
    server.inject({ at: 'status', status: 500 });
    const failed = await agent.load('full');
    expect(failed.ok ? null : failed.error.code).toBe('SITE_DATA_SOURCE_FAILED');
    expect(failed.ok ? '' : failed.error.message).toMatch(
      /^FHIR_SERVER_EXPORT_FAILED: the export job answered HTTP 500/,
    );
    const root = join(stateDir, 'fhir-export');
    expect((await readdir(root)).filter((name) => name.startsWith('layer-'))).toHaveLength(1);
    const restarted = value(await source().load('initial'));
    expect(restarted.dataVersion).toBe(first.dataVersion);
  });

  it('reads a server without $export by paged search', async () => {
    const data = value(await source({ read: 'search', incrementalSeconds: 0 }).load('initial'));
    expect(countWomen(data)).toBe(10);
    expect(data.origin?.source).toBe('fhir-search');
    expect(server.seen('Patient').length).toBeGreaterThan(1);
  });
});
