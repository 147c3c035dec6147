/**
 * Which resource (by ordinal) is the current version of each `Type/id`, in typed arrays: a `Map` of every id would
 * cost about 100 bytes a resource and stops at 2^24 entries; this table costs 20-40. Keys are a 64-bit hash of type
 * and id, so two different ids are taken for one with a probability of about n² / 2^65 (7 in 100,000 at 50 million
 * resources).
 */
export class ResourceVersions {
  private hashHigh: Uint32Array;
  private hashLow: Uint32Array;
  /** Ordinal + 1 of the current version; 0 marks an empty slot. */
  private ordinals: Int32Array;
  private outcomes: Uint8Array;
  private used = 0;

  constructor(initialCapacity = 1 << 12) {
    const capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.hashHigh = new Uint32Array(capacity);
    this.hashLow = new Uint32Array(capacity);
    this.ordinals = new Int32Array(capacity);
    this.outcomes = new Uint8Array(capacity);
  }

  get size(): number {
    return this.used;
  }

  /**
   * Records `ordinal` (with a small `outcome` code) as the current version of `type`/`id`; returns the slot of the
   * version it replaced, to be read with `ordinalAt`/`outcomeAt` before the next call, or -1 when the id is new.
   */
  put(type: string, id: string, ordinal: number, outcome: number): number {
    const high = hashString(type, id, 0x9e3779b9);
    const low = hashString(type, id, 0x85ebca6b);
    const mask = this.ordinals.length - 1;
    let slot = (high ^ Math.imul(low, 0x27d4eb2d)) & mask;
    while (this.ordinals[slot] !== 0) {
      if (this.hashHigh[slot] === high && this.hashLow[slot] === low) {
        this.previousOrdinal = this.ordinals[slot] - 1;
        this.previousOutcome = this.outcomes[slot];
        this.ordinals[slot] = ordinal + 1;
        this.outcomes[slot] = outcome;
        return slot;
      }
      slot = (slot + 1) & mask;
    }
    this.hashHigh[slot] = high;
    this.hashLow[slot] = low;
    this.ordinals[slot] = ordinal + 1;
    this.outcomes[slot] = outcome;
    this.used++;
    if (this.used * 2 > this.ordinals.length) {
      this.grow();
    }
    return -1;
  }

  /** The replaced version's ordinal and outcome code, after `put` returned a slot. */
  previousOrdinal = -1;
  previousOutcome = 0;

  private grow(): void {
    const { hashHigh, hashLow, ordinals, outcomes } = this;
    const capacity = ordinals.length * 2;
    this.hashHigh = new Uint32Array(capacity);
    this.hashLow = new Uint32Array(capacity);
    this.ordinals = new Int32Array(capacity);
    this.outcomes = new Uint8Array(capacity);
    const mask = capacity - 1;
    for (let old = 0; old < ordinals.length; old++) {
      if (ordinals[old] === 0) {
        continue;
      }
      let slot = (hashHigh[old] ^ Math.imul(hashLow[old], 0x27d4eb2d)) & mask;
      while (this.ordinals[slot] !== 0) {
        slot = (slot + 1) & mask;
      }
      this.hashHigh[slot] = hashHigh[old];
      this.hashLow[slot] = hashLow[old];
      this.ordinals[slot] = ordinals[old];
      this.outcomes[slot] = outcomes[old];
    }
  }
}

/** A 32-bit hash of `type`, a separator and `id` (FNV-1a steps with a murmur3 finaliser), seeded. */
function hashString(type: string, id: string, seed: number): number {
  let h = seed ^ 0x811c9dc5;
  for (let i = 0; i < type.length; i++) {
    h = Math.imul(h ^ type.charCodeAt(i), 0x01000193);
  }
  h = Math.imul(h ^ 0x2f, 0x01000193);
  for (let i = 0; i < id.length; i++) {
    h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    h ^= h >>> 13;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
