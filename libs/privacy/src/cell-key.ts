import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { xxh64 } from '@node-rs/xxhash';
import sodium from 'sodium-native';

/**
 * Bytes of a record key and of a cohort key. A record key stands for a patient id in the site's stable patient
 * numbering; a cohort key names the set of patients a query selected.
 */
export const RECORD_KEY_BYTES = 16;

// Versioned like the noise label: a new derivation would re-key every patient or cohort and so re-draw every answer.
const RECORD_KEY_LABEL = Buffer.from('fq-privacy/record-key/v1\u0000', 'utf8');
const COHORT_KEY_LABEL = Buffer.from('fq-privacy/cohort-key/v3\u0000', 'utf8');
const COHORT_DIGEST_SEED_LABEL = Buffer.from('fq-privacy/cohort-digest-seed/v1\u0000', 'utf8');
const NUMBERING_CHECK_LABEL = Buffer.from('fq-privacy/numbering-check/v1\u0000', 'utf8');
const COHORT_KEY_TEXT = /^[0-9a-f]{32}$/;

/**
 * Returns the record-key function of a site: the first 16 bytes of HMAC-SHA256(site secret, label ‖ patient id). It
 * depends only on the secret and the patient's resource id, so a data refresh keeps every patient's key.
 */
export function createRecordKeyDeriver(siteSecret: Uint8Array): (patientId: string) => Uint8Array {
  const key: KeyObject = createSecretKey(siteSecret);
  return (patientId) =>
    createHmac('sha256', key).update(RECORD_KEY_LABEL).update(patientId, 'utf8').digest().subarray(0, RECORD_KEY_BYTES);
}

/**
 * 16 bytes that tell whether stored record keys were derived from `siteSecret` (a file of patient numbers names its
 * secret by them), without revealing the secret.
 */
export function numberingCheckOf(siteSecret: Uint8Array): Buffer {
  return createHmac('sha256', siteSecret).update(NUMBERING_CHECK_LABEL).digest().subarray(0, RECORD_KEY_BYTES);
}

/**
 * Returns the cohort-key function of a site. A cohort is given by its size and its members as bytes (patient number n
 * is bit n % 8 of byte n >> 3, no trailing zero byte); its key is keyed BLAKE2b with a 16-byte output (libsodium's
 * `crypto_generichash`, RFC 7693), under a 32-byte key derived from the site secret, of the size (4 bytes) and a 64-bit
 * XXH64 digest of the member bytes, as 32 lowercase hex digits. The site keeps the numbers stable across data
 * refreshes, so the key depends on the patients and nothing else.
 *
 * The digest is not cryptographic and need not be: cohorts of different sizes get unrelated keys through the keyed
 * hash whatever their digests, and only cohorts of equal size could share a key, by a digest collision (about 2^-64
 * for a pair), which would give them one noise draw for one true count, as the MII's noise per count does for all of
 * them. XXH64 reads the 125 KiB bitset of a million patients in about 8 µs, where SHA-256 took 70 µs; the keyed hash
 * writes into a buffer the keyer owns, so a query allocates no native object for its key (decision 0012).
 */
export function createCohortKeyer(siteSecret: Uint8Array): (members: Uint8Array, size: number) => string {
  const key = createHmac('sha256', siteSecret).update(COHORT_KEY_LABEL).digest();
  const seed = createHmac('sha256', siteSecret).update(COHORT_DIGEST_SEED_LABEL).digest().readBigUInt64BE(0);
  const input = Buffer.alloc(12);
  const output = Buffer.alloc(RECORD_KEY_BYTES);
  return (members, size) => {
    input.writeUInt32BE(size, 0);
    input.writeBigUInt64BE(xxh64(members, seed), 4);
    sodium.crypto_generichash(output, input, key);
    return output.toString('hex');
  };
}

/** Whether `text` is a cohort key as the engine writes it: 32 lowercase hex digits. */
export function isCohortKey(text: unknown): text is string {
  return typeof text === 'string' && COHORT_KEY_TEXT.test(text);
}

/** The 16 bytes of a cohort key; throws `RangeError` for text that is not one (a caller bug). */
export function cohortKeyBytes(cohortKey: string): Buffer {
  if (!isCohortKey(cohortKey)) {
    throw new RangeError('a cohort key is 32 lowercase hex digits');
  }
  return Buffer.from(cohortKey, 'hex');
}
