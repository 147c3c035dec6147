import { type DynamicModule, Logger, Module, type Provider } from '@nestjs/common';
import { ApprovalStore } from './approvals/approval.store';
import { AuditLogWriter } from './audit/audit-log.writer';
import { BudgetLedgerStore } from './budget/budget-ledger.store';
import { Clock, SystemClock } from './clock';
import { SITE_AGENT_CONFIG } from './config/config.loader';
import type { SiteAgentConfig } from './config/config.schema';
import { RateLimiter } from './policy/rate-limiter';
import { SitePolicyService } from './policy/site-policy.service';
import { CountProtectionService } from './protection/count-protection.service';
import { PatientNumbersStore, patientNumbersWarnings } from './protection/patient-numbers.store';
import { loadOrCreateSiteSecret } from './protection/site-secret.store';
import { ProcessedQueryStore } from './queries/processed-query.store';
import { QueryHandler } from './queries/query.handler';
import { ResultPublisher } from './queries/result.publisher';
import { SiteAgentRunner, SiteAgentStartError } from './site-agent.runner';
import { prepareStateDir, STATE_DIR_PREPARED } from './state/state-dir';
import { SiteDataLoader, type SiteDataSource } from './site-data/site-data.loader';
import { SiteDataService } from './site-data/site-data.service';
import { HeartbeatPublisher } from './transport/heartbeat.publisher';
import { NatsConnectionService } from './transport/nats-connection.service';
import { NatsResultPublisher } from './transport/result.publisher';
import { type BindRetryOptions, DEFAULT_BIND_RETRY, SiteQueriesConsumer } from './transport/site-queries.consumer';

/** What tests (and only tests) replace: the clock, the data source and the consumer bind back-off. */
export interface SiteAgentOverrides {
  clock?: Clock;
  dataSource?: SiteDataSource;
  bindRetry?: BindRetryOptions;
}

/** Wires the site agent from a parsed configuration; every service is built by a factory from plain classes. */
@Module({})
export class SiteAgentModule {
  static forRoot(config: SiteAgentConfig, overrides: SiteAgentOverrides = {}): DynamicModule {
    const providers: Provider[] = [
      { provide: SITE_AGENT_CONFIG, useValue: config },
      { provide: Clock, useValue: overrides.clock ?? new SystemClock() },
      { provide: STATE_DIR_PREPARED, useFactory: () => prepareStateDir(config.stateDir) },
      { provide: AuditLogWriter, useFactory: () => AuditLogWriter.open(config.auditLogFile) },
      { provide: ProcessedQueryStore, useFactory: () => ProcessedQueryStore.open(config.stateDir) },
      {
        provide: BudgetLedgerStore,
        inject: [Clock],
        useFactory: (clock: Clock) => BudgetLedgerStore.open(config.stateDir, config.privacyBudget, clock.now()),
      },
      { provide: ApprovalStore, useFactory: () => new ApprovalStore(config.stateDir) },
      {
        provide: CountProtectionService,
        useFactory: async () => {
          const secret = await loadOrCreateSiteSecret(config.stateDir);
          if (!secret.ok) {
            throw new SiteAgentStartError(secret.error.code, secret.error.message, { cause: secret.error });
          }
          const logger = new Logger('CountProtection');
          if (secret.value.created) {
            logger.log({ message: 'created a new site secret', file: secret.value.file });
          }
          const numbers = await PatientNumbersStore.open(config.stateDir, secret.value.secret);
          if (!numbers.ok) {
            throw new SiteAgentStartError(numbers.error.code, numbers.error.message, { cause: numbers.error });
          }
          for (const warning of patientNumbersWarnings(numbers.value)) {
            logger.warn({ message: warning, file: numbers.value.store.file });
          }
          return new CountProtectionService(secret.value.secret, config.protection, numbers.value.store);
        },
      },
      { provide: SitePolicyService, useFactory: () => new SitePolicyService(config.policy) },
      {
        provide: RateLimiter,
        inject: [Clock, ProcessedQueryStore],
        useFactory: (clock: Clock, processed: ProcessedQueryStore) => {
          const intervalMs = config.policy.rateIntervalSeconds * 1000;
          const since = new Date(clock.now().getTime() - intervalMs);
          return new RateLimiter(config.policy.rateLimit, intervalMs, processed.answeredSince(since));
        },
      },
      {
        provide: SiteDataService,
        inject: [Clock, CountProtectionService],
        useFactory: (clock: Clock, protection: CountProtectionService) =>
          new SiteDataService(overrides.dataSource ?? new SiteDataLoader(config, protection), clock),
      },
      { provide: NatsConnectionService, useFactory: () => new NatsConnectionService(config, new Logger('Nats')) },
      {
        provide: ResultPublisher,
        inject: [NatsConnectionService],
        useFactory: (nats: NatsConnectionService) => new NatsResultPublisher(nats),
      },
      {
        provide: HeartbeatPublisher,
        inject: [Clock, SiteDataService, NatsConnectionService],
        useFactory: (clock: Clock, siteData: SiteDataService, nats: NatsConnectionService) =>
          new HeartbeatPublisher(config, clock, siteData, nats, new Logger('Heartbeat')),
      },
      {
        provide: QueryHandler,
        inject: [
          Clock,
          SiteDataService,
          SitePolicyService,
          RateLimiter,
          ApprovalStore,
          ProcessedQueryStore,
          AuditLogWriter,
          CountProtectionService,
          BudgetLedgerStore,
          ResultPublisher,
        ],
        useFactory: (
          clock: Clock,
          siteData: SiteDataService,
          policy: SitePolicyService,
          rateLimiter: RateLimiter,
          approvals: ApprovalStore,
          processed: ProcessedQueryStore,
          audit: AuditLogWriter,
          protection: CountProtectionService,
          budget: BudgetLedgerStore,
          publisher: ResultPublisher,
        ) =>
          new QueryHandler({
            config,
            clock,
            siteData,
            policy,
            rateLimiter,
            approvals,
            processed,
            audit,
            protection,
            budget,
            publisher,
            signer: config.security.signer,
            logger: new Logger('Queries'),
          }),
      },
      {
        provide: SiteQueriesConsumer,
        inject: [NatsConnectionService, QueryHandler],
        useFactory: (nats: NatsConnectionService, handler: QueryHandler) =>
          new SiteQueriesConsumer(
            config,
            nats,
            handler,
            new Logger('Consumer'),
            overrides.bindRetry ?? DEFAULT_BIND_RETRY,
          ),
      },
      {
        provide: SiteAgentRunner,
        inject: [
          SiteDataService,
          NatsConnectionService,
          SiteQueriesConsumer,
          HeartbeatPublisher,
          QueryHandler,
          AuditLogWriter,
          ProcessedQueryStore,
          BudgetLedgerStore,
        ],
        useFactory: (
          siteData: SiteDataService,
          nats: NatsConnectionService,
          consumer: SiteQueriesConsumer,
          heartbeat: HeartbeatPublisher,
          handler: QueryHandler,
          audit: AuditLogWriter,
          processed: ProcessedQueryStore,
          budget: BudgetLedgerStore,
        ) =>
          new SiteAgentRunner({
            config,
            siteData,
            nats,
            consumer,
            heartbeat,
            handler,
            audit,
            processed,
            budget,
            logger: new Logger('SiteAgent'),
          }),
      },
    ];
    return { module: SiteAgentModule, providers, exports: [SiteAgentRunner] };
  }
}
