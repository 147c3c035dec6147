// The FDPG site obfuscation, max(0, round((rawCount + L) / r) · r) with L ~ Laplace(0, 1/ε), for compatibility only.
// Only the bucket is published, so it is sampled exactly in integers: each bucket edge crossed is Bernoulli(exp(−γ)).
import { sampleBernoulliExp, sampleBernoulliRational } from './bernoulli';
import type { RandomIntegers } from './keyed-bit-stream';
import { type BigRational, floorDiv } from './rational';

/** Draws round((rawCount + L) / rounding) · rounding (halves up, may be negative) for L ~ Laplace(0, 1/ε). */
export function sampleMiiRoundedLaplace(
  random: RandomIntegers,
  rawCount: bigint,
  epsilon: BigRational,
  rounding: bigint,
): bigint {
  const s = epsilon.numerator;
  const t = epsilon.denominator;
  if (s <= 0n || t <= 0n || rounding <= 0n) {
    throw new RangeError(`MII Laplace needs ε > 0 and rounding > 0, got ε = ${s}/${t}, rounding ${rounding}`);
  }
  // Half units keep rounding/2 an integer for odd roundings: bucket = ⌊(2·rawCount + rounding + 2L) / (2·rounding)⌋.
  const width = 2n * rounding;
  const shifted = 2n * rawCount + rounding;
  const bucket = floorDiv(shifted, width);
  const offset = shifted - bucket * width;
  // P(|2L| ≥ d) = exp(−d·ε/2): distance d in half units becomes γ = d·s / (2t).
  const gammaFor = (halfUnits: bigint): BigRational => ({ numerator: halfUnits * s, denominator: 2n * t });
  const positive = sampleBernoulliRational(random, 1n, 2n);
  // Distance from the shifted value to the first bucket edge in the direction of L, then one bucket width per step.
  const firstEdge = positive ? width - offset : offset;
  let steps = 0n;
  if (sampleBernoulliExp(random, gammaFor(firstEdge))) {
    steps = 1n;
    // Memorylessness of the exponential: each further edge is crossed with probability exp(−rounding·ε).
    while (sampleBernoulliExp(random, gammaFor(width))) {
      steps += 1n;
    }
  }
  return (positive ? bucket + steps : bucket - steps) * rounding;
}
