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
import { ensurePrivateDir, ensurePrivateFile, narrowToPrivate } from '@fq/private-files';
import type { DatabaseTarget } from '../config/config.schema';
import type { BrokerDatabase, BrokerTables } from './broker-database';
import { brokerMigrations, InCodeMigrationProvider } from './migrations';
import { reportNarrowed } from './state-files';

/** Opens the broker's database (SQLite file or PostgreSQL) and brings its schema to the latest migration. */
export async function openBrokerDatabase(target: DatabaseTarget): Promise<BrokerDatabase> {
  const db = target.kind === 'postgres' ? openPostgres(target.url) : await openSqlite(target.file);
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

async function openSqlite(file: string): Promise<BrokerDatabase> {
  if (file !== ':memory:') {
    await protectSqliteFiles(file);
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

/**
 * The database holds researcher ids, query history and the pseudonym key: it is created 0600 before SQLite opens it
 * (SQLite would create it 0644), so its -wal and -shm, which SQLite's unix VFS creates with the database file's mode,
 * are 0600 too. Existing files that others could read are narrowed and logged.
 */
async function protectSqliteFiles(file: string): Promise<void> {
  await ensurePrivateDir(dirname(file));
  reportNarrowed(await ensurePrivateFile(file));
  for (const companion of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    reportNarrowed(await narrowToPrivate(companion));
  }
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
