import { err, formatIssuePath, ok, type Result } from '@fq/result';
import { z } from 'zod';
import { SyntheticIssueCode, SyntheticOptionsError, type SyntheticOptionsIssue } from './errors';

/** Progress of a running generation, reported every `progressEvery` patients and once at the end. */
export interface SyntheticProgress {
  /** Patients completely generated and handed to the writers. */
  patients: number;
  patientsTotal: number;
  /** Resources written so far, shared Medications included. */
  resources: number;
  /** Bytes written to disk so far (compressed size with gzip). */
  bytes: number;
}

const isFunction = (value: unknown): value is (progress: SyntheticProgress) => void => typeof value === 'function';

export const SyntheticOptions = z.strictObject({
  /** Number of patients, numbered 1…patients. */
  patients: z.number().int().min(1).max(100_000_000),
  /** A number and its decimal string give the same data. */
  seed: z.union([
    z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
    z.string().min(1).max(200),
  ]),
  outDir: z.string().min(1),
  gzip: z.boolean().default(false),
  /** Site name mixed into the seed, so sites of one network get different patients from one seed. */
  site: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be 1–64 letters, digits, dots, dashes or underscores' })
    .optional(),
  onProgress: z.custom<(progress: SyntheticProgress) => void>(isFunction, { error: 'must be a function' }).optional(),
  /** Report progress after this many patients (default 1,000). */
  progressEvery: z.number().int().min(1).default(1000),
});
export type SyntheticOptions = z.infer<typeof SyntheticOptions>;
export type SyntheticOptionsInput = z.input<typeof SyntheticOptions>;

function issueCode(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? SyntheticIssueCode.Required : SyntheticIssueCode.InvalidType;
    case 'too_small':
      return SyntheticIssueCode.TooSmall;
    case 'too_big':
      return SyntheticIssueCode.TooBig;
    case 'invalid_format':
      return SyntheticIssueCode.InvalidFormat;
    case 'unrecognized_keys':
      return SyntheticIssueCode.Unknown;
    case 'invalid_union':
    case 'invalid_value':
    case 'custom':
    case 'not_multiple_of':
    case 'invalid_key':
    case 'invalid_element':
      return SyntheticIssueCode.Invalid;
  }
}

function toIssues(issues: readonly z.core.$ZodIssue[]): SyntheticOptionsIssue[] {
  return issues.map((issue) => ({
    // An option is named as its caller wrote it (`patients`), the path without its `$.` root.
    path: issue.path.length === 0 ? '(options)' : formatIssuePath(issue.path).replace(/^\$\.?/, ''),
    code: issueCode(issue),
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown option${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`
        : issue.message,
  }));
}

/** Validates generator options, listing every issue; never throws on bad input. */
export function parseSyntheticOptions(input: unknown): Result<SyntheticOptions, SyntheticOptionsError> {
  const result = SyntheticOptions.safeParse(input, { reportInput: true });
  return result.success ? ok(result.data) : err(new SyntheticOptionsError(toIssues(result.error.issues)));
}
