import { RateLimiter } from './rate-limiter';

const at = (seconds: number): Date => new Date(Date.UTC(2025, 0, 1) + seconds * 1000);

describe('RateLimiter', () => {
  it('admits up to the limit within one interval and refuses the next', () => {
    const limiter = new RateLimiter(3, 60_000);
    expect([0, 1, 2, 3].map((s) => limiter.tryAcquire(at(s)))).toEqual([true, true, true, false]);
  });

  it('admits again once the oldest admission left the window', () => {
    const limiter = new RateLimiter(2, 60_000);
    limiter.tryAcquire(at(0));
    limiter.tryAcquire(at(30));
    expect(limiter.tryAcquire(at(59))).toBe(false);
    expect(limiter.nextAdmission(at(59))).toEqual(at(60));
    expect(limiter.tryAcquire(at(60))).toBe(true);
    expect(limiter.tryAcquire(at(61))).toBe(false);
  });

  it('does not count refused queries against the limit', () => {
    const limiter = new RateLimiter(1, 60_000);
    limiter.tryAcquire(at(0));
    for (let s = 1; s < 60; s++) {
      limiter.tryAcquire(at(s));
    }
    expect(limiter.tryAcquire(at(60))).toBe(true);
  });

  it('starts from the seeded admissions after a restart', () => {
    const limiter = new RateLimiter(2, 3_600_000, [at(10), at(0)]);
    expect(limiter.tryAcquire(at(20))).toBe(false);
    expect(limiter.tryAcquire(at(3600))).toBe(true);
  });

  it('applies the MII default of 999 per hour', () => {
    const limiter = new RateLimiter(999, 3_600_000);
    let admitted = 0;
    for (let i = 0; i < 1200; i++) {
      admitted += limiter.tryAcquire(at(i)) ? 1 : 0;
    }
    expect(admitted).toBe(999);
  });
});
