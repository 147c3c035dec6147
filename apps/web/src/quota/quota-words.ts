import type { QuotaLimit, QuotaUsage } from '../api/api-types';

/** Whether the caller may submit now, and if not, until when (epoch ms) and why. */
export type QuotaGate =
  | { state: 'open' }
  | { state: 'wait'; until: number; limit: 'soft' | 'hard' }
  | { state: 'blacklisted'; since: string | null };

const NAMED_INTERVALS: Record<number, string> = {
  60: 'this minute',
  3600: 'this hour',
  86_400: 'today',
  604_800: 'this week',
};

/** A quota's rolling window in words: "this minute", "this week", or "in any 90 s". */
export function intervalWords(seconds: number): string {
  return NAMED_INTERVALS[seconds] ?? `in any ${seconds} s`;
}

/** How many submissions a limit still allows; null when it does not apply. */
export function submissionsLeft(limit: QuotaLimit): number | null {
  return limit.amount === null ? null : Math.max(0, limit.amount - limit.used);
}

/** One limit in words: "2 of 3 left this minute", or "no limit this week" when it does not apply to the caller. */
export function describeLimit(limit: QuotaLimit): string {
  const left = submissionsLeft(limit);
  const window = intervalWords(limit.intervalSeconds);
  return left === null || limit.amount === null ? `no limit ${window}` : `${left} of ${limit.amount} left ${window}`;
}

function laterOf(a: number | null, b: number | null): number | null {
  if (a === null) {
    return b;
  }
  return b === null ? a : Math.max(a, b);
}

/**
 * Decides whether a submission can go out at `now`: not while blacklisted, not while a used-up limit has not freed a
 * slot (the quota's `nextSlotAt`), and not before the Retry-After of the last 429 (`retryUntil`, epoch ms).
 */
export function quotaGate(usage: QuotaUsage | null, retryUntil: number | null, now: number): QuotaGate {
  if (usage?.blacklisted === true) {
    return { state: 'blacklisted', since: usage.blacklistedAt };
  }
  const slot = (limit: QuotaLimit | undefined): number | null =>
    limit?.nextSlotAt === null || limit?.nextSlotAt === undefined ? null : Date.parse(limit.nextSlotAt);
  const soft = laterOf(slot(usage?.soft), retryUntil);
  if (soft !== null && soft > now) {
    return { state: 'wait', until: soft, limit: 'soft' };
  }
  const hard = slot(usage?.hard);
  if (hard !== null && hard > now) {
    return { state: 'wait', until: hard, limit: 'hard' };
  }
  return { state: 'open' };
}

/** Whole seconds from `now` until `until`, at least 0, rounded up (a countdown never shows 0 early). */
export function secondsUntil(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** A countdown as a clock reads it: "0:42", "12:05", "2:03:04"; days first beyond 24 hours ("3 d 4:00:00"). */
export function formatCountdown(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const days = Math.floor(whole / 86_400);
  const hours = Math.floor((whole % 86_400) / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  if (days > 0) {
    return `${days} d ${hours}:${String(minutes).padStart(2, '0')}:${rest}`;
  }
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** Why submitting waits, in a sentence, with the countdown. */
export function describeGate(gate: QuotaGate, usage: QuotaUsage | null, now: number): string | null {
  switch (gate.state) {
    case 'open':
      return null;
    case 'blacklisted':
      return 'You submitted more queries than the weekly limit allows and are blocked until an admin lifts it.';
    case 'wait': {
      const limit = gate.limit === 'soft' ? usage?.soft : usage?.hard;
      const what =
        limit?.amount === null || limit?.amount === undefined
          ? 'The broker asked to wait'
          : `You used all ${limit.amount} queries ${intervalWords(limit.intervalSeconds)}`;
      return `${what}: the next query is possible in ${formatCountdown(secondsUntil(gate.until, now))}.`;
    }
  }
}
