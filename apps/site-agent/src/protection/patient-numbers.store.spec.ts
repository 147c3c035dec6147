import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  PATIENT_NUMBERS_FILE,
  PatientNumbersStore,
  type PatientNumbersOpened,
  patientNumbersWarnings,
} from './patient-numbers.store';

const SECRET = new Uint8Array(32).fill(5);
const OTHER_SECRET = new Uint8Array(32).fill(6);

describe('PatientNumbersStore', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'patient-numbers-'));
    file = join(dir, PATIENT_NUMBERS_FILE);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function openStore(secret = SECRET, readOnly = false): Promise<PatientNumbersOpened> {
    const opened = await PatientNumbersStore.open(dir, secret, { readOnly });
    if (!opened.ok) {
      throw opened.error;
    }
    return opened.value;
  }

  it('numbers patients in order of first sight and keeps the numbers across a restart', async () => {
    const { store } = await openStore();
    expect(['p1', 'p2', 'p1', 'p3'].map((id) => store.numberOf(id))).toEqual([0, 1, 0, 2]);
    await store.save();
    const again = (await openStore()).store;
    expect(['p3', 'new', 'p1', 'p2'].map((id) => again.numberOf(id))).toEqual([2, 3, 0, 1]);
    expect(again.unsavedCount).toBe(1);
  });

  it('writes a private file that holds no patient id', async () => {
    const { store } = await openStore();
    store.numberOf('Patient-secret-id-4711');
    await store.save();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const content = await readFile(file);
    expect(content.includes(Buffer.from('4711'))).toBe(false);
    expect(content.length).toBe(32 + 16);
  });

  it('appends only what is new', async () => {
    const { store } = await openStore();
    store.numberOf('a');
    await store.save();
    const before = await readFile(file);
    store.numberOf('a');
    await store.save();
    expect((await readFile(file)).equals(before)).toBe(true);
    store.numberOf('b');
    await store.save();
    const after = await readFile(file);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(after.length).toBe(before.length + 16);
  });

  it('keeps numbers for random sequences of ids, saves and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'ä', ''), fc.boolean()), {
          maxLength: 30,
        }),
        async (steps) => {
          await rm(file, { force: true });
          let store = (await openStore()).store;
          const expected = new Map<string, number>();
          for (const [id, restart] of steps) {
            if (restart) {
              await store.save();
              store = (await openStore()).store;
            }
            const number = store.numberOf(id);
            expect(number).toBe(expected.get(id) ?? expected.size);
            expected.set(id, number);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('ignores an incomplete last record and cuts it at the next save', async () => {
    const { store } = await openStore();
    store.numberOf('a');
    await store.save();
    await appendFile(file, Buffer.from([1, 2, 3]));
    const opened = await openStore();
    expect(opened.incompleteTailBytes).toBe(3);
    expect(patientNumbersWarnings(opened).join()).toContain('incomplete last record of 3 bytes');
    expect(opened.store.numberOf('b')).toBe(1);
    await opened.store.save();
    expect((await readFile(file)).length).toBe(32 + 2 * 16);
    expect((await openStore()).store.numberOf('a')).toBe(0);
  });

  it('starts over, with a warning, when the file was made with another secret', async () => {
    const { store } = await openStore(OTHER_SECRET);
    ['x', 'y', 'z'].forEach((id) => store.numberOf(id));
    await store.save();
    const opened = await openStore();
    expect(opened.secretChanged).toBe(true);
    expect(patientNumbersWarnings(opened).join()).toContain('another site secret');
    expect(opened.store.numberOf('z')).toBe(0);
    await opened.store.save();
    expect((await readFile(file)).length).toBe(32 + 16);
    expect((await openStore()).secretChanged).toBe(false);
  });

  it('refuses a file that is not one of patient numbers, and one that numbers a record key twice', async () => {
    await writeFile(file, 'site secret or something else entirely\n');
    const foreign = await PatientNumbersStore.open(dir, SECRET);
    expect(foreign.ok ? null : foreign.error.code).toBe('SITE_PATIENT_NUMBERS_INVALID');

    await rm(file);
    const { store } = await openStore();
    store.numberOf('a');
    await store.save();
    const content = await readFile(file);
    await appendFile(file, content.subarray(32));
    const doubled = await PatientNumbersStore.open(dir, SECRET);
    expect(doubled.ok ? null : doubled.error.message).toMatch(/two numbers/);
  });

  it('never writes when read-only: new patients get the numbers the agent would give them', async () => {
    const writer = (await openStore()).store;
    writer.numberOf('a');
    await writer.save();
    const reader = (await openStore(SECRET, true)).store;
    expect([reader.numberOf('b'), reader.numberOf('a')]).toEqual([1, 0]);
    await expect(reader.save()).rejects.toThrow(/read-only/);
    expect((await readFile(file)).length).toBe(32 + 16);
  });

  it('reports no warning for a sound file', async () => {
    expect(patientNumbersWarnings(await openStore())).toEqual([]);
  });
});
