import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { cachingStatements } from './database.provider';

function fakeSqlite(): SqliteDatabase & { prepared: string[] } {
  const prepared: string[] = [];
  return {
    prepared,
    close: () => undefined,
    prepare(sql: string): SqliteStatement {
      prepared.push(sql);
      return {
        reader: true,
        all: () => [sql],
        run: () => ({ changes: 0, lastInsertRowid: 0 }),
        iterate: () => [][Symbol.iterator](),
      };
    },
  };
}

describe('cachingStatements', () => {
  it('prepares each SQL text once and hands out the same statement again', () => {
    const sqlite = fakeSqlite();
    const cached = cachingStatements(sqlite);
    const first = cached.prepare('select 1');
    expect(cached.prepare('select 1')).toBe(first);
    expect(cached.prepare('select 2')).not.toBe(first);
    expect(sqlite.prepared).toEqual(['select 1', 'select 2']);
  });

  it('starts over instead of growing without bound', () => {
    const sqlite = fakeSqlite();
    const cached = cachingStatements(sqlite);
    for (let i = 0; i < 300; i += 1) {
      cached.prepare(`select ${i}`);
    }
    cached.prepare('select 0');
    expect(sqlite.prepared).toHaveLength(301);
  });
});
