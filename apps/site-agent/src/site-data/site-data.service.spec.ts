import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateQuery, type PatientIndex } from '@fq/engine';
import { DEFAULT_PROTECTION_POLICY } from '@fq/privacy';
import { memoryNumbering } from '../protection/__fixtures__/memory-numbering';
import { CountProtectionService } from '../protection/count-protection.service';
import { ManualClock } from '../__fixtures__/manual-clock';
import {
  buildIndex,
  createSiteWorld,
  EMPTY_SUMMARY,
  FEMALE_QUERY,
  queryEnvelope,
} from '../queries/__fixtures__/site-world';
import { waitFor } from '@fq/process-kit';
import {
  type LoadedSiteData,
  type LoadMode,
  SiteDataError,
  SiteDataLoader,
  type SiteDataResult,
  type SiteDataSource,
} from './site-data.loader';
import { SiteDataService } from './site-data.service';

const SUMMARY = EMPTY_SUMMARY;
const NUMBERING = memoryNumbering();
const COHORT_KEYS = new CountProtectionService(new Uint8Array(32).fill(3), DEFAULT_PROTECTION_POLICY, NUMBERING);

/** A data source whose loads finish only when the test says so. */
class ControlledSource implements SiteDataSource {
  loads = 0;
  fingerprintValue = 'fp-1';
  readonly modes: LoadMode[] = [];
  private readonly waiting: Array<(result: SiteDataResult) => void> = [];

  fingerprint(): Promise<string> {
    return Promise.resolve(this.fingerprintValue);
  }

  load(mode: LoadMode = 'full'): Promise<SiteDataResult> {
    this.loads++;
    this.modes.push(mode);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Completes the oldest pending load with data a source found unchanged: the very index it handed out before. */
  finishWith(data: LoadedSiteData): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      throw new Error('no load is pending');
    }
    next({ ok: true, value: data });
  }

  /** Completes the oldest pending load with an index of `female` women, as `version`. */
  finish(female: number, version: string): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      throw new Error('no load is pending');
    }
    const index = buildIndex(female, 0);
    next({ ok: true, value: { index, dataVersion: version, fingerprint: `fp-${version}`, summary: SUMMARY } });
  }

  fail(): void {
    this.waiting.shift()?.({ ok: false, error: new SiteDataError('SITE_DATA_NO_INPUT', 'the export is gone') });
  }

  get pending(): number {
    return this.waiting.length;
  }
}

const countWomen = (index: PatientIndex): number =>
  evaluateQuery(index, FEMALE_QUERY, { evaluationDate: '2025-03-01' }).rawCount;

async function startedService(source: ControlledSource): Promise<SiteDataService> {
  const service = new SiteDataService(source, new ManualClock('2025-03-01T10:00:00.000Z'));
  const initial = service.loadInitial();
  source.finish(10, 'v1');
  await initial;
  return service;
}

