import { createHmac } from 'node:crypto';
import { cohortKeyBytes } from './cell-key';
import { bitLength } from './rational';

/** What the samplers draw from: uniform integers, nothing else, so every sampler is integer-only by construction. */
export type RandomIntegers = {
  /** A uniform integer in `[0, bound)`; `bound` must be positive. */
  uniformBelow(bound: bigint): bigint;
};

// Versioned label: changing the derivation re-draws every answer, handing out fresh draws (see docs/privacy.md).
// v1 keyed by query hash and data version; v2 by the cohort key (decision 0008).
const NOISE_DERIVATION_LABEL = Buffer.from('fq-privacy/noise/v2\u0000', 'utf8');
const BLOCK_BITS = 256;

/** Derives the noise key HMAC-SHA256(secret, label ‖ cohort key bytes); the cohort key has a fixed length. */
export function deriveNoiseKey(siteSecret: Uint8Array, cohortKey: string): Buffer {
  return createHmac('sha256', siteSecret).update(NOISE_DERIVATION_LABEL).update(cohortKeyBytes(cohortKey)).digest();
}

/**
 * A deterministic, unbounded bit stream: block i is HMAC-SHA256(key, i as 64-bit big-endian), read most significant
 * bit first. Uniform integers come from rejection sampling on whole bits, so they carry no modulo bias.
 */
export class KeyedBitStream implements RandomIntegers {
  private readonly key: Buffer;
  private counter = 0n;
  private block: Buffer = Buffer.alloc(0);
  private bitOffset = BLOCK_BITS;

  constructor(key: Uint8Array) {
    this.key = Buffer.from(key);
  }

  /** The next `count` bits of the stream as a non-negative integer below 2^count. */
  nextBits(count: number): bigint {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`nextBits needs a non-negative integer count, got ${count}`);
    }
    let value = 0n;
    let remaining = count;
    while (remaining > 0) {
      if (this.bitOffset === BLOCK_BITS) {
        this.refill();
      }
      const byte = this.block[this.bitOffset >> 3] ?? 0;
      const usedInByte = this.bitOffset & 7;
      const take = remaining < 8 - usedInByte ? remaining : 8 - usedInByte;
      const chunk = (byte >> (8 - usedInByte - take)) & ((1 << take) - 1);
      value = (value << BigInt(take)) | BigInt(chunk);
      this.bitOffset += take;
      remaining -= take;
    }
    return value;
  }

  /** A uniform integer in `[0, bound)` by rejection: draw just enough bits, retry when the value is too large. */
  uniformBelow(bound: bigint): bigint {
    if (bound <= 0n) {
      throw new RangeError(`uniformBelow needs a positive bound, got ${bound}`);
    }
    const bits = bitLength(bound - 1n);
    for (;;) {
      const candidate = this.nextBits(bits);
      if (candidate < bound) {
        return candidate;
      }
    }
  }

  private refill(): void {
    const counterBytes = Buffer.alloc(8);
    counterBytes.writeBigUInt64BE(this.counter);
    this.counter += 1n;
    this.block = createHmac('sha256', this.key).update(counterBytes).digest();
    this.bitOffset = 0;
  }
}

/** The noise stream of one (site, cohort); identical inputs give the identical stream in any process. */
export function createNoiseStream(siteSecret: Uint8Array, cohortKey: string): KeyedBitStream {
  return new KeyedBitStream(deriveNoiseKey(siteSecret, cohortKey));
}
