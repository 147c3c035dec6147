import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BlacklistList, QuotaLimit, QuotaUsage } from '@fq/contracts';
import { BrokerError } from '../broker.errors';
import { CLOCK, type Clock } from '../clock';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import type { Caller } from '../identity/caller';
import { QuotasRepository } from './quotas.repository';

// Every this many recorded result reads, those older than the polling interval are deleted.
const POLL_SWEEP_EVERY = 1_000;

interface Window {
  amount: number | null;
  intervalSeconds: number;
  since: Date;
  times: string[];
}

/**
 * The FDPG quotas: a soft limit (too many submissions per interval: 429 with Retry-After), a hard limit (too many per
 * week: blacklisted, 403, until an admin lifts it; power users are exempt) and a polling limit on result reads. Admins
 * are exempt from all of them. Submissions are counted from the stored queries and result reads are stored, so a restart
 * forgets nothing.
 */
@Injectable()
export class QuotasService {
  private readonly logger = new Logger('Quotas');
  private readonly submitting = new Map<string, Promise<unknown>>();
  private readsSinceSweep = 0;

  constructor(
    private readonly repository: QuotasRepository,
    @Inject(BROKER_CONFIG) private readonly config: Pick<BrokerConfig, 'quotas'>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Runs `store` (which must store the caller's query) if their quotas allow one more submission; throws 403 for a
   * blacklisted caller or one the hard limit blacklists now, 429 past the soft limit. One submission per user at a
   * time, so concurrent submissions count each other.
   */
  async admitSubmission<T>(caller: Caller, store: () => Promise<T>): Promise<T> {
    if (caller.role === 'admin') {
      return store();
    }
    return this.oneAtATime(caller.id, async () => {
      const state = await this.repository.findBlacklistState(caller.id);
      if (state !== null && state.blacklistedAt !== null) {
        throw blacklisted(caller.id);
      }
      const now = this.clock.now();
      const soft = await this.softWindow(caller, now);
      if (soft.amount !== null && soft.times.length >= soft.amount) {
        const nextSlot = nextSlotAt(soft.times, soft.amount, soft.intervalSeconds);
        throw new BrokerError(
          'BROKER_QUOTA_EXCEEDED',
          `at most ${soft.amount} queries per ${soft.intervalSeconds} s; the next fits at ${nextSlot.toISOString()}`,
          { headers: { 'Retry-After': String(secondsUntil(nextSlot, now)) } },
        );
      }
      const hard = await this.hardWindow(caller, now, state?.liftedAt ?? null);
      if (hard.amount !== null && hard.times.length >= hard.amount) {
        await this.repository.blacklist(caller.id, now.toISOString());
        this.logger.warn({ message: 'user blacklisted by the hard quota', userId: caller.id, used: hard.times.length });
        throw blacklisted(caller.id);
      }
      return store();
    });
  }

  /** The caller's quotas as `GET /api/v1/quota` shows them; the sites' budgets come from `SiteBudgetsService`. */
  async usage(caller: Caller): Promise<Omit<QuotaUsage, 'siteBudgets'>> {
    const now = this.clock.now();
    const state = await this.repository.findBlacklistState(caller.id);
    const soft = await this.softWindow(caller, now);
    const hard = await this.hardWindow(caller, now, state?.liftedAt ?? null);
    return {
      userId: caller.id,
      role: caller.role,
      soft: toLimit(soft),
      hard: toLimit(hard),
      pollIntervalSeconds: caller.role === 'admin' ? 0 : this.config.quotas.pollIntervalSeconds,
      blacklisted: state !== null && state.blacklistedAt !== null,
      blacklistedAt: state?.blacklistedAt ?? null,
    };
  }

  /**
   * Records a read of a query's result in the database (one upsert), so a restart does not reset the polling limit;
   * throws 429 with Retry-After if the caller read it within the interval.
   */
  async checkResultPoll(caller: Caller, queryId: string): Promise<void> {
    const intervalMs = this.config.quotas.pollIntervalSeconds * 1000;
    if (caller.role === 'admin' || intervalMs === 0) {
      return;
    }
    const now = this.clock.now();
    const since = new Date(now.getTime() - intervalMs).toISOString();
    const last = await this.repository.recordResultRead(caller.id, queryId, now.toISOString(), since);
    if (last !== null) {
      const next = new Date(Date.parse(last) + intervalMs);
      throw new BrokerError(
        'BROKER_POLLING_LIMIT_EXCEEDED',
        `read this result at most once per ${this.config.quotas.pollIntervalSeconds} s, or watch its events instead`,
        { headers: { 'Retry-After': String(secondsUntil(next, now)) } },
      );
    }
    this.readsSinceSweep += 1;
    if (this.readsSinceSweep >= POLL_SWEEP_EVERY) {
      this.readsSinceSweep = 0;
      await this.repository.deleteResultReadsBefore(since);
    }
  }

  /** Every blacklisted user, longest listed first. */
  listBlacklist(): Promise<BlacklistList> {
    return this.repository.listBlacklisted();
  }

  /**
   * Lifts a blacklisting; the hard limit then counts only submissions after the lift, so the same week's count does
   * not blacklist the user again at once. Throws 404 if the user is not blacklisted.
   */
  async liftBlacklist(userId: string, admin: Caller): Promise<void> {
    const lifted = await this.oneAtATime(userId, () =>
      this.repository.lift(userId, this.clock.now().toISOString(), admin.id),
    );
    if (!lifted) {
      throw new BrokerError('BROKER_BLACKLIST_ENTRY_NOT_FOUND', 'this user is not blacklisted');
    }
    this.logger.log({ message: 'blacklisting lifted', userId, by: admin.id });
  }

  private async softWindow(caller: Caller, now: Date): Promise<Window> {
    const { amount, intervalSeconds } = this.config.quotas.soft;
    const since = new Date(now.getTime() - intervalSeconds * 1000);
    const applies = caller.role !== 'admin' && amount > 0;
    return {
      amount: applies ? amount : null,
      intervalSeconds,
      since,
      times: await this.repository.submissionTimesSince(caller.id, since.toISOString()),
    };
  }

  private async hardWindow(caller: Caller, now: Date, liftedAt: string | null): Promise<Window> {
    const { amount, intervalSeconds } = this.config.quotas.hard;
    const windowStart = new Date(now.getTime() - intervalSeconds * 1000);
    // Submissions before the last lift are forgiven with it.
    const fromLift = liftedAt !== null && Date.parse(liftedAt) > windowStart.getTime();
    const since = fromLift ? new Date(liftedAt) : windowStart;
    const applies = caller.role === 'researcher' && amount > 0;
    return {
      amount: applies ? amount : null,
      intervalSeconds,
      since,
      times: await this.repository.submissionTimesSince(caller.id, since.toISOString(), fromLift),
    };
  }

  private oneAtATime<T>(userId: string, run: () => Promise<T>): Promise<T> {
    const previous = this.submitting.get(userId) ?? Promise.resolve();
    const current = previous.then(run, run);
    const tail = current.then(
      () => undefined,
      () => undefined,
    );
    this.submitting.set(userId, tail);
    void tail.then(() => {
      if (this.submitting.get(userId) === tail) {
        this.submitting.delete(userId);
      }
    });
    return current;
  }
}

function blacklisted(userId: string): BrokerError {
  return new BrokerError(
    'BROKER_USER_BLACKLISTED',
    `${userId} submitted more queries than the hard quota allows and is blacklisted until an admin lifts it`,
  );
}

// The moment the oldest counted submission leaves the window far enough for one more to fit.
function nextSlotAt(times: readonly string[], amount: number, intervalSeconds: number): Date {
  const freeing = times[times.length - amount];
  return new Date(Date.parse(freeing) + intervalSeconds * 1000);
}

function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
}

function toLimit(window: Window): QuotaLimit {
  const used = window.times.length;
  const { amount, intervalSeconds, times } = window;
  return {
    amount,
    intervalSeconds,
    used,
    nextSlotAt: amount !== null && used >= amount ? nextSlotAt(times, amount, intervalSeconds).toISOString() : null,
  };
}
