import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BrokerCoreModule, type BrokerOverrides } from './broker-core.module';
import { BrokerLifecycle } from './broker.lifecycle';
import type { BrokerConfig } from './config/config.schema';
import { IdentityModule } from './identity/identity.module';
import { OpenApiHttpController } from './openapi/openapi.http.controller';
import { PersistenceModule } from './persistence/persistence.module';
import { ProblemDetailsFilter } from './problem-details.filter';
import { QueriesModule } from './queries/queries.module';
import { QuotasModule } from './quotas/quotas.module';
import { SavedQueriesModule } from './saved-queries/saved-queries.module';
import { SitesModule } from './sites/sites.module';
import { TerminologyModule } from './terminology/terminology.module';
import { WebModule } from './web/web.module';

/** `feature` with the modules whose exports it uses; the same object wherever it is imported, so Nest builds it once. */
const withImports = (feature: Type, ...imports: DynamicModule[]): DynamicModule => ({ module: feature, imports });

/** The broker application: every feature module and what each one imports, in one place. */
@Module({})
export class BrokerModule {
  /** The broker for one configuration; tests may swap the transport and the clock. */
  static forConfig(config: BrokerConfig, overrides: BrokerOverrides = {}): DynamicModule {
    const core = BrokerCoreModule.forConfig(config, overrides);
    const persistence = withImports(PersistenceModule, core);
    const sites = withImports(SitesModule, core);
    const quotas = withImports(QuotasModule, core, sites);
    const identity = withImports(IdentityModule, core);
    const terminology = withImports(TerminologyModule, core);
    const queries = withImports(QueriesModule, core, persistence, quotas, sites, terminology);
    const savedQueries = withImports(SavedQueriesModule, core);
    const web = withImports(WebModule, core);
    return {
      module: BrokerModule,
      imports: [core, persistence, identity, quotas, sites, terminology, queries, savedQueries, web],
      controllers: [OpenApiHttpController],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }, BrokerLifecycle],
    };
  }
}
