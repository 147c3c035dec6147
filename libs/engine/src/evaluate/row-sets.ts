import type { PatientIndex } from '../index/patient-index';
import type { Postings } from '../index/postings';

/** The rows posted under a code in a postings list. */
export function postedRows(postings: Postings, codeId: number | undefined): Uint32Array | null {
  if (codeId === undefined || codeId >= postings.localOf.length) {
    return null;
  }
  const local = postings.localOf[codeId];
  return local === -1 ? null : postings.rows.subarray(postings.offsets[local], postings.offsets[local + 1]);
}

/** Posted rows of every selected concept; `code` columns compare the code only. */
export function conceptRows(
  index: PatientIndex,
  postings: Postings,
  kind: 'concept' | 'code',
  concepts: readonly { system: string; code: string }[],
): Uint32Array[] {
  const rows: Uint32Array[] = [];
  for (const concept of concepts) {
    const system = kind === 'code' ? '' : index.plan.catalog.normalizeSystem(concept.system);
    const posted = postedRows(postings, index.dictionary.idOf(system, concept.code));
    if (posted !== null) {
      rows.push(posted);
    }
  }
  return rows;
}

/** Every row listed in `sources`, as a bitset over a table of `rows` rows. */
export function listedRowBits(rows: number, sources: readonly Uint32Array[]): Uint32Array {
  const bits = new Uint32Array((rows + 31) >>> 5);
  for (const source of sources) {
    for (let i = 0; i < source.length; i++) {
      const row = source[i];
      bits[row >>> 5] |= 1 << (row & 31);
    }
  }
  return bits;
}

/** Whether `row` is in the bitset `bits`. */
export function hasRow(bits: Uint32Array, row: number): boolean {
  return (bits[row >>> 5] & (1 << (row & 31))) !== 0;
}
