import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DatabaseTarget } from '../../config/config.schema';

/** A database made for one test run, dropped afterwards. */
export interface TestDatabase {
  kind: DatabaseTarget['kind'];
  target: DatabaseTarget;
  /** The broker environment that selects this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * The backends to test: SQLite always, PostgreSQL when TEST_DATABASE_URL is set (CI sets it). When it is set, an
 * unreachable server fails the tests; it is never skipped.
 */
export function testDatabaseKinds(): Array<DatabaseTarget['kind']> {
  return process.env.TEST_DATABASE_URL === undefined || process.env.TEST_DATABASE_URL === ''
    ? ['sqlite']
    : ['sqlite', 'postgres'];
}

/** Creates a fresh SQLite file in a temporary directory, or a fresh uniquely named PostgreSQL database. */
export async function createTestDatabase(kind: DatabaseTarget['kind']): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'fq-broker-db-'));
    const file = join(dir, 'broker.sqlite');
    return {
      kind,
      target: { kind, file },
      env: { BROKER_SQLITE_FILE: file },
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const adminUrl = process.env.TEST_DATABASE_URL ?? '';
  const name = `broker_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    target: { kind, url: url.toString() },
    env: { DATABASE_URL: url.toString() },
    drop: () => withClient(adminUrl, (client) => dropDatabase(client, name)),
  };
}

// Without FORCE while the test's own connections finish closing: forcing would send them a FATAL message that
// their (already released) pool no longer listens for.
async function dropDatabase(client: Client, name: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (error) {
      const inUse = typeof error === 'object' && error !== null && 'code' in error && error.code === '55006';
      if (!inUse || Date.now() > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

async function withClient(url: string, run: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const where = new URL(url);
    where.password = '';
    throw new Error(
      `TEST_DATABASE_URL is set (${where.toString()}) but PostgreSQL is unreachable: ${String(error)}. ` +
        'Start PostgreSQL or unset TEST_DATABASE_URL to test against SQLite only.',
      { cause: error },
    );
  }
  try {
    await run(client);
  } finally {
    await client.end();
  }
}
