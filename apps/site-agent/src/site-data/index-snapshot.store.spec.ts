import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countCohort } from '@fq/engine';
import { DEFAULT_PROTECTION_POLICY } from '@fq/privacy';
import { CountProtectionService } from '../protection/count-protection.service';
import { PATIENT_NUMBERS_FILE, PatientNumbersStore } from '../protection/patient-numbers.store';
import { FEMALE_QUERY } from '../queries/__fixtures__/site-world';
import { INDEX_SNAPSHOT_FILE, IndexSnapshotStore } from './index-snapshot.store';
import { SiteDataLoader } from './site-data.loader';

const SECRET = new Uint8Array(32).fill(7);

const patients = (ids: string[], gender = 'female'): string =>
  ids.map((id) => JSON.stringify({ resourceType: 'Patient', id, gender })).join('\n');

describe('SiteDataLoader with an index snapshot', () => {
  let dir: string;
  let data: string;
  let state: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'index-snapshot-store-'));
    data = join(dir, 'patients.ndjson');
    await writeFile(data, patients(['a', 'b', 'c']));
    state = await mkdtemp(join(dir, 'state-'));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  /** A loader as a freshly started agent has it: the numbers file read anew, the snapshot on. */
  async function startedLoader(secret: Uint8Array = SECRET): Promise<SiteDataLoader> {
    const numbers = await PatientNumbersStore.open(state, secret);
    if (!numbers.ok) {
      throw numbers.error;
    }
    const protection = new CountProtectionService(secret, DEFAULT_PROTECTION_POLICY, numbers.value.store);
    return new SiteDataLoader(
      {
        dataPaths: [data],
        mappingFile: null,
        conceptTreeFiles: [],
        upstreamCompatible: false,
        dataVersionOverride: null,
        stateDir: state,
        indexSnapshot: true,
        ingestWorkers: 0,
      },
      protection,
    );
  }

  /** Loads once and says whether the index came from the snapshot. */
  async function load(loader: SiteDataLoader) {
    const restore = jest.spyOn(IndexSnapshotStore.prototype, 'restore');
    const loaded = await loader.load();
    if (!loaded.ok) {
      throw loaded.error;
    }
    const restored = (await restore.mock.results[0]?.value) as unknown;
    restore.mockRestore();
    const answer = countCohort(loaded.value.index, FEMALE_QUERY, { evaluationDate: '2025-01-01' });
    return { fromSnapshot: restored !== null && restored !== undefined, answer, summary: loaded.value.summary };
  }

  it('saves the built index and starts the next agent from it with the same answers', async () => {
    const first = await load(await startedLoader());
    expect(first.fromSnapshot).toBe(false);
    const second = await load(await startedLoader());
    expect(second.fromSnapshot).toBe(true);
    expect(second.answer).toEqual(first.answer);
    expect(second.summary.resources).toBe(3);
    expect(second.answer.rawCount).toBe(3);
  });

  it('reads the data on a refresh of the same process, never the snapshot', async () => {
    const loader = await startedLoader();
    await load(loader);
    expect((await load(loader)).fromSnapshot).toBe(false);
  });

  it('rebuilds when the data changed', async () => {
    await load(await startedLoader());
    await writeFile(data, patients(['a', 'b', 'c', 'd']));
    const after = await load(await startedLoader());
    expect(after).toMatchObject({ fromSnapshot: false, answer: { rawCount: 4 } });
    // The rebuilt index was saved: the next start uses it.
    expect((await load(await startedLoader())).answer.rawCount).toBe(4);
  });

  it('rebuilds when the patient numbers are others: grown, replaced or of another secret', async () => {
    await load(await startedLoader());
    const numbersFile = join(state, PATIENT_NUMBERS_FILE);
    await appendFile(numbersFile, Buffer.alloc(16, 9));
    expect((await load(await startedLoader())).fromSnapshot).toBe(false);

    await load(await startedLoader());
    expect((await load(await startedLoader(new Uint8Array(32).fill(8)))).fromSnapshot).toBe(false);
  });

  it('rebuilds from the data when the snapshot is corrupt, and answers as before', async () => {
    const first = await load(await startedLoader());
    const file = join(state, INDEX_SNAPSHOT_FILE);
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] ^= 0xff;
    await writeFile(file, bytes);
    const after = await load(await startedLoader());
    expect(after.fromSnapshot).toBe(false);
    expect(after.answer).toEqual(first.answer);
  });
});
