import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type MessageEvent, Optional } from '@nestjs/common';
import { interval, map, Observable } from 'rxjs';
import { hashQuery } from '@fq/ccdl';
import {
  MAX_ENVELOPE_BYTES,
  type QueryList,
  type QueryListParams,
  type QueryResult,
  type ResultThresholds,
} from '@fq/contracts';
import { BrokerError } from '../broker.errors';
import { CLOCK, type Clock } from '../clock';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import type { Caller } from '../identity/caller';
import { QueriesRepository } from '../persistence/queries.repository';
import { QuotasService } from '../quotas/quotas.service';
import type { StoredQuery, StoredSiteResult } from '../persistence/records.schema';
import { SiteRegistryService } from '../sites/site-registry.service';
import { QueryDeadlinesService } from './query-deadlines.service';
import { QueryDispatchService } from './query-dispatch.service';
import { findTooManyCriteria } from './query-complexity';
import { signedQueryEnvelopeBytes } from './query-envelope';
import { QueryEventsBus } from './query-events.bus';
import { queryNotFoundError } from './query-id.pipe';
import { buildQueryEvents, buildQueryResult, buildQuerySummary } from './query-view';
import { pseudonymizeRequester, REQUESTER_KEY } from './requester-pseudonym';
import { assignSitePseudonyms, type RandomInt } from './site-pseudonyms';
import type { SubmittedQuery } from './submit-query.pipe';

/** The random source of site pseudonyms; tests may fix it. */
export const PSEUDONYM_RANDOM = Symbol('PSEUDONYM_RANDOM');

/** Proxies drop idle connections; a comment now and then keeps an event stream open. */
const KEEP_ALIVE_MS = 15_000;

/** Submits queries, and shows a caller their queries, results and result events. */
@Injectable()
export class QueriesService {
  private readonly logger = new Logger('Queries');

  constructor(
    private readonly repository: QueriesRepository,
    private readonly sites: SiteRegistryService,
    private readonly dispatcher: QueryDispatchService,
    private readonly deadlines: QueryDeadlinesService,
    private readonly bus: QueryEventsBus,
    private readonly quotas: QuotasService,
    @Inject(BROKER_CONFIG)
    private readonly config: Pick<BrokerConfig, 'queryDeadlineSeconds' | 'thresholds'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REQUESTER_KEY) private readonly requesterKey: string,
    @Optional() @Inject(PSEUDONYM_RANDOM) private readonly random?: RandomInt,
  ) {}

  private get thresholds(): ResultThresholds {
    return this.config.thresholds;
  }

  /**
   * Admits a validated query under the sites' criteria limit and the caller's quotas, stores it, then sends it to every
   * registered site; returns its id.
   */
  async submit({ query: criteria, root }: SubmittedQuery, caller: Caller): Promise<string> {
    // Before the quotas: a query every site would refuse must not cost a slot. The limit is named, never the site.
    const siteLimit = this.sites.smallestAdvertisedMaxCriteria();
    const aboveSites = siteLimit === null ? [] : findTooManyCriteria(criteria, siteLimit, root);
    if (aboveSites.length > 0) {
      throw new BrokerError('BROKER_QUERY_ABOVE_SITE_LIMIT', `${aboveSites[0].message} by the sites of this network`, {
        issues: aboveSites,
      });
    }
    const now = this.clock.now();
    const query: StoredQuery = {
      id: randomUUID(),
      requesterId: caller.id,
      query: criteria,
      queryHash: hashQuery(criteria),
      sites: assignSitePseudonyms(this.sites.list(), this.random),
      status: 'running',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.config.queryDeadlineSeconds * 1000).toISOString(),
      dispatchedAt: null,
      finishedAt: null,
    };
    const firstSite = query.sites[0].siteId;
    const envelopeBytes = signedQueryEnvelopeBytes(
      query,
      firstSite,
      query.createdAt,
      pseudonymizeRequester(this.requesterKey, firstSite, caller.id),
    );
    if (envelopeBytes > MAX_ENVELOPE_BYTES) {
      throw new BrokerError(
        'BROKER_QUERY_TOO_LARGE',
        `the query needs ${envelopeBytes} bytes on the network; the limit is ${MAX_ENVELOPE_BYTES}`,
      );
    }
    // Stored first: a crash between here and the network loses nothing, start-up dispatches it. The stored row is
    // what the quotas count.
    await this.quotas.admitSubmission(caller, () => this.repository.insertQuery(query));
    this.deadlines.schedule(query);
    await this.dispatcher.dispatch(query);
    this.logger.log({ message: 'query submitted', queryId: query.id, sites: query.sites.length });
    return query.id;
  }

  /** The result of one of the caller's queries (any query for an admin). */
  async get(id: string, caller: Caller): Promise<QueryResult> {
    const query = await this.findVisible(id, caller);
    await this.quotas.checkResultPoll(caller, query.id);
    return buildQueryResult(query, await this.repository.listSiteResults(query.id), this.thresholds, caller);
  }

  /** One page of the caller's own queries, newest first. */
  async list({ limit, offset }: QueryListParams, caller: Caller): Promise<QueryList> {
    const page = await this.repository.listQueriesByRequester(caller.id, limit, offset);
    const results = await this.repository.listSiteResultsOf(page.items.map((query) => query.id));
    return {
      items: page.items.map((query) => buildQuerySummary(query, results.get(query.id) ?? [], this.thresholds, caller)),
      limit,
      offset,
      totalItems: page.totalItems,
    };
  }

  /**
   * The query's events as server-sent events: first those that already happened (after `lastEventId`), then each
   * new one; completes after `completed` or `expired`.
   */
  async events(id: string, caller: Caller, lastEventId: number): Promise<Observable<MessageEvent>> {
    const { query: criteria } = await this.findVisible(id, caller);
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
          for (const event of buildQueryEvents(query, results, this.thresholds, caller, sent)) {
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

  // Another researcher's query is as unknown as a missing one. `id` is lower case, as QueryIdPipe reads it.
  private async findVisible(id: string, caller: Caller): Promise<StoredQuery> {
    const query = await this.repository.findQuery(id);
    if (query === null || (caller.role !== 'admin' && query.requesterId !== caller.id)) {
      throw queryNotFoundError();
    }
    return query;
  }
}

/** Reads the SSE `Last-Event-ID` header: the number of the last event the client saw, 0 if none or malformed. */
export function parseLastEventId(header: string | undefined): number {
  return header !== undefined && /^\d{1,9}$/.test(header.trim()) ? Number(header.trim()) : 0;
}
