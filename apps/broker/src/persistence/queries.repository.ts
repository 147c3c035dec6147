import { Inject, Injectable } from '@nestjs/common';
import type { BudgetReport, QueryStatus } from '@fq/contracts';
import { PostgresAdapter, type Selectable, type Transaction } from 'kysely';
import { z } from 'zod';
import {
  BROKER_DATABASE,
  type BrokerDatabase,
  type BrokerTables,
  type QueriesTable,
  type SiteResultsTable,
} from './broker-database';
import { type ResultOrigin, type SiteAnswer, StoredQuery, StoredQueryHeader, StoredSiteResult } from './records.schema';

/** Which queries a history page holds; every field narrows it, none lists every query. */
export interface QueryListFilter {
  requesterId?: string;
  status?: QueryStatus;
  /** An ISO instant in UTC (as `created_at` is stored). */
  since?: string;
  /** The last entry of the previous page. */
  before?: { createdAt: string; id: string };
}

/** What recording a site result did: stored it (and maybe completed the query), or kept the earlier one. */
export type RecordOutcome = { recorded: true; completed: boolean } | { recorded: false };

// Running queries at once is bounded by the quotas and the deadline; the bound only guards against a leak.
const MAX_RUNNING_KEPT = 10_000;

/** A running query as kept in memory: its header, and its criteria once they were written or read. */
interface RunningQuery {
  header: StoredQueryHeader;
  criteria: StoredQuery['query'] | null;
}

/**
 * Queries and their site results; the first result per (query, site) wins.
 *
 * Running queries are kept in memory as well: every site result and every event stream reads one, and the broker is
 * the only writer of its database (one broker per network, docs/network.md), so its own writes keep them current. A
 * finished query is read from the database again.
 */
@Injectable()
export class QueriesRepository {
  private readonly running = new Map<string, RunningQuery>();

  constructor(@Inject(BROKER_DATABASE) private readonly db: BrokerDatabase) {}

  /** Stores a new query. */
  async insertQuery(query: StoredQuery): Promise<void> {
    await this.db
      .insertInto('queries')
      .values({
        id: query.id,
        requester_id: query.requesterId,
        query_json: JSON.stringify(query.query),
        query_hash: query.queryHash,
        sites_json: JSON.stringify(query.sites),
        status: query.status,
        created_at: query.createdAt,
        expires_at: query.expiresAt,
        dispatched_at: query.dispatchedAt,
        finished_at: query.finishedAt,
      })
      .execute();
    const { query: criteria, ...header } = query;
    this.remember(header, criteria);
  }

