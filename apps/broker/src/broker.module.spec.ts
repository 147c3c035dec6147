import { ModulesContainer } from '@nestjs/core';
import { startTestBroker, type TestBroker } from './__fixtures__/test-broker';
import { createTestDatabase, type TestDatabase } from './persistence/__fixtures__/test-databases';

describe('BrokerModule', () => {
  let db: TestDatabase;
  let broker: TestBroker;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    broker = await startTestBroker(db.env);
  });

  afterAll(async () => {
    await broker.close();
    await db.drop();
  });

  // Nest's own core module (the injector's internals) is global by design.
  const modules = () =>
    [...broker.app.get(ModulesContainer).values()].filter((module) => module.metatype.name !== 'InternalCoreModule');

  it('declares no global module: each module imports what it uses', () => {
    expect(modules().length).toBeGreaterThan(1);
    expect(
      modules()
        .filter((module) => module.isGlobal)
        .map((module) => module.metatype.name),
    ).toEqual([]);
  });

  it('builds each module once, however many modules import it', () => {
    const names = modules().map((module) => module.metatype.name);
    expect(names.sort()).toEqual(
      [
        'BrokerCoreModule',
        'BrokerModule',
        'IdentityModule',
        'PersistenceModule',
        'QueriesModule',
        'QuotasModule',
        'SavedQueriesModule',
        'SitesModule',
        'TerminologyModule',
        'WebModule',
      ].sort(),
    );
  });
});
