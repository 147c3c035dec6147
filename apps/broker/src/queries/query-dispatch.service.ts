import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock';
import { QueriesRepository } from '../persistence/queries.repository';
import type { StoredQuery } from '../persistence/records.schema';
import { BROKER_TRANSPORT, type BrokerTransport } from '../transport/broker-transport';
import { buildQueryEnvelope } from './query-envelope';
import { pseudonymizeRequester, REQUESTER_KEY } from './requester-pseudonym';

const RETRY_INTERVAL_MS = 5_000;

/** Sends a stored query to every one of its sites; a query the network did not take is retried until its deadline. */
@Injectable()
export class QueryDispatchService {
  private readonly logger = new Logger('QueryDispatch');
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly repository: QueriesRepository,
    @Inject(BROKER_TRANSPORT) private readonly transport: BrokerTransport,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REQUESTER_KEY) private readonly requesterKey: string,
  ) {}

  /**
   * Publishes one QueryEnvelope per site, each with the researcher's pseudonym at that site, and records the
   * dispatch; false (and a retry later) if NATS refused.
   */
  async dispatch(query: StoredQuery): Promise<boolean> {
    const sentAt = this.clock.now().toISOString();
    try {
      await Promise.all(
        query.sites.map((site) =>
          this.transport.publishQuery(
            site.siteId,
            buildQueryEnvelope(
              query,
              site.siteId,
              sentAt,
              pseudonymizeRequester(this.requesterKey, site.siteId, query.requesterId),
            ),
          ),
        ),
      );
      await this.repository.markDispatched(query.id, sentAt);
      return true;
    } catch (error) {
      this.logger.warn({ message: 'dispatch failed; will retry', queryId: query.id, error: String(error) });
      this.scheduleRetry();
      return false;
    }
  }

  /** Dispatches every running query not yet dispatched whose deadline has not passed (e.g. after a restart). */
  async dispatchPending(): Promise<void> {
    const now = this.clock.now().toISOString();
    const pending = (await this.repository.listRunningQueries()).filter(
      (query) => query.dispatchedAt === null && query.expiresAt > now,
    );
    for (const query of pending) {
      await this.dispatch(query);
    }
  }

  /** Stops retrying. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== null) {
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.dispatchPending().catch((error: unknown) => {
        this.logger.error({ message: 'retrying dispatch failed', error: String(error) });
        this.scheduleRetry();
      });
    }, RETRY_INTERVAL_MS);
  }
}
