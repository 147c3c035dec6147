import { createHash } from 'node:crypto';
import {
  encodeEnvelope,
  ENVELOPE_SIGNATURE_LENGTH,
  type QueryEnvelope,
  type SiteId,
  type UnsignedEnvelope,
} from '@fq/contracts';
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

/** The envelope that carries a stored query to one site, before the transport signs it; it expires at the deadline. */
export function buildQueryEnvelope(
  query: StoredQuery,
  siteId: SiteId,
  sentAt: string,
): UnsignedEnvelope<QueryEnvelope> {
  return {
    id: queryEnvelopeId(query.id, siteId),
    type: 'query',
    sentAt,
    expiresAt: query.expiresAt,
    sender: { kind: 'broker' },
    payload: {
      queryId: query.id,
      queryHash: query.queryHash,
      query: query.query,
      requester: query.requesterPseudonym,
    },
  };
}

/** How many bytes a query's envelope for one site takes on the wire once the transport has signed it. */
export function signedQueryEnvelopeBytes(query: StoredQuery, siteId: SiteId, sentAt: string): number {
  const unsigned = buildQueryEnvelope(query, siteId, sentAt);
  return encodeEnvelope({ ...unsigned, signature: 'x'.repeat(ENVELOPE_SIGNATURE_LENGTH) }).byteLength;
}
