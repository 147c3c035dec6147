import type { PatientIndex } from '../index/patient-index';
import { RECORD_KEY_WORDS } from '../index/patient-index';
import type { PatientSet } from './patient-set';

const knownKeys = new WeakMap<PatientIndex, Uint32Array>();

/**
 * The key of a cohort: the XOR of its patients' record keys, as 32 lowercase hex digits (the key bytes in order). It
 * depends on which patients match and nothing else. A cohort of more than half the known patients is folded through its
 * complement (XOR of all known patients' keys, XOR those left out), so the work is at most half the known patients.
 * Throws for an index built without record keys (a wiring bug).
 */
export function cohortKeyOf(index: PatientIndex, cohort: PatientSet, size: number, known: PatientSet): string {
  const keys = index.recordKeys;
  if (keys === null) {
    throw new Error('this index was built without record keys (createIndexBuilder({ recordKeyOf }))');
  }
  const folded = new Uint32Array(RECORD_KEY_WORDS);
  if (2 * size <= index.knownPatientCount) {
    foldKeys(cohort.words, null, keys, folded);
  } else {
    folded.set(knownPatientKeys(index, keys, known));
    foldKeys(known.words, cohort.words, keys, folded);
  }
  const bytes = Buffer.alloc(RECORD_KEY_WORDS * 4);
  for (let word = 0; word < RECORD_KEY_WORDS; word++) {
    bytes.writeUInt32LE(folded[word], word * 4);
  }
  return bytes.toString('hex');
}

function knownPatientKeys(index: PatientIndex, keys: Uint32Array, known: PatientSet): Uint32Array {
  let folded = knownKeys.get(index);
  if (folded === undefined) {
    folded = new Uint32Array(RECORD_KEY_WORDS);
    foldKeys(known.words, null, keys, folded);
    knownKeys.set(index, folded);
  }
  return folded;
}

/** XORs into `into` the keys of the patients in `members` and not in `without` (null: none left out). */
function foldKeys(members: Uint32Array, without: Uint32Array | null, keys: Uint32Array, into: Uint32Array): void {
  let k0 = into[0];
  let k1 = into[1];
  let k2 = into[2];
  let k3 = into[3];
  for (let w = 0; w < members.length; w++) {
    let bits = without === null ? members[w] : members[w] & ~without[w];
    while (bits !== 0) {
      const lowest = bits & -bits;
      const at = ((w << 5) | (31 - Math.clz32(lowest))) << 2;
      k0 ^= keys[at];
      k1 ^= keys[at + 1];
      k2 ^= keys[at + 2];
      k3 ^= keys[at + 3];
      bits ^= lowest;
    }
  }
  into[0] = k0;
  into[1] = k1;
  into[2] = k2;
  into[3] = k3;
}
