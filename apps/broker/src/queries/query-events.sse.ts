import { Inject, Injectable, type MessageEvent } from '@nestjs/common';
import { interval, map, Observable } from 'rxjs';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import type { Caller } from '../identity/caller';
import { QueriesRepository } from '../persistence/queries.repository';
import type { StoredQuery, StoredSiteResult } from '../persistence/records.schema';
import { QueryEventsBus } from './query-events.bus';
import { buildQueryEvents } from './query-view';

/** Proxies drop idle connections; a comment now and then keeps an event stream open. */
const KEEP_ALIVE_MS = 15_000;

/** Streams a query's events to one caller as server-sent events. */
@Injectable()
export class QueryEventStream {
  constructor(
    private readonly repository: QueriesRepository,
    private readonly bus: QueryEventsBus,
    @Inject(BROKER_CONFIG) private readonly config: Pick<BrokerConfig, 'thresholds'>,
  ) {}

  /**
   * The events of a query the caller may see: first those that already happened (after `lastEventId`), then each new
   * one, with a keep-alive comment in between; completes after `completed` or `expired`.
   */
  open(visible: StoredQuery, caller: Caller, lastEventId: number): Observable<MessageEvent> {
    const { id, query: criteria } = visible;
    const events = new Observable<MessageEvent>((subscriber) => {
      let sent = lastEventId;
      let reading = Promise.resolve();
      // Stored results never change: each change reads only those stored since the last read.
      const results: StoredSiteResult[] = [];
      // Every change (and the start) re-reads the store, so a late subscriber and a live one see the same events.
      // The criteria never change, so only the rest of the query is read again.
      const catchUp = (): void => {
        reading = reading.then(async () => {
          if (subscriber.closed) {
            return;
          }
          const header = await this.repository.findQueryHeader(id);
          if (header === null) {
            subscriber.complete();
            return;
          }
          const query: StoredQuery = { ...header, query: criteria };
          results.push(...(await this.repository.listSiteResults(id, results.at(-1)?.seq ?? 0)));
          for (const event of buildQueryEvents(query, results, this.config.thresholds, caller, sent)) {
            if (Number(event.id) > sent) {
              sent = Number(event.id);
              subscriber.next({ id: event.id, type: event.type, data: event.data });
            }
          }
          if (query.status !== 'running') {
            subscriber.complete();
          }
        });
        reading.catch((error: unknown) => subscriber.error(error));
      };
      const changes = this.bus.changes(id).subscribe({ next: catchUp, complete: () => subscriber.complete() });
      catchUp();
      return () => changes.unsubscribe();
    });
    const keepAlive = interval(KEEP_ALIVE_MS).pipe(map((): MessageEvent => ({ comment: 'keep-alive' })));
    return new Observable<MessageEvent>((subscriber) => {
      const alive = keepAlive.subscribe((event) => subscriber.next(event));
      const main = events.subscribe({
        next: (event) => subscriber.next(event),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        alive.unsubscribe();
        main.unsubscribe();
      };
    });
  }
}

/** Reads the SSE `Last-Event-ID` header: the number of the last event the client saw, 0 if none or malformed. */
export function parseLastEventId(header: string | undefined): number {
  return header !== undefined && /^\d{1,9}$/.test(header.trim()) ? Number(header.trim()) : 0;
}
