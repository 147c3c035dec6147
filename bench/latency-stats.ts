/** Latency figures of one repeatedly timed operation, in milliseconds. */
export interface LatencyStats {
  runs: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

export interface TimingPlan {
  /** Untimed runs first, so the JIT and caches settle. */
  warmup: number;
  runs: number;
}

/** The value at `fraction` of the sorted samples by the nearest-rank method (p95 of 30 runs is the 29th). */
export function percentile(sortedMs: readonly number[], fraction: number): number {
  if (sortedMs.length === 0) {
    return Number.NaN;
  }
  const rank = Math.max(1, Math.ceil(fraction * sortedMs.length));
  return sortedMs[Math.min(rank, sortedMs.length) - 1];
}

/** Median (mean of the middle two for an even count), p95, min and max of the samples. */
export function summarizeLatency(samplesMs: readonly number[]): LatencyStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? Number.NaN : n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { runs: n, medianMs: median, p95Ms: percentile(sorted, 0.95), minMs: sorted[0], maxMs: sorted[n - 1] };
}

/** Awaits only real promises, so timing a synchronous operation adds no microtask turn. */
async function settle<T>(value: T | Promise<T>): Promise<T> {
  return value instanceof Promise ? await value : value;
}

/**
 * Runs `operation` `warmup` times untimed (at least once, for the reference result), then `runs` times timed;
 * every run must return the same result, which is returned with the latency figures.
 */
export async function timeRepeatedly<T>(
  operation: () => T | Promise<T>,
  plan: TimingPlan,
): Promise<{ result: T; latency: LatencyStats }> {
  const result = await settle(operation());
  for (let i = 1; i < plan.warmup; i++) {
    await settle(operation());
  }
  const samples: number[] = [];
  for (let i = 0; i < plan.runs; i++) {
    const started = performance.now();
    const pending = operation();
    const value = pending instanceof Promise ? await pending : pending;
    samples.push(performance.now() - started);
    if (value !== result) {
      throw new Error(`timed run ${i + 1} returned ${String(value)}, the first run returned ${String(result)}`);
    }
  }
  return { result, latency: summarizeLatency(samples) };
}

/** Two operations timed in alternation, with each one's result and latency. */
export interface PairedTiming<A, B> {
  first: { result: A; latency: LatencyStats };
  second: { result: B; latency: LatencyStats };
  /** Median over rounds of (second − first), in ms: the added cost with drift between rounds cancelled. */
  medianDifferenceMs: number;
}

/**
 * Times `first` and `second` in alternation so that machine drift hits both alike: `warmup` untimed rounds, then
 * `runs` rounds of one timed call each, the order swapped every round (AB, BA, AB, …). Every call of an operation
 * must give the result of its first call (`sameA`, `sameB`, compared outside the timed region).
 */
export function timeAlternately<A, B>(
  first: () => A,
  second: () => B,
  plan: TimingPlan,
  sameA: (a: A, b: A) => boolean = Object.is,
  sameB: (a: B, b: B) => boolean = Object.is,
): PairedTiming<A, B> {
  const resultA = first();
  const resultB = second();
  for (let i = 1; i < plan.warmup; i++) {
    first();
    second();
  }
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  const differences: number[] = [];
  for (let i = 0; i < plan.runs; i++) {
    let a: A;
    let b: B;
    let msA: number;
    let msB: number;
    if (i % 2 === 0) {
      const t0 = performance.now();
      a = first();
      const t1 = performance.now();
      b = second();
      const t2 = performance.now();
      msA = t1 - t0;
      msB = t2 - t1;
    } else {
      const t0 = performance.now();
      b = second();
      const t1 = performance.now();
      a = first();
      const t2 = performance.now();
      msB = t1 - t0;
      msA = t2 - t1;
    }
    if (!sameA(a, resultA) || !sameB(b, resultB)) {
      throw new Error(`timed round ${i + 1} gave a result other than the first round's`);
    }
    samplesA.push(msA);
    samplesB.push(msB);
    differences.push(msB - msA);
  }
  return {
    first: { result: resultA, latency: summarizeLatency(samplesA) },
    second: { result: resultB, latency: summarizeLatency(samplesB) },
    medianDifferenceMs: summarizeLatency(differences).medianMs,
  };
}
