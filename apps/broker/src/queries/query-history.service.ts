import { Inject, Injectable } from '@nestjs/common';
import type { QueryList, QueryListEntry, QueryListParams } from '@fq/contracts';
import { z } from 'zod';
import { BrokerError } from '../broker.errors';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import type { Caller } from '../identity/caller';
import { QueriesRepository, type QueryListFilter } from '../persistence/queries.repository';
import type { StoredQuery } from '../persistence/records.schema';
import { queryTitleOf } from './query-title';
import { buildQuerySummary } from './query-view';

// A cursor is the last entry's position: its submission time and id, as base64url JSON (opaque to clients).
const CursorPosition = z.tuple([z.iso.datetime(), z.uuid()]);

/** The cursor that continues after this entry. */
export function encodeHistoryCursor(query: Pick<StoredQuery, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([query.createdAt, query.id])).toString('base64url');
}

/** The position a cursor names; a cursor the broker did not give is a 400. */
export function decodeHistoryCursor(cursor: string): { createdAt: string; id: string } {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    position = undefined;
  }
  const parsed = CursorPosition.safeParse(position);
  if (!parsed.success) {
    throw new BrokerError('BROKER_PARAMETER_INVALID', 'the query parameters are invalid', {
      issues: [
        {
          path: 'query:cursor',
          code: 'BROKER_PARAMETER_INVALID',
          message: 'the cursor must be a value that nextCursor gave',
        },
      ],
    });
  }
  const [createdAt, id] = parsed.data;
  return { createdAt, id };
}

/** The query history: the caller's queries, or every user's for an admin who asks for all, a page at a time. */
@Injectable()
export class QueryHistoryService {
  constructor(
    private readonly repository: QueriesRepository,
    @Inject(BROKER_CONFIG) private readonly config: Pick<BrokerConfig, 'thresholds'>,
  ) {}

  /** One page, newest first, each entry with its title and the total as the result view shows it. */
  async list(params: QueryListParams, caller: Caller): Promise<QueryList> {
    if (params.all && caller.role !== 'admin') {
      throw new BrokerError('BROKER_ROLE_FORBIDDEN', 'only admins list every user’s queries (all=true)');
    }
    const filter: QueryListFilter = {
      requesterId: params.all ? params.user : caller.id,
      status: params.status,
      // Stored times are UTC with milliseconds; an offset such as +02:00 is brought to that form to compare as text.
      since: params.since === undefined ? undefined : new Date(params.since).toISOString(),
      before: params.cursor === undefined ? undefined : decodeHistoryCursor(params.cursor),
    };
    // One more than asked tells whether another page follows.
    const [rows, totalItems] = await Promise.all([
      this.repository.listQueries(filter, params.limit + 1),
      this.repository.countQueries(filter),
    ]);
    const page = rows.slice(0, params.limit);
    const results = await this.repository.listSiteResultsOf(page.map((query) => query.id));
    const items = page.map(
      (query): QueryListEntry => ({
        ...buildQuerySummary(query, results.get(query.id) ?? [], this.config.thresholds, caller),
        title: queryTitleOf(query.query),
        ...(params.all ? { submitter: query.requesterId } : {}),
      }),
    );
    const last = page.at(-1);
    return {
      items,
      limit: params.limit,
      nextCursor: rows.length > params.limit && last !== undefined ? encodeHistoryCursor(last) : null,
      totalItems,
    };
  }
}
