import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { err, ok, type Result } from '@fq/result';
import { DEFAULT_MAPPING } from '../../mapping/default-mapping';
import { IndexSnapshotError, type IndexSnapshotErrorCode } from '../../errors';
import { createIndexPlan, type SiteEngineOptions } from '../../site-engine';
import { CodeDictionary } from '../builder-columns';
import type { IndexPlan } from '../index-plan';
import { type FinalSlot, type FinalTable, PatientIndex } from '../patient-index';
import type { Postings } from '../postings';
import {
  type ArrayKind,
  SnapshotHeader,
  type SnapshotIdentity,
  type StoredPostings,
  type StoredSlot,
  type StoredTable,
} from './index-snapshot.schema';
import {
  BYTES_PER_ELEMENT,
  CHECKSUM_ALGORITHM,
  CHECKSUM_BYTES,
  PREFIX_BYTES,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_MAGIC,
  engineConfigFingerprint,
  padding,
} from './snapshot-format';

type StoredTypedArray = Uint8Array | Int32Array | Uint32Array | Float64Array;

export interface LoadSnapshotOptions extends SiteEngineOptions {
  /** What the caller's data and numbers are now; a snapshot of anything else is not used. */
  identity: SnapshotIdentity;
}

export interface LoadedSnapshot {
  index: PatientIndex;
  /** The caller's description of the build, as saved. */
  meta: Record<string, unknown>;
  savedAt: string;
  bytes: number;
}

export type SnapshotLoadResult = Result<LoadedSnapshot, IndexSnapshotError>;

/** One read of at most 1 GiB: below the limit of a single read on every platform Node runs on. */
const MAX_READ = 1 << 30;
/** Buffer for bytes that are only hashed (padding, or the body of a snapshot that will not be used). */
const SCRATCH_BYTES = 1 << 20;

/** Reads exactly `target.length` bytes at `position` into `target` and hashes them. */
async function readExactly(handle: FileHandle, target: Uint8Array, position: number, hash: Hash): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const length = Math.min(MAX_READ, target.length - done);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) {
      throw new SnapshotShapeError('the file ended early');
    }
    done += bytesRead;
  }
  hash.update(target);
}

/** Hashes `length` bytes at `position` without keeping them. */
async function hashRange(handle: FileHandle, position: number, length: number, hash: Hash): Promise<void> {
  const scratch = new Uint8Array(Math.min(SCRATCH_BYTES, Math.max(length, 1)));
  for (let done = 0; done < length;) {
    const chunk = scratch.subarray(0, Math.min(scratch.length, length - done));
    await readExactly(handle, chunk, position + done, hash);
    done += chunk.length;
  }
}

/** The file holds something else than the header says; only ever thrown inside this module. */
class SnapshotShapeError extends Error {}

function allocate(kind: ArrayKind, length: number): StoredTypedArray {
  switch (kind) {
    case 'u8':
      return new Uint8Array(length);
    case 'i32':
      return new Int32Array(length);
    case 'u32':
      return new Uint32Array(length);
    case 'f64':
      return new Float64Array(length);
  }
}

/** Typed access to the loaded arrays by their header reference; a reference of the wrong kind is a bad file. */
class LoadedArrays {
  constructor(private readonly arrays: readonly StoredTypedArray[]) {}

  private get(ref: number): StoredTypedArray {
    const array = this.arrays[ref];
    if (array === undefined) {
      throw new SnapshotShapeError(`array ${ref} does not exist`);
    }
    return array;
  }

  u8(ref: number): Uint8Array {
    const array = this.get(ref);
    if (!(array instanceof Uint8Array)) {
      throw new SnapshotShapeError(`array ${ref} is not u8`);
    }
    return array;
  }

  i32(ref: number): Int32Array {
    const array = this.get(ref);
    if (!(array instanceof Int32Array)) {
      throw new SnapshotShapeError(`array ${ref} is not i32`);
    }
    return array;
  }

  u32(ref: number): Uint32Array {
    const array = this.get(ref);
    if (!(array instanceof Uint32Array)) {
      throw new SnapshotShapeError(`array ${ref} is not u32`);
    }
    return array;
  }

  f64(ref: number): Float64Array {
    const array = this.get(ref);
    if (!(array instanceof Float64Array)) {
      throw new SnapshotShapeError(`array ${ref} is not f64`);
    }
    return array;
  }
}

