// Exact Bernoulli samplers after Canonne, Kamath and Steinke 2020, "The Discrete Gaussian for Differential Privacy",
// Algorithm 1. Integer (BigInt) arithmetic only: no floating point may enter the sampling path (Mironov 2012).
import type { RandomIntegers } from './keyed-bit-stream';
import type { BigRational } from './rational';

/** True with probability exactly `numerator / denominator` (0 ≤ numerator ≤ denominator, denominator > 0). */
export function sampleBernoulliRational(random: RandomIntegers, numerator: bigint, denominator: bigint): boolean {
  if (denominator <= 0n || numerator < 0n || numerator > denominator) {
    throw new RangeError(`Bernoulli probability must lie in [0, 1], got ${numerator}/${denominator}`);
  }
  return random.uniformBelow(denominator) < numerator;
}

/** True with probability exactly exp(−γ) for a rational γ = numerator / denominator ≥ 0. */
export function sampleBernoulliExp(random: RandomIntegers, gamma: BigRational): boolean {
  const { numerator, denominator } = gamma;
  if (denominator <= 0n || numerator < 0n) {
    throw new RangeError(`exp(−γ) needs γ ≥ 0, got ${numerator}/${denominator}`);
  }
  // exp(−γ) = exp(−1)^⌊γ⌋ · exp(−(γ − ⌊γ⌋)), each factor sampled with γ ≤ 1, where the series below converges.
  const wholePart = numerator / denominator;
  for (let i = 0n; i < wholePart; i += 1n) {
    if (!sampleBernoulliExpAtMostOne(random, 1n, 1n)) {
      return false;
    }
  }
  return sampleBernoulliExpAtMostOne(random, numerator % denominator, denominator);
}

/** exp(−γ) for 0 ≤ γ ≤ 1: K = 1 + successes of Bernoulli(γ/k), k = 1, 2, …, until a failure; P(K odd) = exp(−γ). */
function sampleBernoulliExpAtMostOne(random: RandomIntegers, numerator: bigint, denominator: bigint): boolean {
  let k = 1n;
  while (sampleBernoulliRational(random, numerator, denominator * k)) {
    k += 1n;
  }
  return k % 2n === 1n;
}
