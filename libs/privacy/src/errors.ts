/** One problem in a policy, secret or call: where (`$`-rooted JSON path), what (stable code), a sentence for humans. */
export type PrivacyIssue = { path: string; code: string; message: string };

/** Every issue code this library emits; stable, so callers and clients may switch on them. */
export const PrivacyIssueCode = {
  /** A value has the wrong JSON type (string instead of number, array instead of object, …). */
  InvalidType: 'PRIVACY_INVALID_TYPE',
  /** A required property is missing. */
  Required: 'PRIVACY_REQUIRED',
  /** A value is not one of a fixed set (mechanism). */
  InvalidEnum: 'PRIVACY_INVALID_ENUM',
  /** A number lies outside its allowed range (rounding, threshold, numerator, denominator). */
  OutOfRange: 'PRIVACY_OUT_OF_RANGE',
  /** Epsilon is not an exact positive rational within the supported range. */
  EpsilonInvalid: 'PRIVACY_EPSILON_INVALID',
  /** An object carries a property the schema does not know (a typo in a policy must not pass silently). */
  UnknownProperty: 'PRIVACY_UNKNOWN_PROPERTY',
  /** `rawCount` is not a non-negative safe integer. */
  RawCountInvalid: 'PRIVACY_RAW_COUNT_INVALID',
  /** `cohortKey` is not 32 lowercase hex digits. */
  CohortKeyInvalid: 'PRIVACY_COHORT_KEY_INVALID',
  /** The site secret is not base64url text of at least 32 bytes, or not bytes at all. */
  SiteSecretInvalid: 'PRIVACY_SITE_SECRET_INVALID',
  /** Any other structural problem. */
  Invalid: 'PRIVACY_INVALID',
} as const;
export type PrivacyIssueCode = (typeof PrivacyIssueCode)[keyof typeof PrivacyIssueCode];

/** Summarises issues for `Error.message`, which ends up in logs; the full list stays in `issues`. */
function summarise(prefix: string, issues: readonly PrivacyIssue[]): string {
  const [first] = issues;
  if (first === undefined) {
    return prefix;
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
  return `${prefix}: ${first.path}: ${first.message}${more}`;
}

/** A protection policy (site configuration) is invalid; `issues` lists every problem found. */
export class PrivacyPolicyError extends Error {
  override readonly name = 'PrivacyPolicyError';
  readonly code = 'PRIVACY_POLICY_INVALID';
  readonly issues: PrivacyIssue[];

  constructor(issues: PrivacyIssue[], options?: ErrorOptions) {
    super(summarise('invalid protection policy', issues), options);
    this.issues = issues;
  }
}

/** Stored site-secret text cannot be decoded; messages never contain the secret itself. */
export class PrivacySecretError extends Error {
  override readonly name = 'PrivacySecretError';
  readonly code = 'PRIVACY_SITE_SECRET_INVALID';
  readonly issues: PrivacyIssue[];

  constructor(issues: PrivacyIssue[], options?: ErrorOptions) {
    super(summarise('invalid site secret', issues), options);
    this.issues = issues;
  }
}

/** A caller passed arguments that its types or upstream validation should have ruled out: a bug, so it is thrown. */
export class PrivacyInputError extends Error {
  override readonly name = 'PrivacyInputError';
  readonly code = 'PRIVACY_INPUT_INVALID';
  readonly issues: PrivacyIssue[];

  constructor(issues: PrivacyIssue[], options?: ErrorOptions) {
    super(summarise('invalid input to the privacy library', issues), options);
    this.issues = issues;
  }
}

/** Any known failure of this library that is returned as a value. */
export type PrivacyError = PrivacyPolicyError | PrivacySecretError;
