import type { Kysely, Migration, MigrationProvider } from 'kysely';

/** The SQL dialects the broker runs on; the migrations differ only in how an auto-numbered column is declared. */
export type SqlDialect = 'sqlite' | 'postgres';

/** Every schema migration of the broker, oldest first; names sort in the order they must run. */
export function brokerMigrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001-queries-results-secrets': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('queries')
          .addColumn('id', 'text', (col) => col.primaryKey())
          .addColumn('requester_id', 'text', (col) => col.notNull())
          .addColumn('requester_pseudonym', 'text', (col) => col.notNull())
          .addColumn('query_json', 'text', (col) => col.notNull())
          .addColumn('query_hash', 'text', (col) => col.notNull())
          .addColumn('sites_json', 'text', (col) => col.notNull())
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('created_at', 'text', (col) => col.notNull())
          .addColumn('expires_at', 'text', (col) => col.notNull())
          .addColumn('dispatched_at', 'text')
          .addColumn('finished_at', 'text')
          .execute();
        await db.schema
          .createIndex('queries_requester_created')
          .on('queries')
          .columns(['requester_id', 'created_at'])
          .execute();
        await db.schema.createIndex('queries_status_expires').on('queries').columns(['status', 'expires_at']).execute();
        await db.schema
          .createTable('site_results')
          .addColumn('seq', 'integer', (col) =>
            dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedByDefaultAsIdentity(),
          )
          .addColumn('query_id', 'text', (col) => col.notNull().references('queries.id').onDelete('cascade'))
          .addColumn('site_id', 'text', (col) => col.notNull())
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('origin', 'text', (col) => col.notNull())
          .addColumn('protected_count', 'integer')
          .addColumn('site_threshold', 'integer')
          .addColumn('code', 'text')
          .addColumn('reason', 'text')
          .addColumn('data_version', 'text')
          .addColumn('received_at', 'text', (col) => col.notNull())
          // The first result per (query, site) wins; a redelivery or a re-sent answer hits this constraint.
          .addUniqueConstraint('site_results_query_site', ['query_id', 'site_id'])
          .execute();
        await db.schema
          .createTable('broker_secrets')
          .addColumn('name', 'text', (col) => col.primaryKey())
          .addColumn('value', 'text', (col) => col.notNull())
          .execute();
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.dropTable('broker_secrets').execute();
        await db.schema.dropTable('site_results').execute();
        await db.schema.dropTable('queries').execute();
      },
    },
    '0002-user-blacklist': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Quota usage is counted from `queries`; only the blacklist needs its own rows.
        await db.schema
          .createTable('user_blacklist')
          .addColumn('user_id', 'text', (col) => col.primaryKey())
          .addColumn('blacklisted_at', 'text')
          .addColumn('lifted_at', 'text')
          .addColumn('lifted_by', 'text')
          .execute();
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.dropTable('user_blacklist').execute();
      },
    },
    '0003-result-reads': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The polling limit's last read per user and query, so a restart does not reset it.
        await db.schema
          .createTable('result_reads')
          .addColumn('user_id', 'text', (col) => col.notNull())
          .addColumn('query_id', 'text', (col) => col.notNull())
          .addColumn('read_at', 'text', (col) => col.notNull())
          .addPrimaryKeyConstraint('result_reads_user_query', ['user_id', 'query_id'])
          .execute();
        await db.schema.createIndex('result_reads_read_at').on('result_reads').column('read_at').execute();
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.dropTable('result_reads').execute();
      },
    },
    '0004-site-pseudonyms-and-budgets': {
      async up(db: Kysely<unknown>): Promise<void> {
        // One pseudonym for every site let sites link a researcher across sites; each site's is now derived at
        // dispatch from the requester key (decision 0009), so the stored one goes.
        await db.schema.alterTable('queries').dropColumn('requester_pseudonym').execute();
        // The privacy budget a site reported with its answer or refusal, for GET /api/v1/quota.
        for (const column of ['budget_remaining', 'budget_limit', 'budget_window_days'] as const) {
          await db.schema.alterTable('site_results').addColumn(column, 'integer').execute();
        }
        await db.schema.alterTable('site_results').addColumn('budget_resets_at', 'text').execute();
      },
      async down(db: Kysely<unknown>): Promise<void> {
        for (const column of ['budget_resets_at', 'budget_window_days', 'budget_limit', 'budget_remaining']) {
          await db.schema.alterTable('site_results').dropColumn(column).execute();
        }
        // The old single pseudonyms cannot be restored here; they were an HMAC of the requester id only.
        await db.schema.alterTable('queries').addColumn('requester_pseudonym', 'text').execute();
      },
    },
    '0005-saved-queries': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The admin's list of every user's queries pages by submission time.
        await db.schema.createIndex('queries_created').on('queries').columns(['created_at', 'id']).execute();
        await db.schema
          .createTable('saved_queries')
          .addColumn('id', 'text', (col) => col.primaryKey())
          .addColumn('owner_id', 'text', (col) => col.notNull())
          .addColumn('name', 'text', (col) => col.notNull())
          .addColumn('comment', 'text')
          .addColumn('query_json', 'text', (col) => col.notNull())
          .addColumn('created_at', 'text', (col) => col.notNull())
          .addColumn('updated_at', 'text', (col) => col.notNull())
          // A name picks one saved query of its owner (`fq saved run <name>`).
          .addUniqueConstraint('saved_queries_owner_name', ['owner_id', 'name'])
          .execute();
        await db.schema
          .createIndex('saved_queries_owner_updated')
          .on('saved_queries')
          .columns(['owner_id', 'updated_at'])
          .execute();
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.dropTable('saved_queries').execute();
        await db.schema.dropIndex('queries_created').execute();
      },
    },
  };
}

/** Hands Kysely's Migrator the in-code migrations, so the same list runs on SQLite and PostgreSQL. */
export class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(this.migrations);
  }
}
