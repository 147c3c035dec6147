import type { ProblemIssue } from '@fq/contracts';
import { listCriteria, type StructuredQuery } from '@fq/ccdl';
import type { RequestLimits } from '../config/security-config.schema';

/**
 * Where a JSON body exceeds the nesting depth or the string length limit, walked without recursion so that even a
 * maliciously deep body cannot overflow the stack. At most one issue per kind of problem and 20 in all.
 */
export function findOversizedJson(
  body: unknown,
  limits: Pick<RequestLimits, 'maxNestingDepth' | 'maxStringLength'>,
): ProblemIssue[] {
  const issues: ProblemIssue[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: '$', depth: 0 }];
  let tooDeep = false;
  for (let next = stack.pop(); next !== undefined && issues.length < 20; next = stack.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength) {
        issues.push(tooLong(path, 'a string', value.length, limits.maxStringLength));
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) {
      continue;
    }
    if (depth >= limits.maxNestingDepth) {
      if (!tooDeep) {
        tooDeep = true;
        issues.push({
          path,
          code: 'BROKER_QUERY_TOO_DEEP',
          message: `objects and arrays nest at most ${limits.maxNestingDepth} levels deep`,
        });
      }
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((item: unknown, index) => stack.push({ value: item, path: `${path}[${index}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      const child = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key.slice(0, 64))}]`;
      if (key.length > limits.maxStringLength) {
        issues.push(tooLong(child, 'a property name', key.length, limits.maxStringLength));
      }
      stack.push({ value: item, path: child, depth: depth + 1 });
    }
  }
  return issues;
}

function tooLong(path: string, what: string, length: number, max: number): ProblemIssue {
  return {
    path,
    code: 'BROKER_QUERY_STRING_TOO_LONG',
    message: `${what} of ${length} characters; at most ${max} are allowed`,
  };
}

/**
 * An issue if the query has more criteria than allowed, pointing at the first criterion beyond the limit. Criteria
 * are counted as the sites count them (`listCriteria`): inclusion and exclusion, every OR alternative, and the criteria
 * nested in reference filters.
 * @param root - where the query sits in the body: `$`, or `$.cohortDefinition` in a CRTDL document
 */
export function findTooManyCriteria(query: StructuredQuery, maxCriteria: number, root = '$'): ProblemIssue[] {
  const criteria = listCriteria(query, root);
  return criteria.length > maxCriteria
    ? [
        {
          path: criteria[maxCriteria].path,
          code: 'BROKER_QUERY_TOO_MANY_CRITERIA',
          message: `the query has ${criteria.length} criteria; at most ${maxCriteria} are allowed`,
        },
      ]
    : [];
}