describe('SiteDataService', () => {
  it('keeps answering from the old index while the new one is built, then swaps', async () => {
    const source = new ControlledSource();
    const service = await startedService(source);

    const reload = service.reload('signal');
    await waitFor(() => source.pending === 1, 'the reload to start');
    expect(service.state).toBe('reloading');
    expect(service.current().dataVersion).toBe('v1');
    expect(countWomen(service.current().index)).toBe(10);

    source.finish(20, 'v2');
    const outcome = await reload;
    expect(outcome.kind).toBe('reloaded');
    expect(service.state).toBe('ready');
    expect(service.current().dataVersion).toBe('v2');
    expect(countWomen(service.current().index)).toBe(20);
  });

  it('keeps the old data when a reload fails', async () => {
    const source = new ControlledSource();
    const service = await startedService(source);

    const reload = service.reload('signal');
    await waitFor(() => source.pending === 1, 'the reload to start');
    source.fail();

    expect(await reload).toMatchObject({ kind: 'failed', error: { code: 'SITE_DATA_NO_INPUT' } });
    expect(service.current().dataVersion).toBe('v1');
    expect(service.state).toBe('ready');
  });

  it('skips a scheduled reload when the files did not change, but a signal always reloads', async () => {
    const source = new ControlledSource();
    const service = await startedService(source);
    source.fingerprintValue = 'fp-v1';

    expect((await service.reload('schedule')).kind).toBe('unchanged');
    expect(source.loads).toBe(1);

    const signalled = service.reload('signal');
    await waitFor(() => source.pending === 1, 'the reload to start');
    source.finish(10, 'v1b');
    expect((await signalled).kind).toBe('reloaded');
    expect(source.loads).toBe(2);
  });

  it('runs requests made during a reload once more afterwards, not once each', async () => {
    const source = new ControlledSource();
    const service = await startedService(source);

    const first = service.reload('signal');
    const second = service.reload('schedule');
    const third = service.reload('signal');
    await waitFor(() => source.pending === 1, 'the first reload to start');
    source.finish(11, 'v2');
    await first;
    await waitFor(() => source.pending === 1, 'the queued reload to start');
    source.finish(12, 'v3');

    expect(await second).toBe(await third);
    expect(source.loads).toBe(3);
    expect(service.current().dataVersion).toBe('v3');
  });

  it('asks the source for the changes only on an incremental refresh, and for everything at start and otherwise', async () => {
    const source = new ControlledSource();
    const service = await startedService(source);
    const incremental = service.reload('incremental');
    await waitFor(() => source.pending === 1, 'the refresh to start');
    source.finish(11, 'v2');
    await incremental;
    const signalled = service.reload('signal');
    await waitFor(() => source.pending === 1, 'the reload to start');
    source.finish(11, 'v3');
    await signalled;
    expect(source.modes).toEqual(['initial', 'incremental', 'full']);
  });

  it('keeps the index and version when the source hands back the index in hand, but dates the data anew', async () => {
    const source = new ControlledSource();
    const clock = new ManualClock('2025-03-01T10:00:00.000Z');
    const service = new SiteDataService(source, clock);
    const initial = service.loadInitial();
    source.finish(10, 'v1');
    await initial;
    const before = service.current();
    clock.advance(60_000);

    const refresh = service.reload('incremental');
    await waitFor(() => source.pending === 1, 'the refresh to start');
    source.finishWith({ ...before, origin: { source: 'fhir-bulk-export', asOf: '2025-03-01T10:00:59.000Z' } });
    const outcome = await refresh;

    expect(outcome.kind).toBe('unchanged');
    expect(service.current().index).toBe(before.index);
    expect(service.current().dataVersion).toBe('v1');
    expect(service.current().loadedAt).toEqual(before.loadedAt);
    expect(service.current().refreshedAt.toISOString()).toBe('2025-03-01T10:01:00.000Z');
    expect(service.current().origin?.asOf).toBe('2025-03-01T10:00:59.000Z');
  });

  it('runs a full reload asked for during an incremental one in its place, not an incremental one', async () => {
    const source = new ControlledSource();
    const service = await startedService(source);
    const first = service.reload('incremental');
    const queuedIncremental = service.reload('incremental');
    const queuedFull = service.reload('schedule');
    await waitFor(() => source.pending === 1, 'the first refresh to start');
    source.finish(11, 'v2');
    await first;
    await waitFor(() => source.pending === 1, 'the queued reload to start');
    source.finish(12, 'v3');
    expect(await queuedIncremental).toBe(await queuedFull);
    expect(source.modes).toEqual(['initial', 'incremental', 'full']);
  });

  it('lets the query path answer during a reload, from the data that were current', async () => {
    const source = new ControlledSource();
    const loading = createSiteWorld({ source });
    await waitFor(() => source.pending === 1, 'the initial load');
    source.finish(43, 'v1');
    const world = await loading;
    try {
      const reload = world.siteData.reload('signal');
      await waitFor(() => source.pending === 1, 'the reload to start');
      await expect(world.admit(queryEnvelope())).resolves.toBe('ack');
      source.finish(55, 'v2');
      await reload;
      await world.admit(queryEnvelope());

      expect(
        world.publisher.published.map((e) => (e.payload.status === 'answered' ? e.payload.dataVersion : null)),
      ).toEqual(['v1', 'v2']);
    } finally {
      await world.close();
    }
  });
});

