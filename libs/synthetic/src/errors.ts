/** One issue found in the options passed to a generator function. */
export interface SyntheticOptionsIssue {
  path: string;
  code: string;
  message: string;
}

/** Stable codes of option issues, so a CLI can switch on them. */
export const SyntheticIssueCode = {
  Required: 'SYNTHETIC_OPTION_REQUIRED',
  InvalidType: 'SYNTHETIC_OPTION_INVALID_TYPE',
  TooSmall: 'SYNTHETIC_OPTION_TOO_SMALL',
  TooBig: 'SYNTHETIC_OPTION_TOO_BIG',
  InvalidFormat: 'SYNTHETIC_OPTION_INVALID_FORMAT',
  Unknown: 'SYNTHETIC_OPTION_UNKNOWN',
  Invalid: 'SYNTHETIC_OPTION_INVALID',
} as const;
export type SyntheticIssueCode = (typeof SyntheticIssueCode)[keyof typeof SyntheticIssueCode];

/** Thrown when a caller passes options the generator cannot work with (a bug at the call site). */
export class SyntheticOptionsError extends Error {
  readonly code = 'SYNTHETIC_OPTIONS_INVALID';

  constructor(readonly issues: readonly SyntheticOptionsIssue[]) {
    super(`Invalid synthetic generator options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'SyntheticOptionsError';
  }
}

/** Thrown when the output directory or one of its files cannot be prepared, written or closed. */
export class SyntheticOutputError extends Error {
  readonly code = 'SYNTHETIC_OUTPUT_FAILED';

  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${message}: ${path}`, options);
    this.name = 'SyntheticOutputError';
  }
}
