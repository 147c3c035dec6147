import { err, formatIssuePath, ok, type Result } from '@fq/result';
import { StructuredQuery } from './ccdl.schema';
import { type CcdlError, type CcdlIssue, CcdlIssueCode, CcdlJsonError, CcdlValidationError } from './errors';
import { isRecord } from './is-record';
import { toCcdlIssues } from './zod-issues';

const CRTDL_QUERY_KEY = 'cohortDefinition';
const QUERY_KEYS = ['inclusionCriteria', 'exclusionCriteria'] as const;

/** Validates a CCDL structured query (or a CRTDL document wrapping one), listing every issue; never throws on bad input. */
export function parseStructuredQuery(input: unknown): Result<StructuredQuery, CcdlValidationError> {
  const issues: CcdlIssue[] = [];
  let query = input;
  let prefix: string[] = [];
  if (isRecord(input) && Object.hasOwn(input, CRTDL_QUERY_KEY)) {
    // A CRTDL carries the feasibility query in `cohortDefinition`; `dataExtraction` does not change the count.
    query = input[CRTDL_QUERY_KEY];
    prefix = [CRTDL_QUERY_KEY];
    // A document with both shapes would let the caller think a different query was answered.
    for (const key of QUERY_KEYS.filter((k) => Object.hasOwn(input, k))) {
      issues.push({
        path: formatIssuePath([key]),
        code: CcdlIssueCode.AmbiguousDocument,
        message: `a CRTDL document carries its query in ${CRTDL_QUERY_KEY}; ${key} must not also appear at the top level`,
      });
    }
  }
  // reportInput lets the issue mapper tell a missing property from a wrong one.
  const result = StructuredQuery.safeParse(query, { reportInput: true });
  if (result.success && issues.length === 0) {
    return ok(result.data);
  }
  if (result.success) {
    return err(new CcdlValidationError(issues));
  }
  issues.push(...toCcdlIssues(result.error.issues, prefix));
  return err(new CcdlValidationError(issues, { cause: result.error }));
}

/** Parses JSON text and validates it as a CCDL structured query or CRTDL document; never throws on bad input. */
export function parseStructuredQueryJson(text: string): Result<StructuredQuery, CcdlError> {
  if (typeof text !== 'string') {
    return err(new CcdlJsonError(`expected text, got ${typeof text}`));
  }
  let input: unknown;
  try {
    // Editors on some platforms save a byte-order mark that JSON.parse rejects.
    input = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    if (error instanceof SyntaxError) {
      return err(new CcdlJsonError(error.message, { cause: error }));
    }
    throw error;
  }
  return parseStructuredQuery(input);
}
