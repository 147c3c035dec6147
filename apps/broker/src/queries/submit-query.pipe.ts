import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { CcdlIssueCode, parseStructuredQueryWithWarnings, type StructuredQuery } from '@fq/ccdl';
import type { QueryWarning } from '@fq/contracts';
import { BrokerError } from '../broker.errors';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import { findOversizedJson, findTooManyCriteria } from './query-complexity';

/** A submitted body after the edge: the CCDL query, and where it sat in the body (for the paths of later issues). */
export interface SubmittedQuery {
  query: StructuredQuery;
  /** `$`, or `$.cohortDefinition` when the body was a CRTDL document. */
  root: string;
  /** What the query is accepted with but the researcher should check (unknown properties, …). */
  warnings: QueryWarning[];
}

/**
 * Validates the body of `POST /api/v1/queries`: the broker's size limits, the CCDL schemas (a structured query or a
 * CRTDL document carrying one) and the broker's criteria limit; each failure is a 400 problem listing every issue.
 */
@Injectable()
export class SubmitQueryPipe implements PipeTransform<unknown, SubmittedQuery> {
  constructor(@Inject(BROKER_CONFIG) private readonly config: Pick<BrokerConfig, 'requestLimits'>) {}

  transform(body: unknown): SubmittedQuery {
    const limits = this.config.requestLimits;
    // Before the CCDL parser: a body nested thousands of levels deep must not reach recursive code.
    const oversized = findOversizedJson(body, limits);
    if (oversized.length > 0) {
      throw new BrokerError('BROKER_QUERY_TOO_COMPLEX', 'the query exceeds the broker’s size limits', {
        issues: oversized,
      });
    }
    const parsed = parseStructuredQueryWithWarnings(body);
    if (!parsed.ok) {
      const count = parsed.error.issues.length;
      throw new BrokerError('BROKER_QUERY_INVALID', `the query has ${count} issue${count === 1 ? '' : 's'}`, {
        issues: parsed.error.issues,
      });
    }
    const root =
      typeof body === 'object' && body !== null && Object.hasOwn(body, 'cohortDefinition') ? '$.cohortDefinition' : '$';
    const { query, warnings } = parsed.value;
    const tooMany = findTooManyCriteria(query, limits.maxCriteria, root);
    if (tooMany.length > 0) {
      throw new BrokerError('BROKER_QUERY_TOO_COMPLEX', tooMany[0].message, { issues: tooMany });
    }
    return {
      query,
      root,
      warnings: warnings.map(({ path, message }) => ({ code: CcdlIssueCode.UnknownProperty, path, message })),
    };
  }
}
