import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BrokerLifecycle } from './broker.lifecycle';
import { CLOCK, type Clock, systemClock } from './clock';
import { BROKER_CONFIG, type BrokerConfig } from './config/config.schema';
import { IdentityModule } from './identity/identity.module';
import { OpenApiHttpController } from './openapi/openapi.http.controller';
import { BROKER_DATABASE } from './persistence/broker-database';
import { openBrokerDatabase } from './persistence/database.provider';
import { PersistenceModule } from './persistence/persistence.module';
import { ProblemDetailsFilter } from './problem-details.filter';
import { QueriesModule } from './queries/queries.module';
import { QuotasModule } from './quotas/quotas.module';
import { SitesModule } from './sites/sites.module';
import { BROKER_TRANSPORT, type BrokerTransport } from './transport/broker-transport';
import { NatsBrokerTransport } from './transport/nats-broker.transport';

/** What a test may replace; production uses NATS and the wall clock. */
export interface BrokerOverrides {
  transport?: BrokerTransport;
  clock?: Clock;
}

/** The broker application: configuration, clock, database and transport for every feature module. */
@Module({})
export class BrokerModule {
  /** The broker for one configuration; tests may swap the transport and the clock. */
  static forConfig(config: BrokerConfig, overrides: BrokerOverrides = {}): DynamicModule {
    return {
      module: BrokerModule,
      // The shared infrastructure is global so feature modules inject it without re-importing the root.
      global: true,
      imports: [PersistenceModule, IdentityModule, QuotasModule, SitesModule, QueriesModule],
      controllers: [OpenApiHttpController],
      providers: [
        { provide: BROKER_CONFIG, useValue: config },
        { provide: CLOCK, useValue: overrides.clock ?? systemClock },
        { provide: BROKER_DATABASE, useFactory: () => openBrokerDatabase(config.database) },
        {
          provide: BROKER_TRANSPORT,
          useValue:
            overrides.transport ??
            new NatsBrokerTransport({ servers: config.natsServers, network: config.network }),
        },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        BrokerLifecycle,
      ],
      exports: [BROKER_CONFIG, CLOCK, BROKER_DATABASE, BROKER_TRANSPORT],
    };
  }
}
