import type { PatientIndex } from '../index/patient-index';
import type { PatientSet } from './patient-set';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The key of a cohort of `size` patients: the site's `CohortKeying.keyOf` of its members as bytes and its size. With the site's stable patient numbers
 * it depends on which patients match and nothing else. Throws for an index built without cohort keying (a wiring bug).
 */
export function cohortKeyOf(index: PatientIndex, cohort: PatientSet, size: number): string {
  const keying = index.cohortKeying;
  if (keying === null) {
    throw new Error('this index was built without cohort keying (createIndexBuilder({ cohortKeying }))');
  }
  return keying.keyOf(memberBytes(cohort.words), size);
}

/**
 * A bitset's bytes with patient n at bit n % 8 of byte n >> 3, without trailing zero bytes: on little-endian hosts a
 * view of the words themselves (no copy), else a copy in that order.
 */
export function memberBytes(words: Uint32Array): Uint8Array {
  let last = words.length - 1;
  while (last >= 0 && words[last] === 0) {
    last--;
  }
  if (last < 0) {
    return new Uint8Array(0);
  }
  const top = words[last];
  const length = 4 * last + (top >>> 24 !== 0 ? 4 : top >>> 16 !== 0 ? 3 : top >>> 8 !== 0 ? 2 : 1);
  return LITTLE_ENDIAN ? new Uint8Array(words.buffer, words.byteOffset, length) : copyMemberBytes(words, length);
}

/** The first `length` bytes of `words` in little-endian order, whatever the host's byte order. */
export function copyMemberBytes(words: Uint32Array, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    bytes[i] = (words[i >>> 2] >>> ((i & 3) << 3)) & 0xff;
  }
  return bytes;
}
