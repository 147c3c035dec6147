/** One problem in a query: where (`$`-rooted JSON path), what (stable code) and a sentence for humans. */
export type CcdlIssue = { path: string; code: string; message: string };

/** Every issue code this library emits; stable, so callers and clients may switch on them. */
export const CcdlIssueCode = {
  /** A required property is missing. */
  Required: 'CCDL_REQUIRED',
  /** A value has the wrong JSON type (string instead of number, array instead of object, …). */
  InvalidType: 'CCDL_INVALID_TYPE',
  /** An array or string is shorter than allowed (no termCodes, empty group, empty code). */
  TooSmall: 'CCDL_TOO_SMALL',
  /** An array or string is longer than allowed. */
  TooBig: 'CCDL_TOO_BIG',
  /** A value is not one of a fixed set (comparator). */
  InvalidEnum: 'CCDL_INVALID_ENUM',
  /** A filter's `type` names no known filter kind. */
  InvalidDiscriminator: 'CCDL_INVALID_DISCRIMINATOR',
  /** A criterion inside a reference filter carries another reference filter. */
  NestedReference: 'CCDL_NESTED_REFERENCE',
  /** A date is not a calendar date in `YYYY-MM-DD` form. */
  InvalidDate: 'CCDL_INVALID_DATE',
  /** A string has some other wrong format. */
  InvalidFormat: 'CCDL_INVALID_FORMAT',
  /** `beforeDate` lies before `afterDate`. */
  TimeRangeInverted: 'CCDL_TIME_RANGE_INVERTED',
  /** A time restriction has neither `afterDate` nor `beforeDate`. */
  TimeRangeEmpty: 'CCDL_TIME_RANGE_EMPTY',
  /** A range filter's `maxValue` is below its `minValue`. */
  ValueRangeInverted: 'CCDL_VALUE_RANGE_INVERTED',
  /** A CRTDL document also carries top-level query properties, so it is unclear which query is meant. */
  AmbiguousDocument: 'CCDL_AMBIGUOUS_DOCUMENT',
  /** An unknown property differs from a known one only by case or a small typo (`valuefilter`); an error. */
  PropertyMisspelled: 'CCDL_PROPERTY_MISSPELLED',
  /** Any other unknown property: kept, as CCDL 2.0 allows, but no site evaluates it; a warning, never an error. */
  UnknownProperty: 'CCDL_UNKNOWN_PROPERTY',
  /** The text is not valid JSON. */
  JsonSyntax: 'CCDL_JSON_SYNTAX',
  /** Any other structural problem. */
  Invalid: 'CCDL_INVALID',
} as const;
export type CcdlIssueCode = (typeof CcdlIssueCode)[keyof typeof CcdlIssueCode];

/** Summarises issues for `Error.message`, which ends up in logs; the full list stays in `issues`. */
function summarise(prefix: string, issues: readonly CcdlIssue[]): string {
  const [first] = issues;
  if (first === undefined) {
    return prefix;
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
  return `${prefix}: ${first.path}: ${first.message}${more}`;
}

/** The input is not a structurally valid CCDL query; `issues` lists every problem found. */
export class CcdlValidationError extends Error {
  override readonly name = 'CcdlValidationError';
  readonly code = 'CCDL_INVALID';
  readonly issues: CcdlIssue[];

  constructor(issues: CcdlIssue[], options?: ErrorOptions) {
    super(summarise('invalid CCDL query', issues), options);
    this.issues = issues;
  }
}

/** The text handed to `parseStructuredQueryJson` is not JSON; `cause` holds the parser's error. */
export class CcdlJsonError extends Error {
  override readonly name = 'CcdlJsonError';
  readonly code = 'CCDL_JSON_SYNTAX';
  // One issue at the root, so clients can treat both error kinds alike.
  readonly issues: CcdlIssue[];

  constructor(detail: string, options?: ErrorOptions) {
    const issues = [{ path: '$', code: CcdlIssueCode.JsonSyntax, message: `the text is not valid JSON: ${detail}` }];
    super(summarise('invalid CCDL query text', issues), options);
    this.issues = issues;
  }
}

/** Any known failure of this library. */
export type CcdlError = CcdlValidationError | CcdlJsonError;
