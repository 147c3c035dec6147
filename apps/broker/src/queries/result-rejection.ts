import type { ResultPayload } from '@fq/contracts';
import { type ResultRejection, ResultRejectionCode } from '../transport/broker-transport';
import type { ResultOutcome } from './query-results.service';

/** The rejection the transport audits for an outcome that did not count; null for one that did. */
export function rejectionOf(outcome: ResultOutcome, result: ResultPayload): ResultRejection | null {
  const of = `site ${result.siteId}'s ${result.status} result for query ${result.queryId}`;
  switch (outcome) {
    case 'recorded':
    case 'completed':
      return null;
    case 'duplicate':
      return { code: ResultRejectionCode.Duplicate, reason: `${of} came again; the first one recorded counts` };
    case 'late':
      return { code: ResultRejectionCode.Late, reason: `${of} arrived after the deadline or after the query finished` };
    case 'unknown-query':
      return { code: ResultRejectionCode.QueryUnknown, reason: `${of}: there is no such query` };
    case 'unknown-site':
      return { code: ResultRejectionCode.SiteNotAsked, reason: `${of}: the query was not sent to this site` };
    case 'hash-mismatch':
      return {
        code: ResultRejectionCode.QueryHashMismatch,
        reason: `${of}: it answers another query (its hash is not the one sent)`,
      };
  }
}
