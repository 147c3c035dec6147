import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { hashQuery } from '@fq/ccdl';
import { MAX_ENVELOPE_BYTES, type QueryResult, type ResultThresholds } from '@fq/contracts';
import { BrokerError } from '../broker.errors';
import { CLOCK, type Clock } from '../clock';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import type { Caller } from '../identity/caller';
import { QueriesRepository } from '../persistence/queries.repository';
import { QuotasService } from '../quotas/quotas.service';
import type { StoredQuery } from '../persistence/records.schema';
import { SiteRegistryService } from '../sites/site-registry.service';
import { QueryDeadlinesService } from './query-deadlines.service';
import { QueryDispatchService } from './query-dispatch.service';
import { findTooManyCriteria } from './query-complexity';
import { signedQueryEnvelopeBytes } from './query-envelope';
import { queryNotFoundError } from './query-id.pipe';
import { buildQueryResult } from './query-view';
import { pseudonymizeRequester, REQUESTER_KEY } from './requester-pseudonym';
import { assignSitePseudonyms, type RandomInt } from './site-pseudonyms';
import type { SubmittedQuery } from './submit-query.pipe';

/** The random source of site pseudonyms; tests may fix it. */
export const PSEUDONYM_RANDOM = Symbol('PSEUDONYM_RANDOM');

/** Submits queries, and shows a caller their queries and results. */
@Injectable()
export class QueriesService {
  private readonly logger = new Logger('Queries');

  constructor(
    private readonly repository: QueriesRepository,
    private readonly sites: SiteRegistryService,
    private readonly dispatcher: QueryDispatchService,
    private readonly deadlines: QueryDeadlinesService,
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

  /**
   * One of the caller's queries (any query for an admin); another researcher's query is as unknown as a missing one.
   * @param id - in lower case, as QueryIdPipe reads it
   */
  async findVisible(id: string, caller: Caller): Promise<StoredQuery> {
    const query = await this.repository.findQuery(id);
    if (query === null || (caller.role !== 'admin' && query.requesterId !== caller.id)) {
      throw queryNotFoundError();
    }
    return query;
  }
}
