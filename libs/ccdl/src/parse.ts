import { err, formatIssuePath, ok, type Result } from '@fq/result';
import { StructuredQuery } from './ccdl.schema';
import { type CcdlError, type CcdlIssue, CcdlIssueCode, CcdlJsonError, CcdlValidationError } from './errors';
import { isRecord } from './is-record';
import { findUnknownProperties } from './unknown-properties';
import { toCcdlIssues } from './zod-issues';

const CRTDL_QUERY_KEY = 'cohortDefinition';
const QUERY_KEYS = ['inclusionCriteria', 'exclusionCriteria'] as const;

/** An accepted query and what the caller should still check: its unknown properties (CCDL_UNKNOWN_PROPERTY). */
export interface ParsedQuery {
  query: StructuredQuery;
  warnings: CcdlIssue[];
}

/**
 * Validates a CCDL structured query (or a CRTDL document wrapping one), listing every issue; an unknown property that
 * is a near-miss of a known one (`valuefilter`) is an issue, any other is a warning. Never throws on bad input.
 */
export function parseStructuredQueryWithWarnings(input: unknown): Result<ParsedQuery, CcdlValidationError> {
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
  if (!result.success) {
    issues.push(...toCcdlIssues(result.error.issues, prefix));
  }
  const { misspelled, unknown } = findUnknownProperties(input);
  issues.push(...misspelled);
  if (result.success && issues.length === 0) {
    return ok({ query: result.data, warnings: unknown });
  }
  return err(new CcdlValidationError(issues, result.success ? undefined : { cause: result.error }));
}

/** Validates a CCDL structured query (or a CRTDL document wrapping one), listing every issue; never throws on bad input. */
export function parseStructuredQuery(input: unknown): Result<StructuredQuery, CcdlValidationError> {
  const parsed = parseStructuredQueryWithWarnings(input);
  return parsed.ok ? ok(parsed.value.query) : parsed;
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
