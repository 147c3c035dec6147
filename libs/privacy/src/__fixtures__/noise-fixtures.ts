// Fixed inputs for the statistical tests: every draw is determined by them, so a test passes or fails on every run.
import { createHash } from 'node:crypto';

/** A fixed 32-byte site secret (bytes 0, 1, …, 31); tests only. */
export const FIXED_SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);

/** A second fixed secret, differing from the first in every byte. */
export const OTHER_SECRET = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);

/** The i-th of a family of distinct, valid cohort keys; a label gives another family. */
export function cohortKeyFor(i: number, label = ''): string {
  return createHash('sha256').update(`fixture-cohort-${label}-${i}`).digest('hex').slice(0, 32);
}

/** P(Z = k) for the discrete Laplace distribution with parameter ε: (1 − q)/(1 + q) · q^|k|, q = e^−ε. */
export function discreteLaplacePmf(epsilon: number, k: number): number {
  const q = Math.exp(-epsilon);
  return ((1 - q) / (1 + q)) * q ** Math.abs(k);
}

/** Variance 2q/(1 − q)² and fourth central moment of the discrete Laplace distribution (the latter by summation). */
export function discreteLaplaceMoments(epsilon: number): { variance: number; fourthMoment: number } {
  const q = Math.exp(-epsilon);
  let fourthMoment = 0;
  for (let k = -2000; k <= 2000; k += 1) {
    fourthMoment += discreteLaplacePmf(epsilon, k) * k ** 4;
  }
  return { variance: (2 * q) / (1 - q) ** 2, fourthMoment };
}

/** CDF of the continuous Laplace distribution with location 0 and scale b. */
export function laplaceCdf(x: number, b: number): number {
  return x < 0 ? 0.5 * Math.exp(x / b) : 1 - 0.5 * Math.exp(-x / b);
}

/**
 * Allowed deviation of an empirical frequency from p over n draws: 6 standard errors. Inputs are fixed, so this
 * cannot flake; 6σ keeps a correct sampler far inside the bound, while a wrong parameter lands well outside it.
 */
export function frequencyTolerance(p: number, n: number): number {
  return 6 * Math.sqrt((p * (1 - p)) / n);
}

/** Counts how often each value occurs. */
export function tally(values: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of values) {
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}
