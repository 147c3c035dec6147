import { PrivacyIssueCode, PrivacyPolicyError, type PrivacyIssue } from './errors';
import { parseProtectionPolicy } from './policy';
import { DEFAULT_PROTECTION_POLICY, EpsilonText, type ProtectionPolicy } from './policy.schema';

function expectParsed(input: unknown): ProtectionPolicy {
  const result = parseProtectionPolicy(input);
  if (!result.ok) {
    throw new Error(`expected a valid policy, got ${result.error.message}`);
  }
  return result.value;
}

function expectIssues(input: unknown): PrivacyIssue[] {
  const result = parseProtectionPolicy(input);
  if (result.ok) {
    throw new Error('expected an invalid policy');
  }
  expect(result.error).toBeInstanceOf(PrivacyPolicyError);
  expect(result.error.code).toBe('PRIVACY_POLICY_INVALID');
  return result.error.issues;
}

describe('parseProtectionPolicy', () => {
  it('fills every default from an empty object', () => {
    expect(expectParsed({})).toEqual(DEFAULT_PROTECTION_POLICY);
  });

  it('documents discrete Laplace with ε = 1/2, rounding 10 and threshold 10 as the defaults', () => {
    expect(DEFAULT_PROTECTION_POLICY).toEqual({
      mechanism: 'discrete-laplace',
      epsilon: { numerator: 1, denominator: 2 },
      rounding: 10,
      threshold: 10,
    });
  });

  it('accepts its own output unchanged', () => {
    expect(expectParsed(DEFAULT_PROTECTION_POLICY)).toEqual(DEFAULT_PROTECTION_POLICY);
  });

  it('accepts the FDPG-compatible policy', () => {
    expect(expectParsed({ mechanism: 'mii-laplace', epsilon: '0.5', rounding: 10, threshold: 0 })).toEqual({
      mechanism: 'mii-laplace',
      epsilon: { numerator: 1, denominator: 2 },
      rounding: 10,
      threshold: 0,
    });
  });

  it.each<[unknown, number, number]>([
    ['0.5', 1, 2],
    ['0.25', 1, 4],
    ['1', 1, 1],
    ['1.0', 1, 1],
    ['10', 10, 1],
    ['0.1', 1, 10],
    ['1/2', 1, 2],
    ['2/4', 1, 2],
    [' 0.5 ', 1, 2],
    [{ numerator: 3, denominator: 6 }, 1, 2],
    [{ numerator: 7, denominator: 5 }, 7, 5],
  ])('parses epsilon %j exactly to %d/%d in lowest terms', (epsilon, numerator, denominator) => {
    expect(expectParsed({ epsilon }).epsilon).toEqual({ numerator, denominator });
  });

  it.each<[unknown, string, string]>([
    [0.5, '$.epsilon', 'numbers are refused'],
    ['0', '$.epsilon', 'greater than 0'],
    ['0.000', '$.epsilon', 'greater than 0'],
    ['10.5', '$.epsilon', 'at most 10'],
    ['-0.5', '$.epsilon', 'a decimal such as'],
    ['1e-1', '$.epsilon', 'a decimal such as'],
    ['.5', '$.epsilon', 'a decimal such as'],
    ['1/0', '$.epsilon', 'a decimal such as'],
    ['0.0000001', '$.epsilon', 'at most 1000000'],
  ])('refuses epsilon %j with an issue at %s', (epsilon, path, message) => {
    const issues = expectIssues({ epsilon });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path, code: PrivacyIssueCode.EpsilonInvalid });
    expect(issues[0]?.message).toContain(message);
  });

  it('points at the broken part of an epsilon fraction', () => {
    expect(expectIssues({ epsilon: { numerator: 1 } })).toEqual([
      { path: '$.epsilon.denominator', code: PrivacyIssueCode.Required, message: expect.any(String) as string },
    ]);
    expect(expectIssues({ epsilon: { numerator: 0, denominator: 2 } })).toEqual([
      { path: '$.epsilon.numerator', code: PrivacyIssueCode.OutOfRange, message: expect.any(String) as string },
    ]);
    expect(expectIssues({ epsilon: { numerator: 1, denominator: 2, scale: 3 } })).toEqual([
      { path: '$.epsilon', code: PrivacyIssueCode.UnknownProperty, message: 'unknown properties: scale' },
    ]);
  });

  it('lists every issue at once, each with path, code and message', () => {
    const issues = expectIssues({ mechanism: 'laplace', epsilon: 2.5, rounding: 0, threshold: -1, treshold: 5 });
    expect(issues.map(({ path, code }) => ({ path, code }))).toEqual(
      expect.arrayContaining([
        { path: '$.mechanism', code: PrivacyIssueCode.InvalidEnum },
        { path: '$.epsilon', code: PrivacyIssueCode.EpsilonInvalid },
        { path: '$.rounding', code: PrivacyIssueCode.OutOfRange },
        { path: '$.threshold', code: PrivacyIssueCode.OutOfRange },
        { path: '$', code: PrivacyIssueCode.UnknownProperty },
      ]),
    );
    expect(issues).toHaveLength(5);
    for (const issue of issues) {
      expect(issue.message.length).toBeGreaterThan(0);
    }
  });

  it('refuses a fractional rounding or threshold as the wrong type', () => {
    const issues = expectIssues({ rounding: 2.5, threshold: '10' });
    expect(issues).toEqual([
      { path: '$.rounding', code: PrivacyIssueCode.InvalidType, message: 'rounding must be an integer, got 2.5' },
      { path: '$.threshold', code: PrivacyIssueCode.InvalidType, message: 'threshold must be a number, got "10"' },
    ]);
  });

  it.each([null, undefined, 'default', [], 42])('refuses %j as a policy', (input) => {
    const issues = expectIssues(input);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('$');
  });

  it('summarises the first issue in the error message for logs', () => {
    expect(parseProtectionPolicy({ rounding: 0, threshold: -1 })).toMatchObject({
      ok: false,
      error: { message: 'invalid protection policy: $.rounding: rounding must be at least 1 (and 1 more issue)' },
    });
  });
});

describe('EpsilonText', () => {
  it('parses ε from text exactly, as an environment variable carries it', () => {
    expect(EpsilonText.safeParse('0.25')).toEqual({ success: true, data: { numerator: 1, denominator: 4 } });
  });

  it('refuses text that is not an exact positive rational up to 10', () => {
    for (const text of ['abc', '0', '11']) {
      expect(EpsilonText.safeParse(text).success).toBe(false);
    }
  });
});
