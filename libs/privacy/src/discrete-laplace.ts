// Exact discrete Laplace (two-sided geometric) sampler after Canonne, Kamath and Steinke 2020, Algorithm 2.
// Integer (BigInt) arithmetic only, so the output carries no floating-point artefacts (Mironov 2012).
import { sampleBernoulliExp, sampleBernoulliRational } from './bernoulli';
import type { RandomIntegers } from './keyed-bit-stream';
import type { BigRational } from './rational';

const EXP_MINUS_ONE: BigRational = { numerator: 1n, denominator: 1n };

/**
 * Draws Z with P(Z = z) ∝ exp(−ε·|z|) for a rational ε = numerator / denominator > 0: the ε-differentially private
 * noise for a count, whose sensitivity is 1.
 */
export function sampleDiscreteLaplace(random: RandomIntegers, epsilon: BigRational): bigint {
  // CKS sample Lap_Z(t/s), i.e. P(z) ∝ exp(−|z|·s/t); s/t = ε.
  const s = epsilon.numerator;
  const t = epsilon.denominator;
  if (s <= 0n || t <= 0n) {
    throw new RangeError(`discrete Laplace needs ε > 0, got ${s}/${t}`);
  }
  for (;;) {
    // X = U + t·V is geometric on ℕ with P(X = x) ∝ exp(−x/t): U carries the remainder, V the whole multiples of t.
    const u = random.uniformBelow(t);
    if (!sampleBernoulliExp(random, { numerator: u, denominator: t })) {
      continue;
    }
    let v = 0n;
    while (sampleBernoulliExp(random, EXP_MINUS_ONE)) {
      v += 1n;
    }
    const magnitude = (u + t * v) / s;
    const negative = sampleBernoulliRational(random, 1n, 2n);
    // Without this rejection, zero would be drawn under both signs and be twice as likely as it should.
    if (negative && magnitude === 0n) {
      continue;
    }
    return negative ? -magnitude : magnitude;
  }
}
