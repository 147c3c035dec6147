/**
 * A sliding-window rate limit: at most `limit` admissions in any `intervalMs` window (the MII default is 999 per
 * hour). Seeded after a restart with the times of recently answered queries.
 */
export class RateLimiter {
  private readonly admitted: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly intervalMs: number,
    seed: readonly Date[] = [],
  ) {
    this.admitted.push(...seed.map((d) => d.getTime()).sort((a, b) => a - b));
  }

  /** Admits one query at `now` if the window has room; returns whether it did. */
  tryAcquire(now: Date): boolean {
    const time = now.getTime();
    this.evict(time);
    if (this.admitted.length >= this.limit) {
      return false;
    }
    this.admitted.push(time);
    return true;
  }

  /** When the next admission will be possible, or `now` if it is already. */
  nextAdmission(now: Date): Date {
    this.evict(now.getTime());
    if (this.admitted.length < this.limit) {
      return now;
    }
    return new Date(this.admitted[this.admitted.length - this.limit] + this.intervalMs);
  }

  private evict(time: number): void {
    // Admissions older than one interval no longer count; times are appended in order.
    while (this.admitted.length > 0 && this.admitted[0] <= time - this.intervalMs) {
      this.admitted.shift();
    }
  }
}
