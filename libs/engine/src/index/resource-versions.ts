/**
 * Which resource (by ordinal) is the current version of each `Type/id`, in one typed array: a `Map` of every id would
 * cost about 100 bytes a resource and stops at 2^24 entries; this table costs 24-48. Keys are a 64-bit hash of type
 * and id, so two different ids are taken for one with a probability of about n² / 2^65 (7 in 100,000 at 50 million
 * resources).
 */
export class ResourceVersions {
  /** Three words a slot, in one cache line: hash high, hash low, (ordinal + 1) * 4 + outcome (0: empty). */
  private slots: Uint32Array;
  private capacity: number;
  private used = 0;
  /** The replaced version's ordinal and outcome code, after `put` returned true. */
  previousOrdinal = -1;
  previousOutcome = 0;

  constructor(initialCapacity = 1 << 12) {
    this.capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.slots = new Uint32Array(this.capacity * 3);
  }

  get size(): number {
    return this.used;
  }

  /**
   * Records `ordinal` (ordinals below 2^30 - 1, with an `outcome` code 0-3) as the current version of `type`/`id`;
   * true when it replaced one, whose ordinal and outcome are then in `previousOrdinal` / `previousOutcome`.
   */
  put(type: string, id: string, ordinal: number, outcome: number): boolean {
    // Two FNV-1a style lanes with different primes in one pass, each finished with murmur3's mixer.
    let a = 0x811c9dc5;
    let b = 0x9e3779b9;
    for (let i = 0; i < type.length; i++) {
      const c = type.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    a = Math.imul(a ^ 0x2f, 0x01000193);
    b = Math.imul(b ^ 0x2f, 0x5bd1e995);
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    const high = mix(a ^ id.length) >>> 0;
    const low = mix(b ^ Math.imul(id.length, 0x27d4eb2d)) >>> 0;
    const value = (ordinal + 1) * 4 + outcome;
    const slots = this.slots;
    const mask = this.capacity - 1;
    let slot = (high ^ low) & mask;
    for (;;) {
      const at = slot * 3;
      const current = slots[at + 2];
      if (current === 0) {
        slots[at] = high;
        slots[at + 1] = low;
        slots[at + 2] = value;
        this.used++;
        if (this.used * 2 > this.capacity) {
          this.grow();
        }
        return false;
      }
      if (slots[at] === high && slots[at + 1] === low) {
        this.previousOrdinal = (current >>> 2) - 1;
        this.previousOutcome = current & 3;
        slots[at + 2] = value;
        return true;
      }
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.slots = new Uint32Array(this.capacity * 3);
    const mask = this.capacity - 1;
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 2] === 0) {
        continue;
      }
      let slot = (old[at] ^ old[at + 1]) & mask;
      while (this.slots[slot * 3 + 2] !== 0) {
        slot = (slot + 1) & mask;
      }
      this.slots.set(old.subarray(at, at + 3), slot * 3);
    }
  }
}

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
