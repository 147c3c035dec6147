import { createHmac } from 'node:crypto';
import { cohortKeyFor, FIXED_SECRET, frequencyTolerance, OTHER_SECRET } from './__fixtures__/noise-fixtures';
import { createNoiseStream, deriveNoiseKey, KeyedBitStream } from './keyed-bit-stream';

const COHORT = cohortKeyFor(1);

function bitString(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(2).padStart(8, '0')).join('');
}

describe('deriveNoiseKey', () => {
  it('is HMAC-SHA256(secret, label ‖ cohort key bytes)', () => {
    const expected = createHmac('sha256', FIXED_SECRET)
      .update(Buffer.concat([Buffer.from('fq-privacy/noise/v2\u0000'), Buffer.from(COHORT, 'hex')]))
      .digest();
    expect(deriveNoiseKey(FIXED_SECRET, COHORT).equals(expected)).toBe(true);
  });

  it('changes with the secret and the cohort key', () => {
    const base = deriveNoiseKey(FIXED_SECRET, COHORT);
    expect(deriveNoiseKey(OTHER_SECRET, COHORT).equals(base)).toBe(false);
    expect(deriveNoiseKey(FIXED_SECRET, cohortKeyFor(2)).equals(base)).toBe(false);
  });

  it.each(['abc', cohortKeyFor(1).toUpperCase(), `${cohortKeyFor(1)}00`])('refuses the cohort key %j', (text) => {
    expect(() => deriveNoiseKey(FIXED_SECRET, text)).toThrow(RangeError);
  });
});

describe('KeyedBitStream', () => {
  const key = deriveNoiseKey(FIXED_SECRET, COHORT);

  it('reads HMAC(key, counter) blocks in counter order, most significant bit first', () => {
    const counter = (i: number): Buffer => {
      const bytes = Buffer.alloc(8);
      bytes.writeBigUInt64BE(BigInt(i));
      return bytes;
    };
    const expected = [0, 1, 2].map((i) => bitString(createHmac('sha256', key).update(counter(i)).digest())).join('');
    const stream = new KeyedBitStream(key);
    // 7-bit reads straddle byte and block boundaries.
    let read = '';
    while (read.length + 7 <= expected.length) {
      read += stream.nextBits(7).toString(2).padStart(7, '0');
    }
    expect(read).toBe(expected.slice(0, read.length));
  });

  it('gives the identical stream for identical inputs in fresh instances', () => {
    const first = createNoiseStream(FIXED_SECRET, COHORT);
    const second = createNoiseStream(Uint8Array.from(FIXED_SECRET), COHORT);
    const draws = (stream: KeyedBitStream): bigint[] => Array.from({ length: 50 }, () => stream.uniformBelow(1000n));
    expect(draws(first)).toEqual(draws(second));
  });

  it('returns 0 for a bound of 1 without consuming bits', () => {
    const stream = new KeyedBitStream(key);
    const reference = new KeyedBitStream(key);
    expect(stream.uniformBelow(1n)).toBe(0n);
    expect(stream.nextBits(64)).toBe(reference.nextBits(64));
  });

  it('refuses a bound of 0 or less and a negative bit count', () => {
    const stream = new KeyedBitStream(key);
    expect(() => stream.uniformBelow(0n)).toThrow(RangeError);
    expect(() => stream.uniformBelow(-3n)).toThrow(RangeError);
    expect(() => stream.nextBits(-1)).toThrow(RangeError);
  });

  it('draws uniform integers below a bound that is not a power of two, with no modulo bias', () => {
    const stream = new KeyedBitStream(key);
    const bound = 6;
    const draws = 60_000;
    const counts = new Array<number>(bound).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < draws; i += 1) {
      const value = Number(stream.uniformBelow(BigInt(bound)));
      if (value < 0 || value >= bound) {
        outOfRange += 1;
      } else {
        counts[value] = (counts[value] ?? 0) + 1;
      }
    }
    expect(outOfRange).toBe(0);
    // Modulo reduction of 3 bits would give 0 and 1 twice the weight of the others (2/8 against 1/8).
    for (const count of counts) {
      expect(Math.abs(count / draws - 1 / bound)).toBeLessThan(frequencyTolerance(1 / bound, draws));
    }
  });

  it('draws uniform integers below a bound larger than 2^64', () => {
    const stream = new KeyedBitStream(key);
    const bound = 3n * 2n ** 70n;
    const draws = Array.from({ length: 2000 }, () => stream.uniformBelow(bound));
    expect(draws.every((value) => value >= 0n && value < bound)).toBe(true);
    // About a third of the draws fall in each third of the range.
    const lowThird = draws.filter((value) => value < 2n ** 70n).length / draws.length;
    expect(Math.abs(lowThird - 1 / 3)).toBeLessThan(frequencyTolerance(1 / 3, draws.length));
  });
});
