import { randomUUID } from 'node:crypto';
import type { BrokerDatabase } from '../persistence/broker-database';
import { openBrokerDatabase } from '../persistence/database.provider';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../persistence/__fixtures__/test-databases';
import { type NewSavedQuery, SavedQueriesRepository } from './saved-queries.repository';

const QUERY = {
  display: 'Women',
  inclusionCriteria: [[{ termCodes: [{ system: 'http://snomed.info/sct', code: '263495000' }], futureField: 1 }]],
};

function aSavedQuery(overrides: Partial<NewSavedQuery> = {}): NewSavedQuery {
  return {
    id: randomUUID(),
    ownerId: 'alice',
    name: 'Women',
    comment: null,
    query: QUERY,
    at: '2026-03-02T09:00:00.000Z',
    ...overrides,
  };
}

describe.each(testDatabaseKinds())('SavedQueriesRepository on %s', (kind) => {
  let test: TestDatabase;
  let db: BrokerDatabase;
  let repository: SavedQueriesRepository;

  beforeEach(async () => {
    test = await createTestDatabase(kind);
    db = await openBrokerDatabase(test.target);
    repository = new SavedQueriesRepository(db);
  });

  afterEach(async () => {
    await db.destroy();
    await test.drop();
  });

  it('stores a saved query and reads it back for its owner only, unknown CCDL properties included', async () => {
    const saved = aSavedQuery({ comment: 'first try' });
    const stored = await repository.insert(saved, 10);
    expect(stored).toEqual({
      ok: true,
      value: {
        id: saved.id,
        name: 'Women',
        comment: 'first try',
        query: QUERY,
        createdAt: saved.at,
        updatedAt: saved.at,
      },
    });
    expect(await repository.find('alice', saved.id)).toEqual(stored.ok ? stored.value : null);
    expect(await repository.find('bob', saved.id)).toBeNull();
    expect(await repository.list('bob')).toEqual([]);
    expect(await repository.delete('bob', saved.id)).toBe(false);
    expect(await repository.update('bob', saved.id, { name: 'mine', at: saved.at })).toBeNull();
  });

  it('refuses a name its owner already uses; another owner may use it', async () => {
    await repository.insert(aSavedQuery(), 10);
    expect(await repository.insert(aSavedQuery(), 10)).toEqual({ ok: false, error: 'name-taken' });
    expect((await repository.insert(aSavedQuery({ ownerId: 'bob' }), 10)).ok).toBe(true);
  });

  it('refuses a saved query beyond the limit per owner, also when several arrive at once', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => repository.insert(aSavedQuery({ name: `query ${i}` }), 3)),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(3);
    expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => !outcome.ok && outcome.error)).toEqual([
      'limit-reached',
      'limit-reached',
    ]);
    expect(await repository.list('alice')).toHaveLength(3);
    expect((await repository.insert(aSavedQuery({ ownerId: 'bob' }), 3)).ok).toBe(true);
  });

  it('renames, changes or removes the comment, and lists the most recently changed first', async () => {
    const first = aSavedQuery({ name: 'A', comment: 'old' });
    const second = aSavedQuery({ name: 'B', at: '2026-03-02T09:05:00.000Z' });
    await repository.insert(first, 10);
    await repository.insert(second, 10);
    expect((await repository.list('alice')).map((entry) => entry.name)).toEqual(['B', 'A']);
    const renamed = await repository.update('alice', first.id, { name: 'A2', at: '2026-03-02T09:10:00.000Z' });
    expect(renamed).toMatchObject({ ok: true, value: { name: 'A2', comment: 'old', createdAt: first.at } });
    expect(await repository.update('alice', first.id, { name: 'B', at: first.at })).toEqual({
      ok: false,
      error: 'name-taken',
    });
    // Keeping its own name is no conflict.
    const uncommented = await repository.update('alice', first.id, { name: 'A2', comment: null, at: first.at });
    expect(uncommented).toMatchObject({ ok: true, value: { name: 'A2', comment: null } });
    expect((await repository.list('alice')).map((entry) => [entry.name, entry.updatedAt])).toEqual([
      ['B', second.at],
      ['A2', first.at],
    ]);
  });

  it('deletes the owner’s saved query once', async () => {
    const saved = aSavedQuery();
    await repository.insert(saved, 10);
    expect(await repository.delete('alice', saved.id)).toBe(true);
    expect(await repository.delete('alice', saved.id)).toBe(false);
    expect(await repository.find('alice', saved.id)).toBeNull();
  });
});
