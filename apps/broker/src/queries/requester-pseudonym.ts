import { createHmac, randomBytes } from 'node:crypto';

/** Name of the stored key that pseudonymises researcher ids. */
export const REQUESTER_KEY_NAME = 'requester-pseudonym-key';

/** A new random key for requester pseudonyms, base64. */
export function generateRequesterKey(): string {
  return randomBytes(32).toString('base64');
}

/** A stable pseudonym for a researcher id that sites can count by but not reverse without the broker's key. */
export function pseudonymizeRequester(key: string, researcherId: string): string {
  return `r-${createHmac('sha256', Buffer.from(key, 'base64')).update(researcherId, 'utf8').digest('hex').slice(0, 32)}`;
}
