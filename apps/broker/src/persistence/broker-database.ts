import type { Generated, Kysely } from 'kysely';

// Row shapes as the database stores them; repositories parse rows into records before anybody else sees them.

export interface QueriesTable {
  id: string;
  requester_id: string;
  query_json: string;
  query_hash: string;
  sites_json: string;
  status: string;
  created_at: string;
  expires_at: string;
  dispatched_at: string | null;
  finished_at: string | null;
}

export interface SiteResultsTable {
  seq: Generated<number>;
  query_id: string;
  site_id: string;
  status: string;
  origin: string;
  protected_count: number | null;
  site_threshold: number | null;
  code: string | null;
  reason: string | null;
  data_version: string | null;
  received_at: string;
  /** The privacy budget the site reported (answered or refused); all null when it reported none. */
  budget_remaining: number | null;
  budget_limit: number | null;
  budget_window_days: number | null;
  budget_resets_at: string | null;
}

export interface BrokerSecretsTable {
  name: string;
  value: string;
}

/** A researcher the hard quota blacklisted (`blacklisted_at` set) or whose blacklisting an admin lifted. */
export interface UserBlacklistTable {
  user_id: string;
  blacklisted_at: string | null;
  lifted_at: string | null;
  lifted_by: string | null;
}

/** When a user last read a query's result (the polling limit); rows older than the interval are swept. */
export interface ResultReadsTable {
  user_id: string;
  query_id: string;
  read_at: string;
}

/** A researcher's saved query: a name unique per owner, an optional comment and the structured query as JSON. */
export interface SavedQueriesTable {
  id: string;
  owner_id: string;
  name: string;
  comment: string | null;
  query_json: string;
  created_at: string;
  updated_at: string;
}

export interface BrokerTables {
  queries: QueriesTable;
  site_results: SiteResultsTable;
  broker_secrets: BrokerSecretsTable;
  user_blacklist: UserBlacklistTable;
  result_reads: ResultReadsTable;
  saved_queries: SavedQueriesTable;
}

export type BrokerDatabase = Kysely<BrokerTables>;

export const BROKER_DATABASE = Symbol('BROKER_DATABASE');
