/** A positive rational number in lowest terms, as BigInts for the samplers. */
export type BigRational = { numerator: bigint; denominator: bigint };

// A decimal such as "0.5" or "2", or a fraction such as "1/2"; no sign, exponent or spaces.
const DECIMAL_TEXT = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const FRACTION_TEXT = /^([0-9]+)\/([0-9]+)$/;

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    [x, y] = [y, x % y];
  }
  return x;
}

/** Reduces `numerator/denominator` to lowest terms, so equal values get equal representations (and equal noise). */
export function reduceRational(numerator: bigint, denominator: bigint): BigRational {
  const divisor = gcd(numerator, denominator);
  return divisor === 0n
    ? { numerator, denominator }
    : { numerator: numerator / divisor, denominator: denominator / divisor };
}

/** Parses a decimal ("0.5") or fraction ("1/2") exactly, without floating point; undefined when the text is neither. */
export function parseRationalText(text: string): BigRational | undefined {
  const decimal = DECIMAL_TEXT.exec(text);
  if (decimal !== null) {
    const whole = decimal[1] ?? '0';
    const fraction = decimal[2] ?? '';
    return reduceRational(BigInt(whole + fraction), 10n ** BigInt(fraction.length));
  }
  const fraction = FRACTION_TEXT.exec(text);
  if (fraction !== null) {
    const denominator = BigInt(fraction[2] ?? '0');
    return denominator === 0n ? undefined : reduceRational(BigInt(fraction[1] ?? '0'), denominator);
  }
  return undefined;
}

/** `floor(a / b)` for BigInts with `b > 0`; BigInt division truncates toward zero, which is wrong for negative `a`. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return a % b < 0n ? quotient - 1n : quotient;
}

/** Number of bits needed to write `n` (n ≥ 0) in binary; 0 for 0. */
export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}
