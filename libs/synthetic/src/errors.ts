/** One issue found in the options passed to a generator function. */
export interface SyntheticOptionsIssue {
  path: string;
  code: string;
  message: string;
}

/** Thrown when a caller passes options the generator cannot work with (a bug at the call site). */
export class SyntheticOptionsError extends Error {
  readonly code = 'SYNTHETIC_OPTIONS_INVALID';

  constructor(readonly issues: readonly SyntheticOptionsIssue[]) {
    super(`Invalid synthetic generator options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'SyntheticOptionsError';
  }
}
