import { createHash } from 'node:crypto';
import {
  type EnvelopeSigner,
  type QueryEnvelope,
  ResultEnvelope,
  type ResultPayload,
  signEnvelope,
  type SiteId,
} from '@fq/contracts';

/** Namespace of result envelope ids (a fixed random UUID); changing it would break deduplication across versions. */
export const RESULT_ID_NAMESPACE = '0b6c2f4e-8a1d-4c39-9f57-3e2d81a6c5b4';

/** The id of a site's result for a query: a UUID v5 of (query id, site id), so a re-sent answer is the same message. */
export function deriveResultEnvelopeId(queryId: string, siteId: SiteId): string {
  const namespace = Buffer.from(RESULT_ID_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(`${queryId.toLowerCase()}/${siteId}`, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UnsignedResultEnvelope = ResultEnvelope.omit({ signature: true });

/**
 * Wraps a result payload in a validated envelope from this site and signs it. Strict parsing is the last guard: a
 * field that is not in the contract (an exact count, say) throws here instead of reaching the wire.
 */
export function buildResultEnvelope(
  query: QueryEnvelope,
  payload: ResultPayload,
  siteId: SiteId,
  now: Date,
  signer: EnvelopeSigner,
): ResultEnvelope {
  const unsigned = UnsignedResultEnvelope.parse({
    id: deriveResultEnvelopeId(query.payload.queryId, siteId),
    type: 'result',
    sentAt: now.toISOString(),
    // The answer matters as long as the query does; the broker decides what a late answer is worth.
    expiresAt: query.expiresAt,
    sender: { kind: 'site', siteId },
    payload,
  });
  return signEnvelope<ResultEnvelope>(unsigned, signer);
}
