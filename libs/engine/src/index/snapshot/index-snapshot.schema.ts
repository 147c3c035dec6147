import { z } from 'zod';

/** Index of a typed array in the snapshot's body, in `arrays` order. */
const ArrayRef = z.number().int().nonnegative();

const ArrayKind = z.enum(['u8', 'i32', 'u32', 'f64']);
export type ArrayKind = z.infer<typeof ArrayKind>;

const StoredArray = z.strictObject({ kind: ArrayKind, length: z.number().int().nonnegative() });

const StoredPostings = z.strictObject({ localOf: ArrayRef, offsets: ArrayRef, rows: ArrayRef });
export type StoredPostings = z.infer<typeof StoredPostings>;

const StoredSlot = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.enum(['concept', 'code']), postings: StoredPostings }),
  z.strictObject({ kind: z.literal('quantity'), values: ArrayRef, units: ArrayRef }),
  z.strictObject({ kind: z.literal('age'), start: ArrayRef, end: ArrayRef }),
  z.strictObject({ kind: z.literal('reference'), offsets: ArrayRef, targets: ArrayRef }),
]);
export type StoredSlot = z.infer<typeof StoredSlot>;

const StoredTable = z.strictObject({
  /** The plan's table key: the same mapping gives the same tables in the same order. */
  key: z.string(),
  rows: z.number().int().nonnegative(),
  patient: ArrayRef,
  timeStart: ArrayRef.optional(),
  timeEnd: ArrayRef.optional(),
  codes: StoredPostings.optional(),
  slots: z.array(StoredSlot),
  keyToRow: ArrayRef.optional(),
});
export type StoredTable = z.infer<typeof StoredTable>;

/** What a snapshot was built from; a load that expects anything else rebuilds. */
export const SnapshotIdentity = z.strictObject({
  /** Names the source data (a fingerprint of the files, a server's data version). */
  source: z.string().min(1),
  /** Names the patient numbers the index uses (the site's numbering file and secret); '' without cohort keying. */
  numbering: z.string(),
});
export type SnapshotIdentity = z.infer<typeof SnapshotIdentity>;

/** The JSON header after the fixed prefix: what the index is, and where each of its arrays lies in the body. */
export const SnapshotHeader = z.strictObject({
  /** Hash of the mapping, concept trees and index build version the index was made with. */
  config: z.string(),
  identity: SnapshotIdentity,
  /** The caller's own description of the build (an ingestion summary), returned as stored. */
  meta: z.record(z.string(), z.unknown()),
  savedAt: z.string(),
  knownPatients: ArrayRef,
  knownPatientCount: z.number().int().nonnegative(),
  indexedResources: z.number().int().nonnegative(),
  units: z.array(z.string()),
  systems: z.array(z.string()),
  codes: z.array(z.string()),
  tables: z.array(StoredTable),
  arrays: z.array(StoredArray),
});
export type SnapshotHeader = z.infer<typeof SnapshotHeader>;
