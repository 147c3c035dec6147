import { z } from 'zod';
import { PrivacyIssueCode } from './errors';
import { parseRationalText, reduceRational } from './rational';

/** Largest ε accepted: above it the discrete Laplace noise is 0 in over 99.99 % of draws, a raw count in disguise. */
export const MAX_EPSILON = 10;
/** Largest numerator or denominator of ε in lowest terms; keeps the samplers' integers small. */
export const MAX_EPSILON_TERM = 1_000_000;
/** Largest rounding step; beyond it every realistic cohort rounds to 0. */
export const MAX_ROUNDING = 1_000_000;

/** ε written as an exact fraction, e.g. `{ numerator: 1, denominator: 2 }` for 0.5. */
export const EpsilonFraction = z.strictObject({
  numerator: z.int().positive(),
  denominator: z.int().positive(),
});
export type EpsilonFraction = z.infer<typeof EpsilonFraction>;

/** Normalises ε to lowest terms and checks its range, reporting problems as issues coded PRIVACY_EPSILON_INVALID. */
function toEpsilonFraction(input: string | EpsilonFraction, ctx: z.RefinementCtx): EpsilonFraction {
  const parsed =
    typeof input === 'string'
      ? parseRationalText(input.trim())
      : reduceRational(BigInt(input.numerator), BigInt(input.denominator));
  const fail = (message: string): never => {
    ctx.issues.push({ code: 'custom', message, input, params: { code: PrivacyIssueCode.EpsilonInvalid } });
    return z.NEVER;
  };
  if (parsed === undefined) {
    const shown = typeof input === 'string' && input.length <= 40 ? JSON.stringify(input) : 'a longer text';
    return fail(`epsilon must be a decimal such as "0.5" or a fraction such as "1/2", got ${shown}`);
  }
  const { numerator, denominator } = parsed;
  if (numerator <= 0n) {
    return fail('epsilon must be greater than 0');
  }
  if (numerator > BigInt(MAX_EPSILON) * denominator) {
    return fail(`epsilon must be at most ${MAX_EPSILON}; larger values add almost no noise`);
  }
  const limit = BigInt(MAX_EPSILON_TERM);
  if (numerator > limit || denominator > limit) {
    return fail(`epsilon in lowest terms must have numerator and denominator of at most ${MAX_EPSILON_TERM}`);
  }
  return { numerator: Number(numerator), denominator: Number(denominator) };
}

/** ε as configured: a fraction object, a decimal string ("0.5") or a fraction string ("1/2"); never a binary float. */
export const Epsilon = z.union([z.string(), EpsilonFraction]).transform(toEpsilonFraction);
/** ε from text only (an environment variable): "0.5" or "1/2", with the same checks as `Epsilon`. */
export const EpsilonText = z.string().transform(toEpsilonFraction);
export type EpsilonInput = z.input<typeof Epsilon>;

/** How a site protects a count before it leaves the site; every field has a default (see docs/privacy.md). */
export const ProtectionPolicy = z.strictObject({
  /** `discrete-laplace`: exact integer noise (default); `mii-laplace`: the FDPG mechanism, for compatibility. */
  mechanism: z.enum(['discrete-laplace', 'mii-laplace']).default('discrete-laplace'),
  /** Privacy parameter per answered query; the noise scale is 1/ε (a count has sensitivity 1). */
  epsilon: Epsilon.default({ numerator: 1, denominator: 2 }),
  /** Published counts are multiples of this; 1 turns rounding off. */
  rounding: z.int().min(1).max(MAX_ROUNDING).default(10),
  /** A rounded noisy count below this is reported as below threshold; 0 turns suppression off. */
  threshold: z.int().min(0).default(10),
});
export type ProtectionPolicy = z.infer<typeof ProtectionPolicy>;
export type ProtectionPolicyInput = z.input<typeof ProtectionPolicy>;

/** The documented defaults: discrete Laplace with ε = 1/2, rounding to 10, threshold 10 on the rounded noisy value. */
export const DEFAULT_PROTECTION_POLICY: ProtectionPolicy = Object.freeze({
  mechanism: 'discrete-laplace',
  epsilon: Object.freeze({ numerator: 1, denominator: 2 }),
  rounding: 10,
  threshold: 10,
});

/** The result of `protectCount`: a number that may leave the site, or the statement that it is below the threshold. */
export const ProtectedCount = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('count'), protectedCount: z.int().min(0) }),
  z.strictObject({ kind: z.literal('below-threshold'), threshold: z.int().min(1) }),
]);
export type ProtectedCount = z.infer<typeof ProtectedCount>;
