import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXED_SECRET, frequencyTolerance, cohortKeyFor } from './__fixtures__/noise-fixtures';
import { sampleBernoulliExp, sampleBernoulliRational } from './bernoulli';
import { createNoiseStream, type RandomIntegers } from './keyed-bit-stream';

/** Hands out 0, 1, …, bound − 1 in turn, so n draws cover every outcome of a uniform draw exactly once. */
function enumeratingSource(): RandomIntegers {
  let next = 0n;
  return {
    uniformBelow(bound: bigint): bigint {
      const value = next % bound;
      next += 1n;
      return value;
    },
  };
}

/** Wraps a source and records every bound asked for and every value handed out. */
function recordingSource(inner: RandomIntegers): { source: RandomIntegers; seen: unknown[] } {
  const seen: unknown[] = [];
  return {
    seen,
    source: {
      uniformBelow(bound: bigint): bigint {
        const value = inner.uniformBelow(bound);
        seen.push(bound, value);
        return value;
      },
    },
  };
}

describe('sampleBernoulliRational', () => {
  it('is true for exactly numerator of every denominator equally likely outcomes', () => {
    const source = enumeratingSource();
    const trues = Array.from({ length: 7 }, () => sampleBernoulliRational(source, 3n, 7n)).filter(Boolean).length;
    expect(trues).toBe(3);
  });

  it('is never true for probability 0 and always true for probability 1', () => {
    const source = createNoiseStream(FIXED_SECRET, cohortKeyFor(0, 'v1'));
    for (let i = 0; i < 200; i += 1) {
      expect(sampleBernoulliRational(source, 0n, 5n)).toBe(false);
      expect(sampleBernoulliRational(source, 5n, 5n)).toBe(true);
    }
  });

  it('refuses a probability outside [0, 1]', () => {
    const source = enumeratingSource();
    expect(() => sampleBernoulliRational(source, 3n, 2n)).toThrow(RangeError);
    expect(() => sampleBernoulliRational(source, -1n, 2n)).toThrow(RangeError);
    expect(() => sampleBernoulliRational(source, 0n, 0n)).toThrow(RangeError);
  });
});

describe('sampleBernoulliExp', () => {
  const draws = 20_000;
  const gammas: Array<[bigint, bigint]> = [
    [1n, 3n],
    [1n, 2n],
    [1n, 1n],
    [3n, 2n],
    [7n, 3n],
    [5n, 1n],
    [999n, 1000n],
  ];

  it.each(gammas)('is true with rate exp(−%d/%d)', (numerator, denominator) => {
    const source = createNoiseStream(FIXED_SECRET, cohortKeyFor(Number(numerator * 1000n + denominator), 'rate'));
    let trues = 0;
    for (let i = 0; i < draws; i += 1) {
      if (sampleBernoulliExp(source, { numerator, denominator })) {
        trues += 1;
      }
    }
    const exact = Math.exp(-Number(numerator) / Number(denominator));
    expect(Math.abs(trues / draws - exact)).toBeLessThan(frequencyTolerance(exact, draws));
  });

  it('is always true for γ = 0', () => {
    const source = createNoiseStream(FIXED_SECRET, cohortKeyFor(0, 'zero'));
    for (let i = 0; i < 500; i += 1) {
      expect(sampleBernoulliExp(source, { numerator: 0n, denominator: 7n })).toBe(true);
    }
  });

  it('refuses a negative γ or a zero denominator', () => {
    const source = enumeratingSource();
    expect(() => sampleBernoulliExp(source, { numerator: -1n, denominator: 2n })).toThrow(RangeError);
    expect(() => sampleBernoulliExp(source, { numerator: 1n, denominator: 0n })).toThrow(RangeError);
  });

  it('asks its source only for integer bounds and receives only integers', () => {
    const { source, seen } = recordingSource(createNoiseStream(FIXED_SECRET, cohortKeyFor(3, 'ints')));
    for (let i = 0; i < 1000; i += 1) {
      sampleBernoulliExp(source, { numerator: 7n, denominator: 3n });
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((value) => typeof value === 'bigint')).toBe(true);
  });
});

describe('the sampling path', () => {
  // Mironov 2012: floating-point noise leaks through its low bits, so no sampler may compute with floats.
  it.each(['bernoulli.ts', 'discrete-laplace.ts', 'mii-laplace.ts', 'keyed-bit-stream.ts'])(
    '%s uses no Math functions, Math.random or float literals',
    (file) => {
      const code = readFileSync(join(__dirname, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code).not.toMatch(/\bMath\./);
      expect(code).not.toMatch(/\bparseFloat\b|\bNumber\s*\(/);
      expect(code).not.toMatch(/\b\d+\.\d+|\b\d+e[-+]?\d+/i);
    },
  );
});
