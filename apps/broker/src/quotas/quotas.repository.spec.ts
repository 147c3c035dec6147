import type { BrokerDatabase } from '../persistence/broker-database';
import { openBrokerDatabase } from '../persistence/database.provider';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../persistence/__fixtures__/test-databases';
import { QuotasRepository } from './quotas.repository';

const Q1 = '6c1e9a43-6f4c-4d53-9a6f-0a3e3f2b7c11';
const Q2 = '0b8f5d2e-2a7c-4e0b-8c55-7f1d9e4a6b22';
const at = (seconds: number) => new Date(Date.UTC(2026, 2, 2, 9, 0, seconds)).toISOString();

describe.each(testDatabaseKinds())('QuotasRepository result reads on %s', (kind) => {
  let test: TestDatabase;
  let db: BrokerDatabase;
  let repository: QuotasRepository;

  beforeEach(async () => {
    test = await createTestDatabase(kind);
    db = await openBrokerDatabase(test.target);
    repository = new QuotasRepository(db);
  });

  afterEach(async () => {
    await db.destroy();
    await test.drop();
  });

  // A 10 s polling interval: a read at `now` is allowed if the last one was at or before now - 10 s.
  const read = (user: string, query: string, now: number) =>
    repository.recordResultRead(user, query, at(now), at(now - 10));

  it('records a first read and refuses the next within the interval, answering the last read', async () => {
    expect(await read('alice', Q1, 0)).toBeNull();
    expect(await read('alice', Q1, 9)).toBe(at(0));
    // A refused read does not move the window.
    expect(await read('alice', Q1, 10)).toBeNull();
    expect(await read('alice', Q1, 19)).toBe(at(10));
  });

  it('keeps users and queries apart', async () => {
    expect(await read('alice', Q1, 0)).toBeNull();
    expect(await read('bob', Q1, 1)).toBeNull();
    expect(await read('alice', Q2, 2)).toBeNull();
    expect(await read('alice', Q1, 3)).toBe(at(0));
  });

  it('lets a read through when the clock went back behind the last one', async () => {
    expect(await read('alice', Q1, 30)).toBeNull();
    expect(await read('alice', Q1, 5)).toBeNull();
    expect(await read('alice', Q1, 6)).toBe(at(5));
  });

  it('keeps reads when the database is opened again', async () => {
    expect(await read('alice', Q1, 0)).toBeNull();
    await db.destroy();
    db = await openBrokerDatabase(test.target);
    repository = new QuotasRepository(db);
    expect(await read('alice', Q1, 5)).toBe(at(0));
  });

  it('deletes reads at or before a time, and only those', async () => {
    await read('alice', Q1, 0);
    await read('bob', Q1, 10);
    await read('carol', Q1, 20);
    expect(await repository.deleteResultReadsBefore(at(10))).toBe(2);
    expect(await read('bob', Q1, 15)).toBeNull();
    expect(await read('carol', Q1, 25)).toBe(at(20));
  });
});
