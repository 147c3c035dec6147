import { isCohortKey } from './cell-key';
import { sampleDiscreteLaplace } from './discrete-laplace';
import { type PrivacyIssue, PrivacyInputError, PrivacyIssueCode } from './errors';
import { createNoiseStream } from './keyed-bit-stream';
import { sampleMiiRoundedLaplace } from './mii-laplace';
import { toPrivacyIssues } from './policy';
import { type ProtectedCount, ProtectionPolicy } from './policy.schema';
import { type BigRational, floorDiv } from './rational';
import { describeSiteSecretProblem } from './site-secret';

/** Everything `protectCount` needs; `rawCount` is the exact count and never leaves the site. */
export type ProtectCountInput = {
  /** The exact cohort count, a non-negative safe integer. */
  rawCount: number;
  /** The persisted site secret, at least 32 bytes. */
  siteSecret: Uint8Array;
  /**
   * The key of the cohort `rawCount` counts: 32 lowercase hex digits, the XOR of its patients' record keys
   * (`createRecordKeyDeriver`). Every query that selects the same patients gets the same answer; another cohort draws
   * an unrelated value.
   */
  cohortKey: string;
  policy: ProtectionPolicy;
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Protects a count for publication: noise keyed by the cohort (the cell key method), rounding to a multiple of `policy.rounding` (halves up),
 * clamping at 0, then suppression when the rounded noisy value is below `policy.threshold`. Throws `PrivacyInputError`
 * only for arguments that validated callers cannot produce.
 */
export function protectCount(input: ProtectCountInput): ProtectedCount {
  const policy = ProtectionPolicy.safeParse(input.policy, { reportInput: true });
  const issues = argumentIssues(input);
  if (!policy.success) {
    issues.push(...toPrivacyIssues(policy.error.issues, ['policy']));
  }
  if (issues.length > 0 || !policy.success) {
    throw new PrivacyInputError(issues);
  }
  return protectWithPolicy(input, policy.data);
}

/** What a count protector needs per count; the policy was fixed when it was created. */
export type CountProtectorInput = Omit<ProtectCountInput, 'policy'>;

/**
 * `protectCount` for one policy, validated once here (a `PrivacyInputError` lists its problems) instead of on every
 * count; each call still checks its own arguments. Equal inputs give equal outputs to `protectCount`'s.
 */
export function createCountProtector(policy: ProtectionPolicy): (input: CountProtectorInput) => ProtectedCount {
  const parsed = ProtectionPolicy.safeParse(policy, { reportInput: true });
  if (!parsed.success) {
    throw new PrivacyInputError(toPrivacyIssues(parsed.error.issues, ['policy']));
  }
  const valid = parsed.data;
  return (input) => {
    const issues = argumentIssues(input);
    if (issues.length > 0) {
      throw new PrivacyInputError(issues);
    }
    return protectWithPolicy(input, valid);
  };
}

function protectWithPolicy(input: CountProtectorInput, policy: ProtectionPolicy): ProtectedCount {
  const { rawCount, siteSecret, cohortKey } = input;
  const random = createNoiseStream(siteSecret, cohortKey);
  const epsilon: BigRational = {
    numerator: BigInt(policy.epsilon.numerator),
    denominator: BigInt(policy.epsilon.denominator),
  };
  const rounding = BigInt(policy.rounding);
  let rounded: bigint;
  switch (policy.mechanism) {
    case 'discrete-laplace':
      rounded = roundToMultiple(BigInt(rawCount) + sampleDiscreteLaplace(random, epsilon), rounding);
      break;
    case 'mii-laplace':
      rounded = sampleMiiRoundedLaplace(random, BigInt(rawCount), epsilon, rounding);
      break;
  }
  const clamped = rounded < 0n ? 0n : rounded;
  // Threshold after rounding: suppression then speaks about the very number a reader would have seen.
  if (clamped < BigInt(policy.threshold)) {
    return { kind: 'below-threshold', threshold: policy.threshold };
  }
  // Saturate within Number's exact range; only counts within a few noise widths of 2^53 get here.
  const safe = clamped > MAX_SAFE ? (MAX_SAFE / rounding) * rounding : clamped;
  return { kind: 'count', protectedCount: Number(safe) };
}

/** Rounds to the nearest multiple of `rounding`, halves up (as Java's Math.round in the FDPG stack), in integers. */
export function roundToMultiple(value: bigint, rounding: bigint): bigint {
  return floorDiv(2n * value + rounding, 2n * rounding) * rounding;
}

/** Every problem with the per-count arguments (all but the policy), at once. */
function argumentIssues(input: CountProtectorInput): PrivacyIssue[] {
  const issues: PrivacyIssue[] = [];
  const { rawCount, siteSecret, cohortKey } = input;
  if (typeof rawCount !== 'number' || !Number.isSafeInteger(rawCount) || rawCount < 0) {
    issues.push({
      path: '$.rawCount',
      code: PrivacyIssueCode.RawCountInvalid,
      message: 'rawCount must be a non-negative safe integer',
    });
  }
  const secretProblem = describeSiteSecretProblem(siteSecret);
  if (secretProblem !== undefined) {
    issues.push({ path: '$.siteSecret', code: PrivacyIssueCode.SiteSecretInvalid, message: secretProblem });
  }
  if (!isCohortKey(cohortKey)) {
    issues.push({
      path: '$.cohortKey',
      code: PrivacyIssueCode.CohortKeyInvalid,
      message: 'cohortKey must be 32 lowercase hex digits',
    });
  }
  return issues;
}
