import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '@fq/private-files';
import { numberingCheckOf, PatientNumbering, RECORD_KEY_BYTES } from '@fq/privacy';
import { err, ok, type Result } from '@fq/result';

/** File name of the site's patient numbers inside the state directory. */
export const PATIENT_NUMBERS_FILE = 'patient-numbers';

/** Marks the file and its format; a format change gets a new version and the old file is read no more. */
const MAGIC = Buffer.from('fq-patient-nr/1\n', 'latin1');
/** Magic, then the check of the secret the record keys were derived from. */
const HEADER_BYTES = MAGIC.length + RECORD_KEY_BYTES;

/** The file of patient numbers is not one, or holds a record key twice; the agent refuses to start. */
export class PatientNumbersError extends Error {
  override readonly name = 'PatientNumbersError';
  readonly code = 'SITE_PATIENT_NUMBERS_INVALID';
}

/** What opening found: how many numbers, and whether the file had to be set aside or cut. */
export interface PatientNumbersOpened {
  store: PatientNumbersStore;
  /** The file was written for another site secret; numbering starts over (every cohort gets a new key). */
  secretChanged: boolean;
  /** Bytes of an incomplete last record (a write cut short by a crash), ignored. */
  incompleteTailBytes: number;
}

export type PatientNumbersResult = Result<PatientNumbersOpened, PatientNumbersError>;

/**
 * The site's stable patient numbers (decision 0008): patient id → number, so a cohort is the same bitset, and so gets
 * the same key and the same answer, at every data refresh and after every restart. Numbers are given in order of first
 * sight and never change or get reused; a patient who leaves keeps a number nobody else gets.
 *
 * The file holds no patient ids: record i is the 16-byte record key (the site secret's HMAC of the id) of patient
 * number i, after a header naming the secret. It only grows, by appends that are on disk before the index that uses
 * them answers (`save`). Read-only stores (`site-agent evaluate`) number new patients the same way in memory and never
 * write.
 */
export class PatientNumbersStore {
  private readonly numbering: PatientNumbering;
  private savedBytes: number;

  private constructor(
    readonly file: string,
    private readonly siteSecret: Uint8Array,
    private readonly readOnly: boolean,
    records: Buffer,
    /** Byte length of the file's valid part; -1 when the file must be written anew (missing or another secret). */
    validBytes: number,
  ) {
    this.numbering = new PatientNumbering(siteSecret, records);
    this.savedBytes = validBytes;
  }

  /**
   * Reads `<stateDir>/patient-numbers` (none yet: no numbers). An incomplete last record is ignored, and cut at the
   * next save; a file written for another secret is ignored, and replaced at the next save.
   */
  static async open(
    stateDir: string,
    siteSecret: Uint8Array,
    options: { readOnly?: boolean } = {},
  ): Promise<PatientNumbersResult> {
    const file = join(stateDir, PATIENT_NUMBERS_FILE);
    const readOnly = options.readOnly === true;
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
        return fail(`cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, cause);
      }
      return opened(new PatientNumbersStore(file, siteSecret, readOnly, Buffer.alloc(0), -1), false, 0);
    }
    if (content.length < HEADER_BYTES || !content.subarray(0, MAGIC.length).equals(MAGIC)) {
      return fail(`${file} is not a file of patient numbers; restore it from backup or move it away`);
    }
    if (!content.subarray(MAGIC.length, HEADER_BYTES).equals(numberingCheckOf(siteSecret))) {
      return opened(new PatientNumbersStore(file, siteSecret, readOnly, Buffer.alloc(0), -1), true, 0);
    }
    const tail = (content.length - HEADER_BYTES) % RECORD_KEY_BYTES;
    const records = content.subarray(HEADER_BYTES, content.length - tail);
    const store = new PatientNumbersStore(file, siteSecret, readOnly, records, content.length - tail);
    if (store.count !== records.length / RECORD_KEY_BYTES) {
      return fail(`${file} gives one record key two numbers; restore it from backup`);
    }
    return opened(store, false, tail);
  }

  /** Numbers given out, saved or not. */
  get count(): number {
    return this.numbering.count;
  }

  /** Numbers given out since the last save. */
  get unsavedCount(): number {
    return this.numbering.newCount;
  }

  /** The number of `patientId`; a patient seen for the first time gets the next one. */
  numberOf(patientId: string): number {
    return this.numbering.numberOf(patientId);
  }

  /**
   * Puts the numbers given since the last save on disk (fdatasync), so no restart can give them to other patients.
   * Call before an index built with them answers. Throws on an I/O error; the numbers stay unsaved and the next
   * save tries again.
   */
  async save(): Promise<void> {
    if (this.readOnly) {
      throw new Error(`${this.file} was opened read-only`);
    }
    if (this.numbering.newCount === 0 && this.savedBytes >= 0) {
      return;
    }
    const records = this.numbering.newRecords();
    if (this.savedBytes < 0) {
      // No file yet, or one for another secret: write the whole file beside it and swap it in at once.
      const content = Buffer.concat([MAGIC, numberingCheckOf(this.siteSecret), records]);
      await writeDurably(`${this.file}.new`, 'w', content);
      await rename(`${this.file}.new`, this.file);
      this.savedBytes = content.length;
    } else {
      await writeDurably(this.file, 'r+', records, this.savedBytes);
      this.savedBytes += records.length;
    }
    this.numbering.markSaved();
  }
}

/** What the operator should hear about an opened file: nothing when all was well. */
export function patientNumbersWarnings(opened: PatientNumbersOpened): string[] {
  const warnings: string[] = [];
  if (opened.secretChanged) {
    warnings.push(
      'the patient numbers were made with another site secret: numbering starts over, so every cohort gets a new ' +
        'key and a new noise draw (the file is replaced at the next data load)',
    );
  }
  if (opened.incompleteTailBytes > 0) {
    warnings.push(
      `ignored an incomplete last record of ${opened.incompleteTailBytes} bytes (a write cut short); ` +
        'it is cut at the next data load',
    );
  }
  return warnings;
}

/** Writes `content` at `position` (from the start: 0), cuts the file after it and syncs it. */
async function writeDurably(file: string, flags: 'w' | 'r+', content: Buffer, position = 0): Promise<void> {
  const handle = await open(file, flags, PRIVATE_FILE_MODE);
  try {
    await handle.write(content, 0, content.length, position);
    await handle.truncate(position + content.length);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

function opened(store: PatientNumbersStore, secretChanged: boolean, incompleteTailBytes: number): PatientNumbersResult {
  return ok({ store, secretChanged, incompleteTailBytes });
}

function fail(message: string, cause?: unknown): PatientNumbersResult {
  return err(new PatientNumbersError(message, { cause }));
}
