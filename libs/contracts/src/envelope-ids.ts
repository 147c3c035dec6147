import { createHash } from 'node:crypto';
import type { SiteId } from './subjects';

/**
 * The envelope id of a query's copy for one site, derived from (query id, site id): re-sending it after a broker
 * restart is the same JetStream message (Nats-Msg-Id), and a site refuses a copy whose id was derived for another
 * site (a query replayed from one site's subject to another's), since the id is covered by the broker's signature.
 */
export function queryEnvelopeId(queryId: string, siteId: SiteId): string {
  const hex = createHash('sha256').update(`fq-query-envelope\0${queryId}\0${siteId}`, 'utf8').digest('hex');
  // RFC 9562 version 8 (custom) layout: version nibble 8, variant bits 10.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
