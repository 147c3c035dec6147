import fc from 'fast-check';
import type { QuotaLimit, QuotaUsage } from '../api/api-types';
import { describeGate, describeLimit, formatCountdown, intervalWords, quotaGate, secondsUntil } from './quota-words';

const NOW = Date.parse('2025-03-01T10:00:00Z');

function limit(overrides: Partial<QuotaLimit> = {}): QuotaLimit {
  return { amount: 3, intervalSeconds: 60, used: 0, nextSlotAt: null, ...overrides };
}

function usage(overrides: Partial<QuotaUsage> = {}): QuotaUsage {
  return {
    userId: 'alice',
    role: 'researcher',
    soft: limit(),
    hard: limit({ amount: 50, intervalSeconds: 604_800 }),
    pollIntervalSeconds: 10,
    blacklisted: false,
    blacklistedAt: null,
    siteBudgets: [],
    ...overrides,
  };
}

describe('describeLimit', () => {
  it('says what is left of the minute and of the week', () => {
    expect(describeLimit(limit({ used: 1 }))).toBe('2 of 3 left this minute');
    expect(describeLimit(limit({ amount: 50, intervalSeconds: 604_800, used: 50 }))).toBe('0 of 50 left this week');
  });

  it('names an unusual window by its length and a limit that does not apply as none', () => {
    expect(describeLimit(limit({ intervalSeconds: 90, used: 5 }))).toBe('0 of 3 left in any 90 s');
    expect(describeLimit(limit({ amount: null }))).toBe('no limit this minute');
    expect(intervalWords(3600)).toBe('this hour');
  });
});

describe('quotaGate', () => {
  it('is open while both limits have room and no 429 asked to wait', () => {
    expect(quotaGate(usage({ soft: limit({ used: 2 }) }), null, NOW)).toEqual({ state: 'open' });
    expect(quotaGate(null, null, NOW)).toEqual({ state: 'open' });
  });

  it('waits for the soft limit to free a slot, or for Retry-After, whichever is later', () => {
    const nextSlotAt = new Date(NOW + 42_000).toISOString();
    const used = usage({ soft: limit({ used: 3, nextSlotAt }) });
    expect(quotaGate(used, null, NOW)).toEqual({ state: 'wait', until: NOW + 42_000, limit: 'soft' });
    expect(quotaGate(used, NOW + 50_000, NOW)).toEqual({ state: 'wait', until: NOW + 50_000, limit: 'soft' });
    expect(quotaGate(usage(), NOW + 5_000, NOW)).toEqual({ state: 'wait', until: NOW + 5_000, limit: 'soft' });
  });

  it('opens once the moment has passed', () => {
    const nextSlotAt = new Date(NOW - 1).toISOString();
    expect(quotaGate(usage({ soft: limit({ used: 3, nextSlotAt }) }), NOW - 1, NOW)).toEqual({ state: 'open' });
  });

  it('waits for the weekly limit rather than let the next submission blacklist the caller', () => {
    const nextSlotAt = new Date(NOW + 86_400_000).toISOString();
    const hard = limit({ amount: 50, intervalSeconds: 604_800, used: 50, nextSlotAt });
    expect(quotaGate(usage({ hard }), null, NOW)).toEqual({ state: 'wait', until: NOW + 86_400_000, limit: 'hard' });
  });

  it('stays closed for a blacklisted caller', () => {
    const since = '2025-02-28T09:00:00.000Z';
    expect(quotaGate(usage({ blacklisted: true, blacklistedAt: since }), null, NOW)).toEqual({
      state: 'blacklisted',
      since,
    });
  });
});

describe('formatCountdown', () => {
  it('reads as a clock', () => {
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(42)).toBe('0:42');
    expect(formatCountdown(725)).toBe('12:05');
    expect(formatCountdown(7384)).toBe('2:03:04');
    expect(formatCountdown(3 * 86_400 + 4 * 3600)).toBe('3 d 4:00:00');
  });

  it('turns any number of seconds back into the same number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), (seconds) => {
        const match = /^(?:(\d+) d )?(?:(\d+):)?(\d+):(\d\d)$/.exec(formatCountdown(seconds));
        expect(match).not.toBeNull();
        const [, days = '0', hours = '0', minutes, rest] = match ?? [];
        expect(Number(days) * 86_400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(rest)).toBe(seconds);
      }),
    );
  });
});

describe('secondsUntil and describeGate', () => {
  it('rounds up and never goes below zero', () => {
    expect(secondsUntil(NOW + 1_001, NOW)).toBe(2);
    expect(secondsUntil(NOW - 5_000, NOW)).toBe(0);
  });

  it('says which limit is used up and how long until the next query', () => {
    const used = usage({ soft: limit({ used: 3, nextSlotAt: new Date(NOW + 42_000).toISOString() }) });
    expect(describeGate(quotaGate(used, null, NOW), used, NOW)).toBe(
      'You used all 3 queries this minute: the next query is possible in 0:42.',
    );
    expect(describeGate({ state: 'open' }, used, NOW)).toBeNull();
    expect(describeGate({ state: 'blacklisted', since: null }, used, NOW)).toMatch(/until an admin lifts it/);
  });
});
