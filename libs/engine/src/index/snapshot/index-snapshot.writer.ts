import { createHash, randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { err, ok, type Result } from '@fq/result';
import { IndexSnapshotError } from '../../errors';
import { configFingerprintOf } from '../../site-engine';
import type { FinalSlot, FinalTable, PatientIndex } from '../patient-index';
import type { Postings } from '../postings';
import type {
  ArrayKind,
  SnapshotHeader,
  SnapshotIdentity,
  StoredPostings,
  StoredSlot,
  StoredTable,
} from './index-snapshot.schema';
import { CHECKSUM_ALGORITHM, PREFIX_BYTES, SNAPSHOT_FORMAT_VERSION, SNAPSHOT_MAGIC, padding } from './snapshot-format';

type StoredTypedArray = Uint8Array | Int32Array | Uint32Array | Float64Array;

export interface SaveSnapshotOptions {
  /** What the index was built from; a load must expect the same. */
  identity: SnapshotIdentity;
  /** The caller's description of the build (JSON), given back by a load. */
  meta?: Record<string, unknown>;
  /** File mode of the snapshot (default 0600: it describes the site's patients). */
  mode?: number;
  /** ISO time stamp written into the header (default now). */
  savedAt?: string;
}

export interface SavedSnapshot {
  file: string;
  bytes: number;
}

/** Collects the index's typed arrays in body order while the header names them by position. */
class ArrayCollector {
  readonly arrays: StoredTypedArray[] = [];
  readonly kinds: ArrayKind[] = [];

  add(array: StoredTypedArray): number {
    this.arrays.push(array);
    this.kinds.push(kindOf(array));
    return this.arrays.length - 1;
  }

  postings(postings: Postings): StoredPostings {
    return { localOf: this.add(postings.localOf), offsets: this.add(postings.offsets), rows: this.add(postings.rows) };
  }
}

function kindOf(array: StoredTypedArray): ArrayKind {
  if (array instanceof Uint8Array) {
    return 'u8';
  }
  if (array instanceof Int32Array) {
    return 'i32';
  }
  return array instanceof Uint32Array ? 'u32' : 'f64';
}

function storeSlot(slot: FinalSlot, arrays: ArrayCollector): StoredSlot {
  switch (slot.kind) {
    case 'concept':
    case 'code':
      return { kind: slot.kind, postings: arrays.postings(slot.postings) };
    case 'quantity':
      return { kind: 'quantity', values: arrays.add(slot.values), units: arrays.add(slot.units) };
    case 'age':
      return { kind: 'age', start: arrays.add(slot.start), end: arrays.add(slot.end) };
    case 'reference':
      return { kind: 'reference', offsets: arrays.add(slot.offsets), targets: arrays.add(slot.targets) };
  }
}

function storeTable(table: FinalTable, arrays: ArrayCollector): StoredTable {
  return {
    key: table.plan.key,
    rows: table.rows,
    patient: arrays.add(table.patient),
    timeStart: table.timeStart === undefined ? undefined : arrays.add(table.timeStart),
    timeEnd: table.timeEnd === undefined ? undefined : arrays.add(table.timeEnd),
    codes: table.codes === undefined ? undefined : arrays.postings(table.codes),
    slots: table.slots.map((slot) => storeSlot(slot, arrays)),
    keyToRow: table.keyToRow === undefined ? undefined : arrays.add(table.keyToRow),
  };
}

/** The header and the arrays it names, in the order they are written. */
export function describeIndex(
  index: PatientIndex,
  options: SaveSnapshotOptions,
): { header: SnapshotHeader; arrays: StoredTypedArray[] } {
  const arrays = new ArrayCollector();
  const knownPatients = arrays.add(index.knownPatients);
  const tables = index.tables.map((table) => storeTable(table, arrays));
  const systems: string[] = [];
  const codes: string[] = [];
  for (let id = 0; id < index.dictionary.size; id++) {
    systems.push(index.dictionary.systemOf(id));
    codes.push(index.dictionary.codeOf(id));
  }
  const header: SnapshotHeader = {
    config: configFingerprintOf(index.plan),
    identity: options.identity,
    meta: options.meta ?? {},
    savedAt: options.savedAt ?? new Date().toISOString(),
    knownPatients,
    knownPatientCount: index.knownPatientCount,
    indexedResources: index.indexedResources,
    units: [...index.units],
    systems,
    codes,
    tables,
    arrays: arrays.arrays.map((array, i) => ({ kind: arrays.kinds[i], length: array.length })),
  };
  return { header, arrays: arrays.arrays };
}

/** Writes everything of `buffer`, hashing it on the way. */
async function writeAll(handle: FileHandle, buffer: Uint8Array, hash: ReturnType<typeof createHash>): Promise<number> {
  hash.update(buffer);
  let written = 0;
  while (written < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, written, buffer.length - written);
    written += bytesWritten;
  }
  return written;
}

const ZEROS = new Uint8Array(8);

/**
 * Saves `index` to `file`: a fixed prefix (magic, format version, header length), a JSON header naming the index's
 * configuration, `identity` and arrays, the arrays at 8-byte boundaries, and the SHA-256 of all of it. Written to a
 * temporary file beside `file`, synced, then renamed over it, so a reader sees the old snapshot or the new one, never
 * a part; the directory is synced after the rename.
 */
export async function saveIndexSnapshot(
  file: string,
  index: PatientIndex,
  options: SaveSnapshotOptions,
): Promise<Result<SavedSnapshot, IndexSnapshotError>> {
  const { header, arrays } = describeIndex(index, options);
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  SNAPSHOT_MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(SNAPSHOT_FORMAT_VERSION, SNAPSHOT_MAGIC.length);
  prefix.writeUInt32LE(headerBytes.length, SNAPSHOT_MAGIC.length + 4);
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', options.mode ?? 0o600);
    const hash = createHash(CHECKSUM_ALGORITHM);
    let bytes = await writeAll(handle, prefix, hash);
    bytes += await writeAll(handle, headerBytes, hash);
    bytes += await writeAll(handle, ZEROS.subarray(0, padding(headerBytes.length)), hash);
    for (const array of arrays) {
      const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      bytes += await writeAll(handle, view, hash);
      bytes += await writeAll(handle, ZEROS.subarray(0, padding(view.length)), hash);
    }
    const checksum = hash.digest();
    bytes += await writeAll(handle, checksum, createHash(CHECKSUM_ALGORITHM));
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, file);
    await syncDirectory(dirname(file));
    return ok({ file, bytes });
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause));
    return err(new IndexSnapshotError('ENGINE_SNAPSHOT_WRITE_FAILED', `cannot write ${file}: ${reason}`, { cause }));
  }
}

/** Makes a rename in `directory` durable. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