function restorePostings(stored: StoredPostings, arrays: LoadedArrays, dictionary: CodeDictionary): Postings {
  const localOf = arrays.i32(stored.localOf);
  const presentBySystem = new Map<string, string[]>();
  for (let id = 0; id < localOf.length; id++) {
    if (localOf[id] !== -1) {
      const system = dictionary.systemOf(id);
      const list = presentBySystem.get(system);
      if (list === undefined) {
        presentBySystem.set(system, [dictionary.codeOf(id)]);
      } else {
        list.push(dictionary.codeOf(id));
      }
    }
  }
  for (const list of presentBySystem.values()) {
    list.sort();
  }
  return { localOf, offsets: arrays.u32(stored.offsets), rows: arrays.u32(stored.rows), presentBySystem };
}

function restoreSlot(
  stored: StoredSlot,
  plan: IndexPlan['tables'][number]['slots'][number],
  arrays: LoadedArrays,
  dictionary: CodeDictionary,
): FinalSlot {
  if (stored.kind !== plan.kind) {
    throw new SnapshotShapeError(`a slot of kind ${stored.kind} where the plan has ${plan.kind}`);
  }
  switch (stored.kind) {
    case 'concept':
    case 'code':
      return { kind: stored.kind, plan, postings: restorePostings(stored.postings, arrays, dictionary) };
    case 'quantity':
      return { kind: 'quantity', plan, values: arrays.f64(stored.values), units: arrays.i32(stored.units) };
    case 'age':
      return { kind: 'age', plan, start: arrays.i32(stored.start), end: arrays.i32(stored.end) };
    case 'reference':
      return { kind: 'reference', plan, offsets: arrays.u32(stored.offsets), targets: arrays.i32(stored.targets) };
  }
}

function restoreTable(
  stored: StoredTable,
  plan: IndexPlan['tables'][number],
  arrays: LoadedArrays,
  dictionary: CodeDictionary,
): FinalTable {
  if (stored.key !== plan.key || stored.slots.length !== plan.slots.length) {
    throw new SnapshotShapeError(`table ${stored.key} does not match the plan's ${plan.key}`);
  }
  return {
    plan,
    rows: stored.rows,
    patient: arrays.i32(stored.patient),
    timeStart: stored.timeStart === undefined ? undefined : arrays.i32(stored.timeStart),
    timeEnd: stored.timeEnd === undefined ? undefined : arrays.i32(stored.timeEnd),
    codes: stored.codes === undefined ? undefined : restorePostings(stored.codes, arrays, dictionary),
    slots: stored.slots.map((slot, i) => restoreSlot(slot, plan.slots[i], arrays, dictionary)),
    keyToRow: stored.keyToRow === undefined ? undefined : arrays.i32(stored.keyToRow),
  };
}

function fail(code: IndexSnapshotErrorCode, message: string, cause?: unknown): SnapshotLoadResult {
  return err(new IndexSnapshotError(code, message, { cause }));
}

/** Why a snapshot that is intact does not fit what the caller has now; null when it fits. */
function mismatchOf(header: SnapshotHeader, config: string, expected: SnapshotIdentity): SnapshotLoadResult | null {
  if (header.config !== config) {
    return fail('ENGINE_SNAPSHOT_OTHER_CONFIG', 'the snapshot was built with another mapping, concept trees or engine');
  }
  if (header.identity.source !== expected.source) {
    return fail('ENGINE_SNAPSHOT_OTHER_DATA', 'the snapshot was built from other data');
  }
  if (header.identity.numbering !== expected.numbering) {
    return fail('ENGINE_SNAPSHOT_OTHER_NUMBERS', 'the snapshot uses other patient numbers than the site has now');
  }
  return null;
}

/**
 * Loads an index saved by `saveIndexSnapshot`, if it is intact (its SHA-256 matches), of this format version, made
 * with the same mapping, concept trees and builder version as `options` give, and from the data and patient numbers
 * `options.identity` names. Anything else is an error value saying why; the caller rebuilds from the data.
 */
export async function loadIndexSnapshot(file: string, options: LoadSnapshotOptions): Promise<SnapshotLoadResult> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? fail('ENGINE_SNAPSHOT_MISSING', `no snapshot at ${file}`)
      : fail('ENGINE_SNAPSHOT_UNREADABLE', `cannot open ${file}: ${code ?? String(cause)}`, cause);
  }
  try {
    return await readSnapshot(handle, options);
  } catch (cause) {
    if (cause instanceof SnapshotShapeError) {
      return fail('ENGINE_SNAPSHOT_CORRUPT', `${file} is corrupt: ${cause.message}`);
    }
    const code = (cause as NodeJS.ErrnoException).code;
    return fail('ENGINE_SNAPSHOT_UNREADABLE', `cannot read ${file}: ${code ?? String(cause)}`, cause);
  } finally {
    await handle.close();
  }
}

