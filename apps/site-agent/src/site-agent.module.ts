import { type DynamicModule, Module } from '@nestjs/common';
import { ApprovalProcessingService } from './approvals/approval-processing.service';
import { CLOCK, type Clock, systemClock } from './clock';
import { SITE_AGENT_CONFIG } from './config/config.loader';
import type { SiteAgentConfig } from './config/config.schema';
import { SitePolicyService } from './policy/site-policy.service';
import { QueryAdmissionService } from './queries/query-admission.service';
import { QueryAnsweringService } from './queries/query-answering.service';
import { QueryOutcomeService } from './queries/query-outcome.service';
import { ResultPublisher } from './queries/result.publisher';
import { SiteAgentRunner } from './site-agent.runner';
import { SITE_DATA_SOURCE, SiteDataLoader, type SiteDataSource } from './site-data/site-data.loader';
import { SiteDataService } from './site-data/site-data.service';
import { SITE_STATE_PROVIDERS } from './state/site-state.providers';
import { HeartbeatPublisher } from './transport/heartbeat.publisher';
import { NatsConnectionService } from './transport/nats-connection.service';
import { NatsResultPublisher } from './transport/result.publisher';
import {
  BIND_RETRY,
  type BindRetryOptions,
  DEFAULT_BIND_RETRY,
  SiteQueriesConsumer,
} from './transport/site-queries.consumer';
import { SiteQueryGate } from './transport/site-query.gate';

/** What tests (and only tests) replace: the clock, the data source and the consumer bind back-off. */
export interface SiteAgentOverrides {
  clock?: Clock;
  dataSource?: SiteDataSource;
  bindRetry?: BindRetryOptions;
}

/** The site agent for one configuration: state, data, the query path and the transport. */
@Module({})
export class SiteAgentModule {
  static forRoot(config: SiteAgentConfig, overrides: SiteAgentOverrides = {}): DynamicModule {
    return {
      module: SiteAgentModule,
      providers: [
        { provide: SITE_AGENT_CONFIG, useValue: config },
        { provide: CLOCK, useValue: overrides.clock ?? systemClock },
        { provide: BIND_RETRY, useValue: overrides.bindRetry ?? DEFAULT_BIND_RETRY },
        overrides.dataSource === undefined
          ? { provide: SITE_DATA_SOURCE, useClass: SiteDataLoader }
          : { provide: SITE_DATA_SOURCE, useValue: overrides.dataSource },
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
        SiteQueriesConsumer,
        SiteAgentRunner,
      ],
      exports: [SiteAgentRunner],
    };
  }
}
