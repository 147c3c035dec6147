import { createHash } from 'node:crypto';
import type { ConceptTree } from '../../codes/code-hierarchy';
import type { EngineMapping } from '../../mapping/mapping.schema';

/** The first bytes of every index snapshot. */
export const SNAPSHOT_MAGIC = Buffer.from('FQINDEX\n', 'latin1');
/** The layout of the file; a reader refuses any other (the index is then rebuilt from the data). */
export const SNAPSHOT_FORMAT_VERSION = 1;
/**
 * What the index builder makes of the same data and mapping; bump it whenever the builder's output changes meaning
 * (another row layout, another reading of a resource), so that older snapshots are rebuilt instead of used.
 */
export const INDEX_BUILD_VERSION = 1;
/** Magic, format version (u32 LE), header length (u32 LE). */
export const PREFIX_BYTES = SNAPSHOT_MAGIC.length + 8;
/** The SHA-256 of every byte before it closes the file. */
export const CHECKSUM_BYTES = 32;
export const CHECKSUM_ALGORITHM = 'sha256';
/** Arrays start at multiples of 8 bytes, so a reader could map them without copying. */
export const ALIGNMENT = 8;

export const padding = (length: number): number => (ALIGNMENT - (length % ALIGNMENT)) % ALIGNMENT;

export const BYTES_PER_ELEMENT = { u8: 1, i32: 4, u32: 4, f64: 8 } as const;

/**
 * A hash of everything besides the data that decides what the index holds: the mapping, the concept trees and the
 * builder's version. A snapshot made under another one is rebuilt.
 */
export function engineConfigFingerprint(mapping: EngineMapping, conceptTrees: readonly ConceptTree[]): string {
  const hash = createHash(CHECKSUM_ALGORITHM);
  hash.update(`fq-index-config/${INDEX_BUILD_VERSION}\0`);
  hash.update(JSON.stringify(mapping));
  for (const tree of conceptTrees) {
    // Maps have no JSON form of their own; their entries in insertion order are what the hierarchy reads.
    hash.update(JSON.stringify([tree.context, tree.system, [...tree.children.entries()]]));
  }
  return hash.digest('hex');
}
