import {
  FIXED_SECRET,
  discreteLaplaceMoments,
  discreteLaplacePmf,
  frequencyTolerance,
  cohortKeyFor,
  tally,
} from './__fixtures__/noise-fixtures';
import { sampleDiscreteLaplace } from './discrete-laplace';
import { createNoiseStream } from './keyed-bit-stream';
import type { BigRational } from './rational';

const KEYS = 20_000;

/** One draw per query hash, as `protectCount` makes them: a fresh keyed stream per (query, data version). */
function drawOverKeys(epsilon: BigRational, label: string): number[] {
  return Array.from({ length: KEYS }, (_, i) =>
    Number(sampleDiscreteLaplace(createNoiseStream(FIXED_SECRET, cohortKeyFor(i, label)), epsilon)),
  );
}

describe('sampleDiscreteLaplace', () => {
  describe.each<[string, BigRational]>([
    ['1/2', { numerator: 1n, denominator: 2n }],
    ['1/3', { numerator: 1n, denominator: 3n }],
    ['2', { numerator: 2n, denominator: 1n }],
    ['7/5', { numerator: 7n, denominator: 5n }],
  ])('with ε = %s over 20,000 query hashes', (label, epsilon) => {
    const eps = Number(epsilon.numerator) / Number(epsilon.denominator);
    const noise = drawOverKeys(epsilon, `distribution-${label}`);
    const counts = tally(noise);
    const { variance, fourthMoment } = discreteLaplaceMoments(eps);
    const mean = noise.reduce((sum, z) => sum + z, 0) / KEYS;
    const sampleVariance = noise.reduce((sum, z) => sum + (z - mean) ** 2, 0) / (KEYS - 1);

    it('has mean near 0', () => {
      expect(Math.abs(mean)).toBeLessThan(6 * Math.sqrt(variance / KEYS));
    });

    it('has variance near 2·e^−ε / (1 − e^−ε)²', () => {
      // Standard error of a sample variance: √((μ4 − σ⁴) / n).
      expect(Math.abs(sampleVariance - variance)).toBeLessThan(6 * Math.sqrt((fourthMoment - variance ** 2) / KEYS));
    });

    it('draws 0 with probability (1 − e^−ε) / (1 + e^−ε)', () => {
      const q = Math.exp(-eps);
      const p0 = (1 - q) / (1 + q);
      expect(Math.abs((counts.get(0) ?? 0) / KEYS - p0)).toBeLessThan(frequencyTolerance(p0, KEYS));
    });

    it('draws k and −k about equally often', () => {
      for (let k = 1; k <= 5; k += 1) {
        const plus = counts.get(k) ?? 0;
        const minus = counts.get(-k) ?? 0;
        // Given plus + minus draws of magnitude k, each sign is Binomial(·, 1/2): difference sd = √(plus + minus).
        expect(Math.abs(plus - minus)).toBeLessThanOrEqual(6 * Math.sqrt(plus + minus) + 1);
      }
    });

    it('matches the probability of every value within ±6', () => {
      for (let k = -6; k <= 6; k += 1) {
        const p = discreteLaplacePmf(eps, k);
        expect(Math.abs((counts.get(k) ?? 0) / KEYS - p)).toBeLessThan(frequencyTolerance(p, KEYS));
      }
    });
  });

  it('gives the same value for the same stream inputs, across fresh streams', () => {
    const epsilon = { numerator: 1n, denominator: 2n };
    for (let i = 0; i < 100; i += 1) {
      const first = sampleDiscreteLaplace(createNoiseStream(FIXED_SECRET, cohortKeyFor(i, 'v1')), epsilon);
      const second = sampleDiscreteLaplace(createNoiseStream(FIXED_SECRET, cohortKeyFor(i, 'v1')), epsilon);
      expect(second).toBe(first);
    }
  });

  it('returns a BigInt', () => {
    const value = sampleDiscreteLaplace(createNoiseStream(FIXED_SECRET, cohortKeyFor(0, 'v1')), {
      numerator: 1n,
      denominator: 2n,
    });
    expect(typeof value).toBe('bigint');
  });

  it('refuses ε ≤ 0', () => {
    const stream = createNoiseStream(FIXED_SECRET, cohortKeyFor(0, 'v1'));
    expect(() => sampleDiscreteLaplace(stream, { numerator: 0n, denominator: 1n })).toThrow(RangeError);
    expect(() => sampleDiscreteLaplace(stream, { numerator: 1n, denominator: 0n })).toThrow(RangeError);
  });
});
