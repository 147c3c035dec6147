import { RECORD_KEY_BYTES, createRecordKeyDeriver } from './cell-key';

/**
 * A site's stable patient numbers in memory (decision 0012): patient id → number, in order of first sight, kept by
 * the patient's record key so that what is stored names no patient. Record i of `records` (16 bytes each) is the
 * record key of patient number i; the site persists them and, after each load, the ones given since (`newRecords`).
 */
export class PatientNumbering {
  private readonly recordKeyOf: (patientId: string) => Uint8Array;
  private readonly numbers = new Map<string, number>();
  /** Record keys given a number since the last `markSaved`, in number order. */
  private fresh: Uint8Array[] = [];

  /** Starts from stored `records`; a record key stored twice is counted once (compare `count` to detect it). */
  constructor(siteSecret: Uint8Array, records: Uint8Array = new Uint8Array(0)) {
    this.recordKeyOf = createRecordKeyDeriver(siteSecret);
    const bytes = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
    for (let offset = 0; offset + RECORD_KEY_BYTES <= bytes.length; offset += RECORD_KEY_BYTES) {
      this.numbers.set(bytes.toString('latin1', offset, offset + RECORD_KEY_BYTES), offset / RECORD_KEY_BYTES);
    }
  }

  /** Numbers given out, stored or new. */
  get count(): number {
    return this.numbers.size;
  }

  /** Numbers given out since the last `markSaved`. */
  get newCount(): number {
    return this.fresh.length;
  }

  /** The number of `patientId`; a patient seen for the first time gets the next one. */
  numberOf(patientId: string): number {
    const recordKey = this.recordKeyOf(patientId);
    const key = Buffer.from(recordKey.buffer, recordKey.byteOffset, recordKey.byteLength).toString('latin1');
    let number = this.numbers.get(key);
    if (number === undefined) {
      number = this.numbers.size;
      this.numbers.set(key, number);
      this.fresh.push(recordKey);
    }
    return number;
  }

  /** The record keys given since the last `markSaved`, in number order, as one buffer to append. */
  newRecords(): Buffer {
    return Buffer.concat(this.fresh);
  }

  /** The new records are stored: they are no longer new. */
  markSaved(): void {
    this.fresh = [];
  }
}