  /** The query with this id, or null. */
  async findQuery(id: string): Promise<StoredQuery | null> {
    const cached = this.running.get(id);
    if (cached !== undefined && cached.criteria !== null) {
      return { ...cached.header, query: cached.criteria };
    }
    const row = await this.db.selectFrom('queries').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) {
      return null;
    }
    const query = toStoredQuery(row);
    const { query: criteria, ...header } = query;
    this.remember(header, criteria);
    return query;
  }

  /** The query with this id without its CCDL, or null; cheaper than `findQuery` for every result that arrives. */
  async findQueryHeader(id: string): Promise<StoredQueryHeader | null> {
    const cached = this.running.get(id);
    if (cached !== undefined) {
      return cached.header;
    }
    const row = await this.db
      .selectFrom('queries')
      .select([
        'id',
        'requester_id',
        'query_hash',
        'sites_json',
        'status',
        'created_at',
        'expires_at',
        'dispatched_at',
        'finished_at',
      ])
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) {
      return null;
    }
    const header = StoredQueryHeader.parse(toQueryFields(row));
    this.remember(header, null);
    return header;
  }

  /**
   * Up to `limit` queries, newest first (ties by id, descending), that match the filter: one requester's or everybody's,
   * one status, submitted at or after `since`, and strictly after the `before` position of an earlier page.
   */
  async listQueries(filter: QueryListFilter, limit: number): Promise<StoredQuery[]> {
    let select = this.filtered(filter);
    const before = filter.before;
    if (before !== undefined) {
      select = select.where((eb) =>
        eb.or([
          eb('created_at', '<', before.createdAt),
          eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
        ]),
      );
    }
    const rows = await select.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toStoredQuery);
  }

  /** How many queries match the filter, whatever page `before` names. */
  async countQueries(filter: Omit<QueryListFilter, 'before'>): Promise<number> {
    const { count } = await this.filtered(filter)
      .select((eb) => eb.fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    // PostgreSQL returns count(*) as a bigint string, SQLite as a number.
    return Number(count);
  }

  private filtered(filter: Omit<QueryListFilter, 'before'>) {
    let select = this.db.selectFrom('queries');
    if (filter.requesterId !== undefined) {
      select = select.where('requester_id', '=', filter.requesterId);
    }
    if (filter.status !== undefined) {
      select = select.where('status', '=', filter.status);
    }
    if (filter.since !== undefined) {
      select = select.where('created_at', '>=', filter.since);
    }
    return select;
  }

  /** Every query still waiting for answers, oldest first. */
  async listRunningQueries(): Promise<StoredQuery[]> {
    const rows = await this.db
      .selectFrom('queries')
      .selectAll()
      .where('status', '=', 'running')
      .orderBy('created_at', 'asc')
      .execute();
    return rows.map(toStoredQuery);
  }

  /** Notes that every site's copy of the query was accepted by JetStream. */
  async markDispatched(id: string, at: string): Promise<void> {
    await this.db.updateTable('queries').set({ dispatched_at: at }).where('id', '=', id).execute();
    const cached = this.running.get(id);
    if (cached !== undefined) {
      cached.header = Object.freeze({ ...cached.header, dispatchedAt: at });
    }
  }

  /**
   * Stores a site's result unless the site already has one; completes the query once every site has a result.
   *
   * @param origin - `site` for an answer from the network, `broker` for an expiry the broker decided.
   */
  async recordSiteResult(
    queryId: string,
    siteId: string,
    answer: SiteAnswer,
    receivedAt: string,
    origin: ResultOrigin = 'site',
  ): Promise<RecordOutcome> {
    const outcome = await this.db.transaction().execute(async (trx): Promise<RecordOutcome> => {
      await this.lockQuery(trx, queryId);
      const inserted = await trx
        .insertInto('site_results')
        .values({ query_id: queryId, site_id: siteId, origin, received_at: receivedAt, ...answerColumns(answer) })
        .onConflict((oc) => oc.columns(['query_id', 'site_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        return { recorded: false };
      }
      const expected = await this.siteCountOf(trx, queryId);
      const { count } = await trx
        .selectFrom('site_results')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('query_id', '=', queryId)
        .executeTakeFirstOrThrow();
      if (Number(count) < expected) {
        return { recorded: true, completed: false };
      }
      const updated = await trx
        .updateTable('queries')
        .set({ status: 'completed', finished_at: receivedAt })
        .where('id', '=', queryId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return { recorded: true, completed: Number(updated.numUpdatedRows) > 0 };
    });
    if (outcome.recorded && outcome.completed) {
      this.running.delete(queryId);
    }
    return outcome;
  }

  /** How many sites a query was sent to; Infinity for an unknown query, which then never completes. */
  private async siteCountOf(trx: Transaction<BrokerTables>, queryId: string): Promise<number> {
    const cached = this.running.get(queryId);
    if (cached !== undefined) {
      return cached.header.sites.length;
    }
    const query = await trx.selectFrom('queries').select('sites_json').where('id', '=', queryId).executeTakeFirst();
    // The sites were validated when the query was stored; only their number matters here.
    return query === undefined ? Infinity : JsonArray.parse(parseJson(query.sites_json)).length;
  }

  /** Keeps a running query in memory (criteria, once known, are kept with the header); others are not kept. */
  private remember(header: StoredQueryHeader, criteria: StoredQuery['query'] | null): void {
    if (header.status !== 'running') {
      return;
    }
    const known = this.running.get(header.id);
    if (known !== undefined) {
      known.criteria ??= criteria;
      return;
    }
    if (this.running.size >= MAX_RUNNING_KEPT) {
      // The oldest entry goes first (a Map keeps insertion order); it is read from the database when needed.
      const oldest = this.running.keys().next();
      if (oldest.done !== true) {
        this.running.delete(oldest.value);
      }
    }
    this.running.set(header.id, { header: Object.freeze(header), criteria });
  }

  /**
   * Serialises concurrent results of one query, so the count after an insert sees every earlier result and exactly one
   * of them completes the query. PostgreSQL needs a row lock; SQLite runs one transaction at a time on Kysely's single
   * connection, and a dummy update there would rewrite the whole query row for every result.
   */
  private async lockQuery(trx: Transaction<BrokerTables>, queryId: string): Promise<void> {
    if (this.db.getExecutor().adapter instanceof PostgresAdapter) {
      await trx.selectFrom('queries').select('id').where('id', '=', queryId).forUpdate().execute();
    }
  }

  /** Marks a running query expired and every site without a result `expired`; false if it was no longer running. */
  async expireQuery(queryId: string, at: string): Promise<boolean> {
    this.running.delete(queryId);
    const expired = await this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('queries')
        .set({ status: 'expired', finished_at: at })
        .where('id', '=', queryId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        return false;
      }
      const row = await trx.selectFrom('queries').selectAll().where('id', '=', queryId).executeTakeFirstOrThrow();
      const answered = await trx.selectFrom('site_results').select('site_id').where('query_id', '=', queryId).execute();
      const answeredIds = new Set(answered.map((result) => result.site_id));
      const missing = toStoredQuery(row).sites.filter((site) => !answeredIds.has(site.siteId));
      if (missing.length > 0) {
        await trx
          .insertInto('site_results')
          .values(
            missing.map((site) => ({
              query_id: queryId,
              site_id: site.siteId,
              origin: 'broker',
              received_at: at,
              ...answerColumns({ status: 'expired' }),
            })),
          )
          .onConflict((oc) => oc.columns(['query_id', 'site_id']).doNothing())
          .execute();
      }
      return true;
    });
    // Again afterwards: a header read while the transaction ran may have cached the query as still running.
    this.running.delete(queryId);
    return expired;
  }

  /**
   * A query's site results in the order they arrived; with `afterSeq`, only those stored after the result with that
   * `seq` (results are never changed once stored, so a reader can keep what it has read).
   */
  async listSiteResults(queryId: string, afterSeq = 0): Promise<StoredSiteResult[]> {
    const rows = await this.db
      .selectFrom('site_results')
      .selectAll()
      .where('query_id', '=', queryId)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .execute();
    return rows.map(toStoredSiteResult);
  }

  /** The site results of several queries, each list in arrival order. */
  async listSiteResultsOf(queryIds: readonly string[]): Promise<Map<string, StoredSiteResult[]>> {
    const byQuery = new Map<string, StoredSiteResult[]>(queryIds.map((id) => [id, []]));
    if (queryIds.length === 0) {
      return byQuery;
    }
    const rows = await this.db
      .selectFrom('site_results')
      .selectAll()
      .where('query_id', 'in', [...queryIds])
      .orderBy('seq', 'asc')
      .execute();
    for (const row of rows) {
      byQuery.get(row.query_id)?.push(toStoredSiteResult(row));
    }
    return byQuery;
  }
}

function answerColumns(
  answer: SiteAnswer,
): Omit<SiteResultsTable, 'seq' | 'query_id' | 'site_id' | 'origin' | 'received_at'> {
  const empty = {
    protected_count: null,
    site_threshold: null,
    code: null,
    reason: null,
    data_version: null,
    budget_remaining: null,
    budget_limit: null,
    budget_window_days: null,
    budget_resets_at: null,
  };
  switch (answer.status) {
    case 'answered':
      return {
        ...empty,
        status: answer.status,
        data_version: answer.dataVersion,
        protected_count: answer.result.kind === 'count' ? answer.result.protectedCount : null,
        site_threshold: answer.result.kind === 'below-threshold' ? answer.result.threshold : null,
        ...budgetColumns(answer.budget),
      };
    case 'refused':
      return {
        ...empty,
        status: answer.status,
        code: answer.code,
        reason: answer.reason,
        ...budgetColumns(answer.budget),
      };
    case 'failed':
      return { ...empty, status: answer.status, code: answer.code, reason: answer.reason };
    case 'expired':
      return { ...empty, status: answer.status };
  }
}

// Rows are parsed like any outside input: a damaged row fails loudly here instead of deep inside a view.
function toStoredQuery(row: Selectable<QueriesTable>): StoredQuery {
  return StoredQuery.parse({ ...toQueryFields(row), query: parseJson(row.query_json) });
}

function toQueryFields(row: Omit<Selectable<QueriesTable>, 'query_json'>): Record<string, unknown> {
  return {
    id: row.id,
    requesterId: row.requester_id,
    queryHash: row.query_hash,
    sites: parseJson(row.sites_json),
    status: row.status,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    dispatchedAt: row.dispatched_at,
    finishedAt: row.finished_at,
  };
}

const JsonArray = z.array(z.unknown());

function parseJson(text: string): unknown {
  return JSON.parse(text);
}

function toStoredSiteResult(row: Selectable<SiteResultsTable>): StoredSiteResult {
  return StoredSiteResult.parse({
    seq: row.seq,
    queryId: row.query_id,
    siteId: row.site_id,
    origin: row.origin,
    receivedAt: row.received_at,
    answer: toAnswer(row),
  });
}

function budgetColumns(
  budget: BudgetReport | undefined,
): Pick<SiteResultsTable, 'budget_remaining' | 'budget_limit' | 'budget_window_days' | 'budget_resets_at'> {
  return budget === undefined
    ? { budget_remaining: null, budget_limit: null, budget_window_days: null, budget_resets_at: null }
    : {
        budget_remaining: budget.remaining,
        budget_limit: budget.limit,
        budget_window_days: budget.windowDays,
        budget_resets_at: budget.resetsAt,
      };
}

/** The budget a site reported, as stored; absent when it reported none. */
export function budgetOf(
  row: Pick<SiteResultsTable, 'budget_remaining' | 'budget_limit' | 'budget_window_days' | 'budget_resets_at'>,
): { budget: BudgetReport } | Record<string, never> {
  if (row.budget_remaining === null || row.budget_limit === null || row.budget_window_days === null) {
    return {};
  }
  // PostgreSQL and SQLite both return these integers as numbers; Number() keeps a driver's bigint text honest.
  return {
    budget: {
      remaining: Number(row.budget_remaining),
      limit: Number(row.budget_limit),
      windowDays: Number(row.budget_window_days),
      resetsAt: row.budget_resets_at,
    },
  };
}

function toAnswer(row: Selectable<SiteResultsTable>): unknown {
  switch (row.status) {
    case 'answered':
      return {
        status: 'answered',
        dataVersion: row.data_version,
        result:
          row.protected_count !== null
            ? { kind: 'count', protectedCount: row.protected_count }
            : { kind: 'below-threshold', threshold: row.site_threshold },
        ...budgetOf(row),
      };
    case 'refused':
      return { status: row.status, code: row.code, reason: row.reason, ...budgetOf(row) };
    case 'failed':
      return { status: row.status, code: row.code, reason: row.reason };
    default:
      return { status: row.status };
  }
}
