import { randomBytes } from 'node:crypto';
import { type Err, err, ok, type Result } from '@fq/result';
import { PrivacyInputError, PrivacyIssueCode, PrivacySecretError } from './errors';

/** Bytes of a generated site secret; also the minimum accepted, the full strength of HMAC-SHA256. */
export const SITE_SECRET_BYTES = 32;

// Unpadded base64url, as Buffer#toString('base64url') writes it.
const BASE64URL_TEXT = /^[A-Za-z0-9_-]+$/;

/** Generates a new site secret: 32 random bytes from the operating system's CSPRNG. */
export function generateSiteSecret(): Uint8Array {
  return new Uint8Array(randomBytes(SITE_SECRET_BYTES));
}

/** Encodes a site secret as unpadded base64url for the app to persist; throws `PrivacyInputError` on a short secret. */
export function encodeSiteSecret(siteSecret: Uint8Array): string {
  const problem = describeSiteSecretProblem(siteSecret);
  if (problem !== undefined) {
    throw new PrivacyInputError([{ path: '$', code: PrivacyIssueCode.SiteSecretInvalid, message: problem }]);
  }
  return Buffer.from(siteSecret).toString('base64url');
}

/** Decodes persisted site-secret text (surrounding whitespace ignored); never throws, never echoes the secret. */
export function decodeSiteSecret(text: string): Result<Uint8Array, PrivacySecretError> {
  const fail = (message: string): Err<PrivacySecretError> =>
    err(new PrivacySecretError([{ path: '$', code: PrivacyIssueCode.SiteSecretInvalid, message }]));
  if (typeof text !== 'string') {
    return fail(`the site secret must be text, got ${typeof text}`);
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    return fail('the site secret is empty');
  }
  if (!BASE64URL_TEXT.test(trimmed)) {
    return fail('the site secret must be unpadded base64url text (A-Z, a-z, 0-9, "-" and "_")');
  }
  const bytes = Buffer.from(trimmed, 'base64url');
  // Non-canonical text (a dangling character, stray low bits) decodes silently; refuse it, it is not what we wrote.
  if (bytes.toString('base64url') !== trimmed) {
    return fail('the site secret is not canonical base64url (wrong length or trailing bits)');
  }
  const problem = describeSiteSecretProblem(bytes);
  return problem === undefined ? ok(new Uint8Array(bytes)) : fail(problem);
}

/** Why these bytes cannot be a site secret, or undefined when they can. */
export function describeSiteSecretProblem(siteSecret: unknown): string | undefined {
  if (!(siteSecret instanceof Uint8Array)) {
    return 'the site secret must be a Uint8Array of bytes';
  }
  if (siteSecret.length < SITE_SECRET_BYTES) {
    return `the site secret must have at least ${SITE_SECRET_BYTES} bytes, got ${siteSecret.length}`;
  }
  return undefined;
}