async function readSnapshot(handle: FileHandle, options: LoadSnapshotOptions): Promise<SnapshotLoadResult> {
  const size = (await handle.stat()).size;
  const hash = createHash(CHECKSUM_ALGORITHM);
  if (size < PREFIX_BYTES + CHECKSUM_BYTES) {
    throw new SnapshotShapeError(`${size} bytes are too few for a snapshot`);
  }
  const prefix = Buffer.alloc(PREFIX_BYTES);
  await readExactly(handle, prefix, 0, hash);
  if (!prefix.subarray(0, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC)) {
    throw new SnapshotShapeError('it does not start as an index snapshot');
  }
  const version = prefix.readUInt32LE(SNAPSHOT_MAGIC.length);
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    return fail(
      'ENGINE_SNAPSHOT_VERSION',
      `the snapshot has format version ${version}; this engine reads version ${SNAPSHOT_FORMAT_VERSION}`,
    );
  }
  const headerLength = prefix.readUInt32LE(SNAPSHOT_MAGIC.length + 4);
  const bodyStart = PREFIX_BYTES + headerLength + padding(headerLength);
  if (bodyStart + CHECKSUM_BYTES > size) {
    throw new SnapshotShapeError(`a header of ${headerLength} bytes does not fit in ${size}`);
  }
  const headerBytes = Buffer.alloc(headerLength + padding(headerLength));
  await readExactly(handle, headerBytes, PREFIX_BYTES, hash);
  const header = parseHeader(headerBytes.subarray(0, headerLength));
  const bodyBytes = header.arrays.reduce(
    (sum, array) =>
      sum + array.length * BYTES_PER_ELEMENT[array.kind] + padding(array.length * BYTES_PER_ELEMENT[array.kind]),
    0,
  );
  if (bodyStart + bodyBytes + CHECKSUM_BYTES !== size) {
    throw new SnapshotShapeError(
      `the header describes ${bodyStart + bodyBytes + CHECKSUM_BYTES} bytes, the file has ${size}`,
    );
  }
  const config = engineConfigFingerprint(options.mapping ?? DEFAULT_MAPPING, options.conceptTrees ?? []);
  // An intact snapshot of other data is only hashed, never allocated: the caller rebuilds anyway.
  const keep = mismatchOf(header, config, options.identity) === null;
  const arrays: StoredTypedArray[] = [];
  let position = bodyStart;
  for (const stored of header.arrays) {
    const byteLength = stored.length * BYTES_PER_ELEMENT[stored.kind];
    if (keep) {
      const array = allocate(stored.kind, stored.length);
      await readExactly(handle, new Uint8Array(array.buffer, 0, byteLength), position, hash);
      arrays.push(array);
      await hashRange(handle, position + byteLength, padding(byteLength), hash);
    } else {
      await hashRange(handle, position, byteLength + padding(byteLength), hash);
    }
    position += byteLength + padding(byteLength);
  }
  const checksum = Buffer.alloc(CHECKSUM_BYTES);
  await readExactly(handle, checksum, position, createHash(CHECKSUM_ALGORITHM));
  if (!checksum.equals(hash.digest())) {
    throw new SnapshotShapeError('its checksum does not match its content');
  }
  const mismatch = mismatchOf(header, config, options.identity);
  if (mismatch !== null) {
    return mismatch;
  }
  const plan = createIndexPlan(options);
  return ok({
    index: restoreIndex(header, plan, arrays, options),
    meta: header.meta,
    savedAt: header.savedAt,
    bytes: size,
  });
}

function parseHeader(bytes: Buffer): SnapshotHeader {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SnapshotShapeError('its header is not JSON');
  }
  const parsed = SnapshotHeader.safeParse(json);
  if (!parsed.success) {
    throw new SnapshotShapeError(`its header is not a snapshot header (${parsed.error.issues[0]?.message ?? ''})`);
  }
  return parsed.data;
}

function restoreIndex(
  header: SnapshotHeader,
  plan: IndexPlan,
  stored: StoredTypedArray[],
  options: LoadSnapshotOptions,
): PatientIndex {
  if (header.tables.length !== plan.tables.length || header.systems.length !== header.codes.length) {
    throw new SnapshotShapeError('its tables do not match the plan');
  }
  const arrays = new LoadedArrays(stored);
  const dictionary = CodeDictionary.restore(header.systems, header.codes);
  const tables = header.tables.map((table, i) => restoreTable(table, plan.tables[i], arrays, dictionary));
  return new PatientIndex(
    plan,
    tables,
    arrays.u8(header.knownPatients),
    header.knownPatientCount,
    dictionary,
    header.units,
    header.indexedResources,
    options.cohortKeying ?? null,
  );
}
