import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Bytes of a record key and of a cohort key. A record key stands for a patient id in the site's stable patient
 * numbering; a cohort key names the set of patients a query selected. 128 bits make two different cohorts collide with
 * probability 2^-128.
 */
export const RECORD_KEY_BYTES = 16;

// Versioned like the noise label: a new derivation would re-key every patient or cohort and so re-draw every answer.
const RECORD_KEY_LABEL = Buffer.from('fq-privacy/record-key/v1\u0000', 'utf8');
const COHORT_KEY_LABEL = Buffer.from('fq-privacy/cohort-key/v2\u0000', 'utf8');
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
 * Returns the cohort-key function of a site: the first 16 bytes of HMAC-SHA256 under a key derived from the site
 * secret, over the cohort's members as bytes (patient number n is bit n % 8 of byte n >> 3, no trailing zero byte), as
 * 32 lowercase hex digits. Two cohorts get the same key exactly when they hold the same patient numbers; the site keeps
 * the numbers stable across data refreshes, so the key depends on the patients and nothing else. Without the secret the
 * key of a guessed cohort cannot be computed.
 */
export function createCohortKeyer(siteSecret: Uint8Array): (members: Uint8Array) => string {
  const key: KeyObject = createSecretKey(createHmac('sha256', siteSecret).update(COHORT_KEY_LABEL).digest());
  return (members) => createHmac('sha256', key).update(members).digest().toString('hex', 0, RECORD_KEY_BYTES);
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
