type TypedArray = Int32Array | Uint32Array | Float64Array;
type TypedArrayConstructor<A extends TypedArray> = { new (length: number): A };

/** An append-only typed array that doubles its capacity; `trim()` returns an exact-size copy. */
class Growable<A extends TypedArray> {
  private data: A;
  length = 0;

  constructor(
    private readonly ctor: TypedArrayConstructor<A>,
    initialCapacity = 1024,
  ) {
    this.data = new ctor(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new this.ctor(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index];
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Pads with `fill` until `length` reaches `size`. */
  padTo(size: number, fill: number): void {
    while (this.length < size) {
      this.push(fill);
    }
  }

  trim(): A {
    return this.data.slice(0, this.length) as A;
  }
}

export class GrowableInt32 extends Growable<Int32Array> {
  constructor(initialCapacity?: number) {
    super(Int32Array, initialCapacity);
  }
}

export class GrowableUint32 extends Growable<Uint32Array> {
  constructor(initialCapacity?: number) {
    super(Uint32Array, initialCapacity);
  }
}

export class GrowableFloat64 extends Growable<Float64Array> {
  constructor(initialCapacity?: number) {
    super(Float64Array, initialCapacity);
  }
}
