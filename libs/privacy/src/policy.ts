import { err, formatIssuePath, ok, type Result } from '@fq/result';
import type { z } from 'zod';
import { type PrivacyIssue, PrivacyIssueCode, PrivacyPolicyError } from './errors';
import { ProtectionPolicy } from './policy.schema';

type ZodIssue = z.core.$ZodIssue;
type PathSegment = PropertyKey;

/** Validates a protection policy (e.g. site configuration), filling defaults and listing every issue; never throws. */
export function parseProtectionPolicy(input: unknown): Result<ProtectionPolicy, PrivacyPolicyError> {
  // reportInput lets the issue mapper tell a missing property from a wrong one.
  const result = ProtectionPolicy.safeParse(input, { reportInput: true });
  if (result.success) {
    return ok(result.data);
  }
  return err(new PrivacyPolicyError(toPrivacyIssues(result.error.issues), { cause: result.error }));
}

/** Maps zod issues to privacy issues with `$`-rooted paths; `prefix` is prepended to every path. */
export function toPrivacyIssues(issues: readonly ZodIssue[], prefix: readonly PathSegment[] = []): PrivacyIssue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      // A union member that got past its type check explains the problem better than "matches no member".
      const relevant = issue.errors.filter((branch) => !branch.every(isRootTypeMismatch));
      const [only] = relevant;
      if (relevant.length === 1 && only !== undefined) {
        return toPrivacyIssues(only, path);
      }
    }
    return [{ path: formatIssuePath(path), ...describeIssue(issue, path) }];
  });
}

function isRootTypeMismatch(issue: ZodIssue): boolean {
  return issue.path.length === 0 && issue.code === 'invalid_type';
}

function describeIssue(issue: ZodIssue, path: readonly PathSegment[]): { code: string; message: string } {
  const subject = path.length === 0 ? 'the policy' : formatIssuePath(path).slice(2);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return { code: PrivacyIssueCode.Required, message: `${subject} is required (${issue.expected})` };
      }
      return {
        code: PrivacyIssueCode.InvalidType,
        message: `${subject} must be ${describeExpected(issue.expected)}, got ${describeValue(issue.input)}`,
      };
    case 'too_small':
      return { code: PrivacyIssueCode.OutOfRange, message: `${subject} must be at least ${String(issue.minimum)}` };
    case 'too_big':
      return { code: PrivacyIssueCode.OutOfRange, message: `${subject} must be at most ${String(issue.maximum)}` };
    case 'invalid_value':
      return {
        code: PrivacyIssueCode.InvalidEnum,
        message: `${subject} must be one of ${issue.values.map(String).join(', ')}, got ${describeValue(issue.input)}`,
      };
    case 'unrecognized_keys':
      return { code: PrivacyIssueCode.UnknownProperty, message: `unknown properties: ${issue.keys.join(', ')}` };
    case 'invalid_union':
      if (path.at(-1) === 'epsilon') {
        return {
          code: PrivacyIssueCode.EpsilonInvalid,
          message:
            'epsilon must be a decimal string such as "0.5", a fraction string such as "1/2" or ' +
            `{ numerator, denominator }, got ${describeValue(issue.input)}; numbers are refused (a float is not exact)`,
        };
      }
      return { code: PrivacyIssueCode.Invalid, message: `${subject}: ${issue.message}` };
    case 'custom': {
      const code: unknown = issue.params?.code;
      return { code: typeof code === 'string' ? code : PrivacyIssueCode.Invalid, message: issue.message };
    }
    case 'invalid_format':
    case 'not_multiple_of':
    case 'invalid_key':
    case 'invalid_element':
      return { code: PrivacyIssueCode.Invalid, message: `${subject}: ${issue.message}` };
  }
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'object':
      return 'an object';
    default:
      return `a ${expected}`;
  }
}

/** Describes a value without serialising all of it: input may be huge or cyclic. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
