import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Bytes of a record key and of a cohort key. A cohort's key is the XOR of its patients' record keys (the empty cohort's
 * is all zeros), so it depends only on which patients match; 128 bits make two different cohorts collide with
 * probability 2^-128.
 */
export const RECORD_KEY_BYTES = 16;

// Versioned like the noise label: a new derivation would re-key every patient and so re-draw every answer.
const RECORD_KEY_LABEL = Buffer.from('fq-privacy/record-key/v1\u0000', 'utf8');
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
