import {
  encodeEnvelope,
  ENVELOPE_SIGNATURE_LENGTH,
  type QueryEnvelope,
  queryEnvelopeId,
  type SiteId,
  type UnsignedEnvelope,
} from '@fq/contracts';
import type { StoredQuery } from '../persistence/records.schema';

// The derivation lives in @fq/contracts, so that a site can check that a copy was addressed to it.
export { queryEnvelopeId };

/**
 * The envelope that carries a stored query to one site, before the transport signs it; it expires at the deadline.
 * `requester` is the researcher's pseudonym at that site (`pseudonymizeRequester`).
 */
export function buildQueryEnvelope(
  query: StoredQuery,
  siteId: SiteId,
  sentAt: string,
  requester: string,
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
      requester,
    },
  };
}

/** How many bytes a query's envelope for one site takes on the wire once the transport has signed it. */
export function signedQueryEnvelopeBytes(
  query: StoredQuery,
  siteId: SiteId,
  sentAt: string,
  requester: string,
): number {
  const unsigned = buildQueryEnvelope(query, siteId, sentAt, requester);
  return encodeEnvelope({ ...unsigned, signature: 'x'.repeat(ENVELOPE_SIGNATURE_LENGTH) }).byteLength;
}
