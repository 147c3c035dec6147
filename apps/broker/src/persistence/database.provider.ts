import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type SqliteDatabase as KyselySqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import { Pool } from 'pg';
import type { DatabaseTarget } from '../config/config.schema';
import type { BrokerDatabase, BrokerTables } from './broker-database';
import { brokerMigrations, InCodeMigrationProvider } from './migrations';

/** Opens the broker's database (SQLite file or PostgreSQL) and brings its schema to the latest migration. */
export async function openBrokerDatabase(target: DatabaseTarget): Promise<BrokerDatabase> {
  const db = target.kind === 'postgres' ? openPostgres(target.url) : openSqlite(target.file);
  try {
    const migrator = new Migrator({ db, provider: new InCodeMigrationProvider(brokerMigrations(target.kind)) });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) {
      throw new Error(`migrating the ${target.kind} database failed`, { cause: error });
    }
    return db;
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

function openPostgres(url: string): BrokerDatabase {
  return new Kysely<BrokerTables>({
    dialect: new PostgresDialect({ pool: new Pool({ connectionString: url, max: 10 }) }),
  });
}

function openSqlite(file: string): BrokerDatabase {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true });
  }
  const sqlite = new SqliteDatabase(file);
  // WAL lets readers proceed while a result is written; a busy timeout rides out a checkpoint.
  sqlite.pragma('journal_mode = WAL');
  // In WAL mode NORMAL survives a process crash and syncs at checkpoints; FULL would fsync every result. JetStream
  // itself syncs its store every two minutes by default, so FULL would buy nothing end to end.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<BrokerTables>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) });
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every statement anew; reusing prepared statements by SQL text saves a parse per query. Kysely's
 * SQLite driver runs one statement at a time on its single connection, so a cached statement is never shared.
 */
export function cachingStatements(sqlite: KyselySqliteDatabase): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        // Queries with variable `in` lists make new texts; a full cache starts over instead of growing.
        if (statements.size >= STATEMENT_CACHE_SIZE) {
          statements.clear();
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
