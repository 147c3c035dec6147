import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock';
import { QueriesRepository } from '../persistence/queries.repository';
import type { StoredQuery } from '../persistence/records.schema';
import { QueryEventsBus } from './query-events.bus';

const RETRY_AFTER_FAILURE_MS = 5_000;

/** Expires queries at their deadline: every site without a result becomes `expired`. */
@Injectable()
export class QueryDeadlinesService {
  private readonly logger = new Logger('QueryDeadlines');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly repository: QueriesRepository,
    private readonly bus: QueryEventsBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Expires every running query whose deadline passed (also while the broker was down) and times the rest. */
  async resume(): Promise<void> {
    for (const query of await this.repository.listRunningQueries()) {
      this.schedule(query);
    }
    await this.expireOverdue();
  }

  /** Expires the running queries whose deadline has passed; returns their ids. */
  async expireOverdue(): Promise<string[]> {
    const now = this.clock.now().toISOString();
    const overdue = (await this.repository.listRunningQueries()).filter((query) => query.expiresAt <= now);
    for (const query of overdue) {
      await this.expire(query.id);
    }
    return overdue.map((query) => query.id);
  }

  /** Sets a timer for the query's deadline. */
  schedule(query: Pick<StoredQuery, 'id' | 'expiresAt'>): void {
    this.cancel(query.id);
    if (this.stopped) {
      return;
    }
    const delay = Math.max(0, Date.parse(query.expiresAt) - this.clock.now().getTime());
    this.timers.set(
      query.id,
      setTimeout(() => void this.expire(query.id), delay),
    );
  }

  /** Drops the timer of a query that finished early. */
  cancel(queryId: string): void {
    clearTimeout(this.timers.get(queryId));
    this.timers.delete(queryId);
  }

  /** Clears every timer; deadlines that pass while the broker is down are caught by `resume()`. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) {
      clearTimeout(timer);
    }
    this.timers.clear();
  }

  private async expire(queryId: string): Promise<void> {
    // Also reached before the timer fires (overdue sweep); a leftover timer would keep the process alive.
    this.cancel(queryId);
    try {
      if (await this.repository.expireQuery(queryId, this.clock.now().toISOString())) {
        this.logger.log({ message: 'query expired', queryId });
        this.bus.notify(queryId);
      }
    } catch (error) {
      this.logger.error({ message: 'expiring a query failed; retrying', queryId, error: String(error) });
      if (!this.stopped) {
        this.timers.set(
          queryId,
          setTimeout(() => void this.expire(queryId), RETRY_AFTER_FAILURE_MS),
        );
      }
    }
  }
}
