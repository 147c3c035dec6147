import { Injectable, type PipeTransform } from '@nestjs/common';
import type { StructuredQuery } from '@fq/ccdl';
import { type ProblemIssue, SavedQueryComment, SavedQueryName, UpdateSavedQueryRequest } from '@fq/contracts';
import { formatIssuePath } from '@fq/result';
import { z } from 'zod';
import { BrokerError, type BrokerErrorCode } from '../broker.errors';
import { SubmitQueryPipe } from '../queries/submit-query.pipe';

const ISSUE_CODE = 'BROKER_SAVED_QUERY_INVALID';

// The query is checked by the same pipe as POST /api/v1/queries; here it only has to be there.
const CreateFields = z.strictObject({
  name: SavedQueryName,
  comment: SavedQueryComment.optional(),
  query: z.unknown().refine((query) => query !== undefined, { message: 'the query is missing' }),
});

/** A saved query to store, after the edge. */
export interface SavedQueryDraft {
  name: string;
  comment: string | null;
  /** The structured query (the cohort definition when a CRTDL document was sent). */
  query: StructuredQuery;
}

/**
 * Validates the body of `POST /api/v1/saved-queries`: name and comment by the contracts' rules, the query exactly as
 * `POST /api/v1/queries` validates it. A failure is one 400 listing every issue, the query's under `$.query`.
 */
@Injectable()
export class CreateSavedQueryPipe implements PipeTransform<unknown, SavedQueryDraft> {
  constructor(private readonly submitQuery: SubmitQueryPipe) {}

  transform(body: unknown): SavedQueryDraft {
    const fields = CreateFields.safeParse(body);
    const issues: ProblemIssue[] = fields.success ? [] : fields.error.issues.map(toBodyIssue);
    const queryOutcome = this.checkQuery(body);
    if (fields.success && queryOutcome.ok) {
      return { name: fields.data.name, comment: fields.data.comment ?? null, query: queryOutcome.query };
    }
    const queryProblem = queryOutcome.ok ? null : queryOutcome.problem;
    if (issues.length === 0 && queryProblem !== null) {
      // Only the query is wrong: the same code as POST /api/v1/queries would answer, its paths under $.query.
      throw new BrokerError(queryProblem.code, `the saved query’s ${queryProblem.message}`, {
        issues: queryProblem.issues,
      });
    }
    issues.push(...(queryProblem?.issues ?? []));
    throw new BrokerError('BROKER_SAVED_QUERY_INVALID', describeCount(issues.length), { issues });
  }

  private checkQuery(
    body: unknown,
  ):
    | { ok: true; query: StructuredQuery }
    | { ok: false; problem: { code: BrokerErrorCode; message: string; issues: ProblemIssue[] } | null } {
    if (typeof body !== 'object' || body === null || !('query' in body) || body.query === undefined) {
      return { ok: false, problem: null };
    }
    try {
      return { ok: true, query: this.submitQuery.transform(body.query).query };
    } catch (error) {
      if (!(error instanceof BrokerError)) {
        throw error;
      }
      const issues = (error.issues ?? []).map((issue) => ({ ...issue, path: underQuery(issue.path) }));
      return {
        ok: false,
        problem: { code: error.code, message: error.message.replace(/^the query/, 'query'), issues },
      };
    }
  }
}

/** Validates the body of `PATCH /api/v1/saved-queries/{id}`: a new name, comment, or both; 400 listing every issue. */
@Injectable()
export class UpdateSavedQueryPipe implements PipeTransform<unknown, UpdateSavedQueryRequest> {
  transform(body: unknown): UpdateSavedQueryRequest {
    const parsed = UpdateSavedQueryRequest.safeParse(body);
    if (parsed.success) {
      return parsed.data;
    }
    const issues = parsed.error.issues.map(toBodyIssue);
    throw new BrokerError('BROKER_SAVED_QUERY_INVALID', describeCount(issues.length), { issues });
  }
}

function toBodyIssue(issue: z.core.$ZodIssue): ProblemIssue {
  // An unknown key is reported on the object; name it, so the client sees which key.
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const path = keys.length === 1 ? [...issue.path, keys[0]] : issue.path;
  return { path: formatIssuePath(path), code: ISSUE_CODE, message: issue.message };
}

// The query pipe's paths are rooted at the query ($, $.inclusionCriteria[0]); in this body it sits under $.query.
function underQuery(path: string): string {
  return path.startsWith('$') ? `$.query${path.slice(1)}` : `$.query: ${path}`;
}

function describeCount(count: number): string {
  return `the saved query has ${count} issue${count === 1 ? '' : 's'}`;
}
