import { formatIssuePath } from '@fq/result';
import type { z } from 'zod';
import { type CcdlIssue, CcdlIssueCode } from './errors';
import { isRecord } from './is-record';

type ZodIssue = z.core.$ZodIssue;
type PathSegment = PropertyKey;

// Long strings are cut so that a message stays one readable line.
const MAX_QUOTED_LENGTH = 40;

/** Maps zod issues to CCDL issues; `prefix` is prepended to every path (e.g. `cohortDefinition`). */
export function toCcdlIssues(issues: readonly ZodIssue[], prefix: readonly PathSegment[] = []): CcdlIssue[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    const { code, message } = describeIssue(issue, path);
    return { path: formatIssuePath(path), code, message };
  });
}

function describeIssue(issue: ZodIssue, path: readonly PathSegment[]): { code: string; message: string } {
  const subject = subjectOf(path);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return {
          code: CcdlIssueCode.Required,
          message: `${subject} is required (${describeExpected(issue.expected)})`,
        };
      }
      return {
        code: CcdlIssueCode.InvalidType,
        message: `${subject} must be ${describeExpected(issue.expected)}, got ${describeValue(issue.input)}`,
      };
    case 'too_small':
      return { code: CcdlIssueCode.TooSmall, message: describeTooSmall(issue, path, subject) };
    case 'too_big':
      return {
        code: CcdlIssueCode.TooBig,
        message: `${subject} must have at most ${String(issue.maximum)} ${issue.origin === 'string' ? 'characters' : 'items'}`,
      };
    case 'invalid_value':
      if (issue.input === undefined) {
        return { code: CcdlIssueCode.Required, message: `${subject} is required (one of ${issue.values.join(', ')})` };
      }
      return {
        code: CcdlIssueCode.InvalidEnum,
        message: `${subject} must be one of ${issue.values.map(String).join(', ')}, got ${describeValue(issue.input)}`,
      };
    case 'invalid_union':
      return describeUnion(issue, path, subject);
    case 'invalid_format':
      if (issue.format === 'date') {
        return {
          code: CcdlIssueCode.InvalidDate,
          message: `${subject} must be a calendar date as YYYY-MM-DD, got ${describeValue(issue.input)}`,
        };
      }
      return { code: CcdlIssueCode.InvalidFormat, message: `${subject} must be a valid ${issue.format}` };
    case 'custom':
      return { code: customCode(issue.params), message: issue.message };
    case 'unrecognized_keys':
      return { code: CcdlIssueCode.Invalid, message: `unknown properties: ${issue.keys.join(', ')}` };
    case 'not_multiple_of':
    case 'invalid_key':
    case 'invalid_element':
      return { code: CcdlIssueCode.Invalid, message: `${subject}: ${issue.message}` };
  }
}

function describeTooSmall(issue: z.core.$ZodIssueTooSmall, path: readonly PathSegment[], subject: string): string {
  const minimum = String(issue.minimum);
  if (issue.origin === 'string') {
    return minimum === '1' ? `${subject} must not be empty` : `${subject} must have at least ${minimum} characters`;
  }
  if (issue.origin !== 'array') {
    return `${subject} must be at least ${minimum}`;
  }
  const last = path.at(-1);
  const beforeLast = path.at(-2);
  // An inner array of inclusionCriteria / exclusionCriteria is a group of criteria.
  if (typeof last === 'number' && (beforeLast === 'inclusionCriteria' || beforeLast === 'exclusionCriteria')) {
    const kind = beforeLast === 'inclusionCriteria' ? 'inclusion' : 'exclusion';
    return `expected at least ${minimum} criterion in ${kind} group ${last}`;
  }
  const describe = typeof last === 'string' ? ARRAY_TOO_SMALL[last] : undefined;
  return describe === undefined ? `${subject} must have at least ${minimum} items` : describe(minimum);
}

// Domain words for the arrays the schema requires to be non-empty.
const ARRAY_TOO_SMALL: Partial<Record<string, (minimum: string) => string>> = {
  termCodes: (minimum) => `expected at least ${minimum} termCode`,
  selectedConcepts: (minimum) => `expected at least ${minimum} selected concept`,
  criteria: (minimum) => `expected at least ${minimum} criterion in the reference filter`,
  inclusionCriteria: (minimum) => `expected at least ${minimum} inclusion group`,
  exclusionCriteria: (minimum) =>
    `expected at least ${minimum} exclusion group; omit exclusionCriteria when there is none`,
};

function describeUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: readonly PathSegment[],
  subject: string,
): { code: string; message: string } {
  const discriminator = issue.discriminator;
  if (discriminator === undefined || !('options' in issue) || issue.options === undefined) {
    return { code: CcdlIssueCode.Invalid, message: `${subject}: ${issue.message}` };
  }
  const options = issue.options.map(String);
  const given = isRecord(issue.input) ? issue.input[discriminator] : undefined;
  if (given === undefined) {
    return { code: CcdlIssueCode.Required, message: `${subject} is required (one of ${options.join(', ')})` };
  }
  // zod reports the discriminator's path: [..., 'criteria', i, 'attributeFilters', j, 'type'].
  const insideReferencedCriterion = path.at(-3) === 'attributeFilters' && path.at(-5) === 'criteria';
  if (given === 'reference' && insideReferencedCriterion) {
    return {
      code: CcdlIssueCode.NestedReference,
      message: 'a criterion inside a reference filter cannot have a reference filter of its own',
    };
  }
  return {
    code: CcdlIssueCode.InvalidDiscriminator,
    message: `${subject} must be one of ${options.join(', ')}, got ${describeValue(given)}`,
  };
}

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(CcdlIssueCode));

function customCode(params: Record<string, unknown> | undefined): string {
  const code = params?.code;
  return typeof code === 'string' && KNOWN_CODES.has(code) ? code : CcdlIssueCode.Invalid;
}

/** Names the offending value by the path from its last property name, e.g. `inclusionCriteria[0]`. */
function subjectOf(path: readonly PathSegment[]): string {
  let start = path.length;
  while (start > 0 && typeof path[start - 1] === 'number') {
    start -= 1;
  }
  if (start === 0) {
    return path.length === 0 ? 'the query' : `element ${formatIssuePath(path).slice(1)}`;
  }
  return formatIssuePath(path.slice(start - 1)).replace(/^\$\.?/, '');
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'object':
    case 'array':
      return `an ${expected}`;
    case 'string':
    case 'number':
    case 'boolean':
      return `a ${expected}`;
    default:
      return expected;
  }
}

/** Describes a value without serialising it: input may be huge, cyclic or hold a BigInt. */
function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value);
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? `the number ${value}` : String(value);
  }
  if (typeof value === 'boolean') {
    return String(value);
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
