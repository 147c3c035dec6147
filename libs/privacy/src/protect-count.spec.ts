import fc from 'fast-check';
import { FIXED_SECRET, OTHER_SECRET, cohortKeyFor } from './__fixtures__/noise-fixtures';
import { sampleDiscreteLaplace } from './discrete-laplace';
import { PrivacyInputError, PrivacyIssueCode } from './errors';
import { createNoiseStream } from './keyed-bit-stream';
import { parseProtectionPolicy } from './policy';
import { DEFAULT_PROTECTION_POLICY, ProtectedCount, type ProtectionPolicy } from './policy.schema';
import { createCountProtector, type ProtectCountInput, protectCount, roundToMultiple } from './protect-count';
import { decodeSiteSecret, encodeSiteSecret } from './site-secret';

const HALF = { numerator: 1n, denominator: 2n };
// Rounding 1 and threshold 0 publish raw count + noise, clamped at 0: the noise itself becomes visible to tests.
const NOISE_ONLY: ProtectionPolicy = { ...DEFAULT_PROTECTION_POLICY, rounding: 1, threshold: 0 };

function input(overrides: Partial<ProtectCountInput> = {}): ProtectCountInput {
  return {
    rawCount: 1000,
    siteSecret: FIXED_SECRET,
    cohortKey: cohortKeyFor(0),
    policy: DEFAULT_PROTECTION_POLICY,
    ...overrides,
  };
}

function countOf(result: ProtectedCount): number {
  if (result.kind !== 'count') {
    throw new Error(`expected a count, got ${JSON.stringify(result)}`);
  }
  return result.protectedCount;
}

/** Asserts a fast-check property over 500 generated inputs (named for the lint rule that wants an assertion). */
function expectProperty<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => boolean): void {
  fc.assert(fc.property(arbitrary, predicate), { numRuns: 500 });
}

/** A cohort key whose discrete Laplace noise (ε = 1/2, FIXED_SECRET) is exactly `noise`, to pin edge cases. */
function cohortKeyWithNoise(noise: number): string {
  for (let i = 0; i < 100_000; i += 1) {
    const cohortKey = cohortKeyFor(i, 'edge-cases');
    if (sampleDiscreteLaplace(createNoiseStream(FIXED_SECRET, cohortKey), HALF) === BigInt(noise)) {
      return cohortKey;
    }
  }
  throw new Error(`no fixture cohort key has noise ${noise}`);
}

/** The answer when the keyed noise is exactly `noise`: rawCount + noise is the noisy value before rounding. */
function protectWithNoise(rawCount: number, noise: number, policy: Partial<ProtectionPolicy>): ProtectedCount {
  const cohortKey = cohortKeyWithNoise(noise);
  return protectCount(input({ rawCount, cohortKey, policy: { ...DEFAULT_PROTECTION_POLICY, ...policy } }));
}

