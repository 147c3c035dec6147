import { createHash } from 'node:crypto';
import type { QueryEnvelope, SiteId } from '@fq/contracts';
import type { StoredQuery } from '../persistence/records.schema';

/**
 * The envelope id of a query's copy for one site, derived from (query id, site id) so that re-sending it after a
 * restart is the same JetStream message (Nats-Msg-Id) and the same query for the site.
 */
export function queryEnvelopeId(queryId: string, siteId: SiteId): string {
  const hex = createHash('sha256').update(`fq-query-envelope\0${queryId}\0${siteId}`, 'utf8').digest('hex');
  // RFC 9562 version 8 (custom) layout: version nibble 8, variant bits 10.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The envelope that carries a stored query to one site; it expires at the query's deadline. */
export function buildQueryEnvelope(query: StoredQuery, siteId: SiteId, sentAt: string): QueryEnvelope {
  return {
    id: queryEnvelopeId(query.id, siteId),
    type: 'query',
    sentAt,
    expiresAt: query.expiresAt,
    sender: { kind: 'broker' },
    // Signing arrives with the security issue; receivers accept null until then.
    signature: null,
    payload: {
      queryId: query.id,
      queryHash: query.queryHash,
      query: query.query,
      requester: query.requesterPseudonym,
    },
  };
}
