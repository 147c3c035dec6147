import { type DynamicModule, Module } from '@nestjs/common';
import { CLOCK, type Clock, systemClock } from './clock';
import { BROKER_CONFIG, type BrokerConfig } from './config/config.schema';
import { BROKER_DATABASE } from './persistence/broker-database';
import { openBrokerDatabase } from './persistence/database.provider';
import { BROKER_TRANSPORT, type BrokerTransport } from './transport/broker-transport';
import { NatsBrokerTransport } from './transport/nats-broker.transport';

/** What a test may replace; production uses NATS and the wall clock. */
export interface BrokerOverrides {
  transport?: BrokerTransport;
  clock?: Clock;
}

/** The broker's infrastructure: configuration, clock, database and transport, for the modules that import it. */
@Module({})
export class BrokerCoreModule {
  /** The infrastructure for one configuration; tests may swap the transport and the clock. */
  static forConfig(config: BrokerConfig, overrides: BrokerOverrides = {}): DynamicModule {
    return {
      module: BrokerCoreModule,
      providers: [
        { provide: BROKER_CONFIG, useValue: config },
        { provide: CLOCK, useValue: overrides.clock ?? systemClock },
        { provide: BROKER_DATABASE, useFactory: () => openBrokerDatabase(config.database) },
        {
          provide: BROKER_TRANSPORT,
          useValue:
            overrides.transport ?? new NatsBrokerTransport({ servers: config.natsServers, network: config.network }),
        },
      ],
      exports: [BROKER_CONFIG, CLOCK, BROKER_DATABASE, BROKER_TRANSPORT],
    };
  }
}
