import { ModulesContainer } from '@nestjs/core';
import { startSqliteTestBroker, type TestBroker } from './__fixtures__/test-broker';

describe('BrokerModule', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startSqliteTestBroker();
  });

  afterAll(async () => {
    await broker.close();
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