describe('protectCount', () => {
  describe('determinism', () => {
    it('gives the identical answer to identical inputs across fresh calls', () => {
      for (let i = 0; i < 200; i += 1) {
        const args = input({ cohortKey: cohortKeyFor(i), rawCount: i * 7, policy: NOISE_ONLY });
        expect(protectCount(args)).toEqual(protectCount({ ...args }));
      }
    });

    it('gives the identical answer after the secret went through its persisted text form', () => {
      const decoded = decodeSiteSecret(encodeSiteSecret(FIXED_SECRET));
      if (!decoded.ok) {
        throw decoded.error;
      }
      for (let i = 0; i < 50; i += 1) {
        const args = input({ cohortKey: cohortKeyFor(i), policy: NOISE_ONLY });
        expect(protectCount({ ...args, siteSecret: decoded.value })).toEqual(protectCount(args));
      }
    });

    it('pins the answers for fixed inputs, so a restart or an upgrade changes no published answer', () => {
      // Changing these re-draws every answer a site ever gave, which lets a researcher average; see docs/privacy.md.
      const noiseOnly = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
        countOf(protectCount(input({ cohortKey: cohortKeyFor(i), policy: NOISE_ONLY }))),
      );
      expect(noiseOnly).toEqual(GOLDEN_NOISE_ONLY);
      const defaults = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
        protectCount(input({ rawCount: 3 * i, cohortKey: cohortKeyFor(i), policy: DEFAULT_PROTECTION_POLICY })),
      );
      expect(defaults).toEqual(GOLDEN_DEFAULTS);
      const mii = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
        protectCount(
          input({
            rawCount: 100 + i,
            cohortKey: cohortKeyFor(i),
            policy: { mechanism: 'mii-laplace', epsilon: { numerator: 1, denominator: 2 }, rounding: 10, threshold: 0 },
          }),
        ),
      );
      expect(mii).toEqual(GOLDEN_MII);
    });

    it('answers equal ε written differently identically', () => {
      const written = ['0.5', '1/2', '2/4', { numerator: 3, denominator: 6 }].map((epsilon) => {
        const parsed = parseProtectionPolicy({ epsilon, rounding: 1, threshold: 0 });
        if (!parsed.ok) {
          throw parsed.error;
        }
        return parsed.value;
      });
      for (let i = 0; i < 50; i += 1) {
        const answers = written.map((policy) => protectCount(input({ cohortKey: cohortKeyFor(i), policy })));
        expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
      }
    });

    it('normalises an ε that a caller passes unreduced', () => {
      const unreduced = { ...NOISE_ONLY, epsilon: { numerator: 2, denominator: 4 } };
      expect(protectCount(input({ policy: unreduced }))).toEqual(protectCount(input({ policy: NOISE_ONLY })));
    });
  });

  describe('keying', () => {
    const keys = 2000;
    const answers = (overrides: Partial<ProtectCountInput>): number[] =>
      Array.from({ length: keys }, (_, i) =>
        countOf(protectCount(input({ cohortKey: cohortKeyFor(i), policy: NOISE_ONLY, ...overrides }))),
      );
    const base = answers({});
    // Two independent draws agree with probability Σ P(k)² ≈ 0.13 for ε = 1/2.
    const changedShare = (other: number[]): number => other.filter((value, i) => value !== base[i]).length / keys;

    it('adds the keyed noise of (secret, cohort key) to the raw count', () => {
      const noise = Array.from({ length: 50 }, (_, i) =>
        Number(sampleDiscreteLaplace(createNoiseStream(FIXED_SECRET, cohortKeyFor(i)), HALF)),
      );
      expect(base.slice(0, 50)).toEqual(noise.map((z) => 1000 + z));
    });

    it('draws new noise for another cohort of the same size for most cohorts', () => {
      const others = Array.from({ length: keys }, (_, i) =>
        countOf(protectCount(input({ cohortKey: cohortKeyFor(i, 'other'), policy: NOISE_ONLY }))),
      );
      expect(changedShare(others)).toBeGreaterThan(0.8);
    });

    it('draws different noise under a different site secret for most queries', () => {
      expect(changedShare(answers({ siteSecret: OTHER_SECRET }))).toBeGreaterThan(0.8);
    });

    it('does not answer by raw count alone: different cohorts of the same size get different answers', () => {
      expect(new Set(base).size).toBeGreaterThan(10);
    });

    it('does not depend on the raw count beyond adding it', () => {
      const shifted = answers({ rawCount: 1500 });
      expect(shifted.map((value) => value - 500)).toEqual(base);
    });
  });

  describe('rounding, clamping and threshold, in that order', () => {
    it.each<[number, number, ProtectedCount]>([
      [10, 0, { kind: 'count', protectedCount: 10 }],
      [10, -1, { kind: 'below-threshold', threshold: 10 }],
      [10, 1, { kind: 'count', protectedCount: 11 }],
    ])('with rounding 1 and threshold 10 answers raw count %d with noise %d as %j', (raw, noise, expected) => {
      expect(protectWithNoise(raw, noise, { rounding: 1, threshold: 10 })).toEqual(expected);
    });

    it.each<[number, ProtectedCount]>([
      [4, { kind: 'below-threshold', threshold: 10 }],
      [5, { kind: 'count', protectedCount: 10 }],
      [14, { kind: 'count', protectedCount: 10 }],
      [15, { kind: 'count', protectedCount: 20 }],
    ])('with rounding 10 and threshold 10 rounds noisy value %d half up before comparing', (noisy, expected) => {
      expect(protectWithNoise(noisy - 2, 2, { rounding: 10, threshold: 10 })).toEqual(expected);
    });

    it('compares the threshold with the rounded value, the number a reader would have seen', () => {
      expect(protectWithNoise(12, 2, { rounding: 10, threshold: 15 })).toEqual({
        kind: 'below-threshold',
        threshold: 15,
      });
      expect(protectWithNoise(13, 2, { rounding: 10, threshold: 15 })).toEqual({ kind: 'count', protectedCount: 20 });
    });

    it('decides suppression on the noisy value, not on the raw count', () => {
      // A raw count below the threshold can be published, one above it can be suppressed.
      expect(protectWithNoise(3, 8, { rounding: 1, threshold: 10 })).toEqual({ kind: 'count', protectedCount: 11 });
      expect(protectWithNoise(12, -5, { rounding: 1, threshold: 10 })).toEqual({
        kind: 'below-threshold',
        threshold: 10,
      });
    });

    it('clamps a negative rounded value to 0 when the threshold is off', () => {
      expect(protectWithNoise(2, -7, { rounding: 10, threshold: 0 })).toEqual({ kind: 'count', protectedCount: 0 });
      expect(protectWithNoise(0, -1, { rounding: 1, threshold: 0 })).toEqual({ kind: 'count', protectedCount: 0 });
    });
  });

  describe('roundToMultiple', () => {
    it.each<[bigint, bigint, bigint]>([
      [0n, 10n, 0n],
      [4n, 10n, 0n],
      [5n, 10n, 10n],
      [-4n, 10n, 0n],
      [-5n, 10n, 0n],
      [-6n, 10n, -10n],
      [7n, 5n, 5n],
      [8n, 5n, 10n],
      [123n, 1n, 123n],
    ])('rounds %d to the nearest multiple of %d, halves up: %d', (value, rounding, expected) => {
      expect(roundToMultiple(value, rounding)).toBe(expected);
    });
  });

  describe('the MII-compatible mechanism', () => {
    const mii: ProtectionPolicy = {
      mechanism: 'mii-laplace',
      epsilon: { numerator: 1, denominator: 2 },
      rounding: 10,
      threshold: 0,
    };

    it('publishes multiples of 10 and never a negative number, also for raw counts near 0', () => {
      const values = Array.from({ length: 3000 }, (_, i) =>
        countOf(protectCount(input({ rawCount: i % 25, cohortKey: cohortKeyFor(i), policy: mii }))),
      );
      expect(values.filter((value) => value % 10 !== 0 || value < 0)).toEqual([]);
      expect(values.filter((value) => value === 0).length).toBeGreaterThan(0);
    });

    it('draws new noise for another cohort of the same size', () => {
      const changed = Array.from({ length: 1000 }, (_, i) => {
        const args = input({ rawCount: 125, cohortKey: cohortKeyFor(i), policy: mii });
        return countOf(protectCount(args)) !== countOf(protectCount({ ...args, cohortKey: cohortKeyFor(i, 'other') }));
      }).filter(Boolean).length;
      // On a rounding edge, two independent draws land in different buckets about half of the time.
      expect(changed).toBeGreaterThan(400);
    });
  });

  describe('input validation', () => {
    function expectInputIssues(args: ProtectCountInput): Array<{ path: string; code: string }> {
      try {
        protectCount(args);
      } catch (error) {
        expect(error).toBeInstanceOf(PrivacyInputError);
        if (error instanceof PrivacyInputError) {
          expect(error.code).toBe('PRIVACY_INPUT_INVALID');
          return error.issues.map(({ path, code }) => ({ path, code }));
        }
      }
      throw new Error('expected protectCount to throw');
    }

    it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
      'refuses rawCount %d',
      (rawCount) => {
        expect(expectInputIssues(input({ rawCount }))).toEqual([
          { path: '$.rawCount', code: PrivacyIssueCode.RawCountInvalid },
        ]);
      },
    );

    it.each(['', 'abc', cohortKeyFor(0).toUpperCase(), cohortKeyFor(0).slice(1), `${cohortKeyFor(0)}0`])(
      'refuses cohortKey %j',
      (cohortKey) => {
        expect(expectInputIssues(input({ cohortKey }))).toEqual([
          { path: '$.cohortKey', code: PrivacyIssueCode.CohortKeyInvalid },
        ]);
      },
    );

    it('lists every problem at once', () => {
      const issues = expectInputIssues({
        rawCount: -3,
        siteSecret: new Uint8Array(16),
        cohortKey: 'nope',
        policy: { ...DEFAULT_PROTECTION_POLICY, rounding: 0 },
      });
      expect(issues).toEqual([
        { path: '$.rawCount', code: PrivacyIssueCode.RawCountInvalid },
        { path: '$.siteSecret', code: PrivacyIssueCode.SiteSecretInvalid },
        { path: '$.cohortKey', code: PrivacyIssueCode.CohortKeyInvalid },
        { path: '$.policy.rounding', code: PrivacyIssueCode.OutOfRange },
      ]);
    });

    it('never puts the raw count into the error message', () => {
      let caught: unknown;
      try {
        protectCount(input({ rawCount: 4711.5 }));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PrivacyInputError);
      expect(JSON.stringify(caught) + String(caught)).not.toContain('4711');
    });

    it('refuses an invalid policy when a count protector is created, before any count', () => {
      expect(() => createCountProtector({ ...DEFAULT_PROTECTION_POLICY, rounding: 0 })).toThrow(PrivacyInputError);
    });

    it("lists a count protector's argument problems at once, without the raw count", () => {
      const protect = createCountProtector(DEFAULT_PROTECTION_POLICY);
      let caught: unknown;
      try {
        protect({ rawCount: 4711.5, siteSecret: new Uint8Array(16), cohortKey: 'nope' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PrivacyInputError);
      expect((caught as PrivacyInputError).issues.map((issue) => issue.code)).toEqual([
        PrivacyIssueCode.RawCountInvalid,
        PrivacyIssueCode.SiteSecretInvalid,
        PrivacyIssueCode.CohortKeyInvalid,
      ]);
      expect(JSON.stringify(caught) + String(caught)).not.toContain('4711');
    });

    it('refuses a missing policy instead of silently using defaults', () => {
      const args = { ...input(), policy: undefined } as unknown as ProtectCountInput;
      expect(expectInputIssues(args)).toEqual([{ path: '$.policy', code: PrivacyIssueCode.Required }]);
    });
  });

  describe('properties', () => {
    const hexKey = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('hex'));
    const policy = fc.record({
      mechanism: fc.constantFrom<ProtectionPolicy['mechanism']>('discrete-laplace', 'mii-laplace'),
      epsilon: fc.constantFrom(
        { numerator: 1, denominator: 2 },
        { numerator: 1, denominator: 10 },
        { numerator: 3, denominator: 1 },
      ),
      rounding: fc.integer({ min: 1, max: 100 }),
      threshold: fc.integer({ min: 0, max: 50 }),
    });
    const args = fc.record({
      rawCount: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1_000_000_000 })),
      siteSecret: fc.uint8Array({ minLength: 32, maxLength: 48 }),
      cohortKey: hexKey,
      policy,
    });

    it('publishes a non-negative multiple of the rounding at or above the threshold, or the policy threshold', () => {
      expectProperty(args, (a) => {
        const result = protectCount(a);
        const { rounding, threshold } = a.policy;
        const wellFormed = ProtectedCount.safeParse(result).success;
        return result.kind === 'count'
          ? wellFormed &&
              result.protectedCount >= 0 &&
              result.protectedCount % rounding === 0 &&
              result.protectedCount >= threshold
          : wellFormed && result.threshold === threshold && threshold > 0;
      });
    });

    it('is deterministic', () => {
      fc.assert(
        fc.property(args, (a) => {
          expect(protectCount({ ...a, siteSecret: Uint8Array.from(a.siteSecret) })).toEqual(protectCount(a));
        }),
        { numRuns: 300 },
      );
    });

    it('answers through a count protector exactly as protectCount does', () => {
      fc.assert(
        fc.property(args, ({ policy: p, ...rest }) => {
          expect(createCountProtector(p)(rest)).toEqual(protectCount({ ...rest, policy: p }));
        }),
        { numRuns: 300 },
      );
    });

    it('never publishes a raw count that is not a multiple of the rounding', () => {
      fc.assert(
        fc.property(args, (a) => {
          fc.pre(a.policy.rounding > 1 && a.rawCount % a.policy.rounding !== 0);
          const result = protectCount(a);
          expect(result.kind === 'count' && result.protectedCount === a.rawCount).toBe(false);
        }),
        { numRuns: 300 },
      );
    });

    it('does not reveal the raw count systematically: without rounding, most answers differ from it', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 20, max: 1_000_000 }),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          (rawCount, siteSecret) => {
            const exact = Array.from({ length: 200 }, (_, i) =>
              protectCount({ rawCount, siteSecret, cohortKey: cohortKeyFor(i), policy: NOISE_ONLY }),
            ).filter((result) => result.kind === 'count' && result.protectedCount === rawCount).length;
            // P(noise = 0) ≈ 0.245 for ε = 1/2; 0.4 of 200 lies more than 5 standard deviations above.
            expect(exact / 200).toBeLessThan(0.4);
          },
        ),
        { numRuns: 20 },
      );
    });
  });
});

// Answers for fixed inputs under the version-2 derivation (keyed by cohort); see 'pins the answers for fixed inputs'.
const GOLDEN_NOISE_ONLY = [1002, 1000, 1004, 1001, 1003, 1000, 1001, 1003];
const BELOW_10: ProtectedCount = { kind: 'below-threshold', threshold: 10 };
const count = (protectedCount: number): ProtectedCount => ({ kind: 'count', protectedCount });
// rawCount 3·i plus the noise of GOLDEN_NOISE_ONLY (2, 0, 4, 1, 3, 0, 1, 3), rounded, then thresholded.
const GOLDEN_DEFAULTS = [BELOW_10, BELOW_10, count(10), count(10), count(20), count(20), count(20), count(20)];
const GOLDEN_MII = [100, 110, 100, 100, 100, 110, 110, 110].map(count);