describe('SiteDataLoader', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'site-data-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const patients = (n: number): string =>
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({ resourceType: 'Patient', id: `p${i}`, gender: 'female' }),
    ).join('\n');

  const loader = (overrides: Partial<ConstructorParameters<typeof SiteDataLoader>[0]> = {}): SiteDataLoader =>
    new SiteDataLoader(
      {
        dataPaths: [dir],
        mappingFile: null,
        conceptTreeFiles: [],
        upstreamCompatible: false,
        dataVersionOverride: null,
        ...overrides,
      },
      COHORT_KEYS,
    );

  it('keeps a cohort key across a reload of other files holding the same patients', async () => {
    await writeFile(join(dir, 'Patient.ndjson'), patients(5));
    const first = await loader().load();
    await rm(join(dir, 'Patient.ndjson'));
    // Other files, other order: the same five patients.
    await writeFile(join(dir, 'b.ndjson'), patients(5).split('\n').reverse().join('\n'));
    const second = await loader().load();
    if (!first.ok || !second.ok) {
      throw new Error('load failed');
    }
    expect(first.value.dataVersion).not.toBe(second.value.dataVersion);
    const women = (index: PatientIndex): string | null =>
      evaluateQuery(index, FEMALE_QUERY, { evaluationDate: '2025-03-01' }).cohortKey;
    expect(women(second.value.index)).toMatch(/^[0-9a-f]{32}$/);
    expect(women(second.value.index)).toBe(women(first.value.index));
  });

  it('saves the patient numbers before it hands out the index, and fails the load when it cannot', async () => {
    await writeFile(join(dir, 'Patient.ndjson'), patients(2));
    const saves = NUMBERING.saves;
    expect((await loader().load()).ok).toBe(true);
    expect(NUMBERING.saves).toBe(saves + 1);

    const full = Object.assign(Object.create(COHORT_KEYS) as CountProtectionService, {
      saveNumbers: () => Promise.reject(Object.assign(new Error('no space left'), { code: 'ENOSPC' })),
    });
    const failed = await new SiteDataLoader(
      {
        dataPaths: [dir],
        mappingFile: null,
        conceptTreeFiles: [],
        upstreamCompatible: false,
        dataVersionOverride: null,
      },
      full,
    ).load();
    expect(failed.ok ? null : [failed.error.code, failed.error.message]).toEqual([
      'SITE_DATA_LOAD_FAILED',
      'cannot save the patient numbers: ENOSPC',
    ]);
  });

  it('loads NDJSON into an index versioned by the files fingerprint', async () => {
    await writeFile(join(dir, 'Patient.ndjson'), patients(12));
    const result = await loader().load();
    if (!result.ok) {
      throw result.error;
    }
    expect(countWomen(result.value.index)).toBe(12);
    expect(result.value.dataVersion).toMatch(/^[0-9a-f]{64}$/);
    expect(result.value.dataVersion).toBe(result.value.fingerprint);
  });

  it('uses SITE_DATA_VERSION when given', async () => {
    await writeFile(join(dir, 'Patient.ndjson'), patients(1));
    const result = await loader({ dataVersionOverride: 'export-7' }).load();
    expect(result.ok && result.value.dataVersion).toBe('export-7');
  });

  it('changes the fingerprint when a data file changes, and only then', async () => {
    const file = join(dir, 'Patient.ndjson');
    await writeFile(file, patients(3));
    await utimes(file, new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z'));
    const before = await loader().fingerprint();
    await writeFile(join(dir, 'README.md'), 'not data');
    expect(await loader().fingerprint()).toBe(before);

    await writeFile(file, patients(4));
    expect(await loader().fingerprint()).not.toBe(before);
  });

  it('refuses a directory without FHIR input files', async () => {
    await writeFile(join(dir, 'notes.txt'), 'nothing here');
    const result = await loader().load();
    expect(result.ok ? null : result.error.code).toBe('SITE_DATA_NO_INPUT');
  });

  it('refuses a mapping file that is not valid JSON', async () => {
    await writeFile(join(dir, 'Patient.ndjson'), patients(1));
    await writeFile(join(dir, 'mapping.txt'), '{ nope');
    const result = await loader({ mappingFile: join(dir, 'mapping.txt') }).load();
    expect(result.ok ? null : result.error.code).toBe('SITE_DATA_MAPPING_INVALID');
  });
});
