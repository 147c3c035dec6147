import { type DynamicModule, Module } from '@nestjs/common';
import type { BindRetryOptions } from '@fq/jetstream-transport';
import { ApprovalProcessingService } from './approvals/approval-processing.service';
import { CLOCK, type Clock, systemClock } from './clock';
import { SITE_AGENT_CONFIG } from './config/config.loader';
import type { SiteAgentConfig } from './config/config.schema';
import { SitePolicyService } from './policy/site-policy.service';
import { QueriesNatsController } from './queries/queries.nats.controller';
import { QueryAdmissionService } from './queries/query-admission.service';
import { QueryAnsweringService } from './queries/query-answering.service';
import { QueryOutcomeService } from './queries/query-outcome.service';
import { ResultPublisher } from './queries/result.publisher';
import { SiteAgentLifecycle } from './site-agent.lifecycle';
import { SITE_DATA_SOURCE, SiteDataLoader, type SiteDataSource } from './site-data/site-data.loader';
import { SiteDataService } from './site-data/site-data.service';
import { FhirServerSource } from './site-data/fhir-server/fhir-server.source';
import { SITE_STATE_PROVIDERS } from './state/site-state.providers';
import { HeartbeatPublisher } from './transport/heartbeat.publisher';
import { NatsConnectionService } from './transport/nats-connection.service';
import { NatsResultPublisher } from './transport/result.publisher';
import { BIND_RETRY, DEFAULT_BIND_RETRY, SiteQueriesServer } from './transport/site-queries.server';
import { SiteQueryGate } from './transport/site-query.gate';

/** What tests (and only tests) replace: the clock, the data source and the consumer bind back-off. */
export interface SiteAgentOverrides {
  clock?: Clock;
  dataSource?: SiteDataSource;
  bindRetry?: BindRetryOptions;
}

/** The site agent for one configuration: state, data, the query path, its handlers and the transport. */
@Module({})
export class SiteAgentModule {
  static forRoot(config: SiteAgentConfig, overrides: SiteAgentOverrides = {}): DynamicModule {
    return {
      module: SiteAgentModule,
      controllers: [QueriesNatsController],
      providers: [
        { provide: SITE_AGENT_CONFIG, useValue: config },
        { provide: CLOCK, useValue: overrides.clock ?? systemClock },
        { provide: BIND_RETRY, useValue: overrides.bindRetry ?? DEFAULT_BIND_RETRY },
        SiteDataLoader,
        overrides.dataSource !== undefined
          ? { provide: SITE_DATA_SOURCE, useValue: overrides.dataSource }
          : config.fhirSource === null
            ? { provide: SITE_DATA_SOURCE, useExisting: SiteDataLoader }
            : { provide: SITE_DATA_SOURCE, useClass: FhirServerSource },
        ...SITE_STATE_PROVIDERS,
        SiteDataService,
        SitePolicyService,
        QueryOutcomeService,
        QueryAnsweringService,
        QueryAdmissionService,
        ApprovalProcessingService,
        NatsConnectionService,
        { provide: ResultPublisher, useClass: NatsResultPublisher },
        HeartbeatPublisher,
        SiteQueryGate,
        SiteQueriesServer,
        SiteAgentLifecycle,
      ],
    };
  }
}
