/** A set of patient numbers as a bitset; word i holds patients 32i .. 32i+31. */
export class PatientSet {
  readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  add(patient: number): void {
    this.words[patient >>> 5] |= 1 << (patient & 31);
  }

  has(patient: number): boolean {
    return (this.words[patient >>> 5] & (1 << (patient & 31))) !== 0;
  }

  /** This set becomes the intersection with `other`. */
  intersect(other: PatientSet): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) {
      a[i] &= b[i];
    }
    return this;
  }

  /** This set becomes the union with `other`. */
  unite(other: PatientSet): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) {
      a[i] |= b[i];
    }
    return this;
  }

  /** This set loses every member of `other`. */
  subtract(other: PatientSet): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) {
      a[i] &= ~b[i];
    }
    return this;
  }

  copy(): PatientSet {
    const result = new PatientSet(this.size);
    result.words.set(this.words);
    return result;
  }

  count(): number {
    let total = 0;
    for (let i = 0; i < this.words.length; i++) {
      let v = this.words[i];
      // Population count by parallel bit summing.
      v -= (v >>> 1) & 0x55555555;
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      total += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
    }
    return total;
  }
}
