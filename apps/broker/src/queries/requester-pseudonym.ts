import { createHmac, randomBytes } from 'node:crypto';
import type { SiteId } from '@fq/contracts';

/** Name of the stored key that pseudonymises researcher ids. */
export const REQUESTER_KEY_NAME = 'requester-pseudonym-key';

/** Nest injection token of the key behind requester pseudonyms, kept in the database. */
export const REQUESTER_KEY = Symbol('REQUESTER_KEY');

// Versioned: a new derivation would give every researcher new pseudonyms, and so a fresh budget at every site.
const SITE_PSEUDONYM_LABEL = 'fq-broker/requester-pseudonym/site/v1';

/** A new random key for requester pseudonyms, base64. */
export function generateRequesterKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * The pseudonym of a researcher at one site: HMAC-SHA256(broker key, label ‖ site id ‖ researcher id), 128 bits as
 * `r-` and 32 hex digits. Stable over time (a site keeps its audit log and privacy budget by it), different at every
 * site, and without the broker's key neither reversible nor linkable across sites. A site id never holds a NUL, so the
 * encoding is unambiguous.
 */
export function pseudonymizeRequester(key: string, siteId: SiteId, researcherId: string): string {
  const mac = createHmac('sha256', Buffer.from(key, 'base64'))
    .update(`${SITE_PSEUDONYM_LABEL}\0${siteId}\0`, 'utf8')
    .update(researcherId, 'utf8')
    .digest('hex');
  return `r-${mac.slice(0, 32)}`;
}
