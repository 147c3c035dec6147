import type { ResultPayload } from '@fq/contracts';
import { type ResultRefusal, ResultRefusalCode } from '../transport/broker-transport';
import type { ResultOutcome } from './query-results.service';

/** The refusal the transport audits for an outcome that did not count; null for one that did. */
export function refusalOf(outcome: ResultOutcome, result: ResultPayload): ResultRefusal | null {
  const of = `site ${result.siteId}'s ${result.status} result for query ${result.queryId}`;
  switch (outcome) {
    case 'recorded':
    case 'completed':
      return null;
    case 'duplicate':
      return { code: ResultRefusalCode.Duplicate, reason: `${of} came again; the first one recorded counts` };
    case 'late':
      return { code: ResultRefusalCode.Late, reason: `${of} arrived after the deadline or after the query finished` };
    case 'unknown-query':
      return { code: ResultRefusalCode.QueryUnknown, reason: `${of}: there is no such query` };
    case 'unknown-site':
      return { code: ResultRefusalCode.SiteNotAsked, reason: `${of}: the query was not sent to this site` };
    case 'hash-mismatch':
      return {
        code: ResultRefusalCode.QueryHashMismatch,
        reason: `${of}: it answers another query (its hash is not the one sent)`,
      };
  }
}
