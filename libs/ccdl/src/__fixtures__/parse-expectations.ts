import { readFileSync } from 'node:fs';
import type { CcdlIssue } from '../errors';
import { parseStructuredQuery } from '../parse';

/** Reads and parses a JSON file. */
export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** Path of the first inclusion criterion, where most builders put what a test varies. */
export const CRITERION = '$.inclusionCriteria[0][0]';

/** The issues of a query expected to be rejected. */
export function issuesOf(input: unknown): CcdlIssue[] {
  const result = parseStructuredQuery(input);
  if (result.ok) {
    throw new Error('expected the query to be rejected');
  }
  return result.error.issues;
}

/** Asserts that the query is accepted, showing the issues if not. */
export function expectValid(input: unknown): void {
  const result = parseStructuredQuery(input);
  expect(result.ok ? [] : result.error.issues).toEqual([]);
}

/** Asserts exactly these issues (path and code), in any order. */
export function expectIssues(input: unknown, expected: { path: string; code: string }[]): void {
  const actual = issuesOf(input).map(({ path: issuePath, code }) => ({ path: issuePath, code }));
  expect(actual).toEqual(expect.arrayContaining(expected));
  expect(actual).toHaveLength(expected.length);
}

/** Asserts exactly one issue and returns it for a closer look at its message. */
export function expectSingleIssue(input: unknown, expected: { path: string; code: string }): CcdlIssue {
  expectIssues(input, [expected]);
  const [issue] = issuesOf(input);
  return issue;
}
