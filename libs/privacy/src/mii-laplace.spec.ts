import { FIXED_SECRET, frequencyTolerance, laplaceCdf, cohortKeyFor, tally } from './__fixtures__/noise-fixtures';
import { createNoiseStream } from './keyed-bit-stream';
import { sampleMiiRoundedLaplace } from './mii-laplace';
import type { BigRational } from './rational';

const KEYS = 20_000;

/** P(round half up((raw + L) / r) · r = value) for continuous L ~ Laplace(0, b), as the FDPG stack computes it. */
function upstreamProbability(raw: number, rounding: number, b: number, value: number): number {
  return laplaceCdf(value + rounding / 2 - raw, b) - laplaceCdf(value - rounding / 2 - raw, b);
}

describe('sampleMiiRoundedLaplace', () => {
  describe.each<[number, number, BigRational]>([
    // A raw count between bucket edges, the FDPG defaults (b = 2, rounding 10).
    [123, 10, { numerator: 1n, denominator: 2n }],
    // A raw count exactly on a rounding edge: 125 + L rounds up for L ≥ 0 and down for L < 0.
    [125, 10, { numerator: 1n, denominator: 2n }],
    // Odd rounding, where rounding/2 is not an integer.
    [7, 5, { numerator: 1n, denominator: 2n }],
    // Wider noise (b = 8) around 0, so negative buckets occur.
    [3, 10, { numerator: 1n, denominator: 8n }],
  ])('for rawCount %d, rounding %d over 20,000 query hashes', (raw, rounding, epsilon) => {
    const b = Number(epsilon.denominator) / Number(epsilon.numerator);
    const values = Array.from({ length: KEYS }, (_, i) =>
      Number(
        sampleMiiRoundedLaplace(
          createNoiseStream(FIXED_SECRET, cohortKeyFor(i, `mii-${raw}-${rounding}`)),
          BigInt(raw),
          epsilon,
          BigInt(rounding),
        ),
      ),
    );
    const counts = tally(values);

    it('returns only multiples of the rounding', () => {
      expect(values.filter((value) => value % rounding !== 0)).toEqual([]);
    });

    it('matches the bucket probabilities of continuous Laplace noise rounded half up', () => {
      const nearest = Math.round(raw / rounding) * rounding;
      for (let value = nearest - 4 * rounding; value <= nearest + 4 * rounding; value += rounding) {
        const p = upstreamProbability(raw, rounding, b, value);
        expect(Math.abs((counts.get(value) ?? 0) / KEYS - p)).toBeLessThan(frequencyTolerance(p, KEYS) + 1e-9);
      }
    });
  });

  it('rounds 125 + L to 120 or 130 only when |L| < 10, each with probability (1 − e^−5)/2', () => {
    const expected = (1 - Math.exp(-5)) / 2;
    const values = Array.from({ length: KEYS }, (_, i) =>
      Number(
        sampleMiiRoundedLaplace(
          createNoiseStream(FIXED_SECRET, cohortKeyFor(i, 'edge')),
          125n,
          { numerator: 1n, denominator: 2n },
          10n,
        ),
      ),
    );
    const counts = tally(values);
    expect(counts.has(125)).toBe(false);
    expect(Math.abs((counts.get(120) ?? 0) / KEYS - expected)).toBeLessThan(frequencyTolerance(expected, KEYS));
    expect(Math.abs((counts.get(130) ?? 0) / KEYS - expected)).toBeLessThan(frequencyTolerance(expected, KEYS));
  });

  it('refuses ε ≤ 0 and a rounding below 1', () => {
    const stream = createNoiseStream(FIXED_SECRET, cohortKeyFor(0, 'v1'));
    expect(() => sampleMiiRoundedLaplace(stream, 5n, { numerator: 0n, denominator: 1n }, 10n)).toThrow(RangeError);
    expect(() => sampleMiiRoundedLaplace(stream, 5n, { numerator: 1n, denominator: 2n }, 0n)).toThrow(RangeError);
  });
});
