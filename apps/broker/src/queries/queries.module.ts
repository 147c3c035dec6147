import { Module } from '@nestjs/common';
import { BrokerSecretsRepository } from '../persistence/broker-secrets.repository';
import { QueriesService } from './queries.service';
import { QueriesHttpController } from './queries.http.controller';
import { QueryDeadlinesService } from './query-deadlines.service';
import { QueryDispatchService } from './query-dispatch.service';
import { QueryEventsBus } from './query-events.bus';
import { QueryEventStream } from './query-events.sse';
import { QueryHistoryService } from './query-history.service';
import { QueryResultsService } from './query-results.service';
import { SiteResultsNatsController } from './site-results.nats.controller';
import { generateRequesterKey, REQUESTER_KEY, REQUESTER_KEY_NAME } from './requester-pseudonym';

/**
 * Submission, dispatch, result collection, deadlines, aggregation and the query HTTP API. BrokerModule imports the core,
 * persistence, quotas, sites and terminology modules into it.
 */
@Module({
  controllers: [QueriesHttpController, SiteResultsNatsController],
  providers: [
    QueriesService,
    QueryDeadlinesService,
    QueryDispatchService,
    QueryEventsBus,
    QueryEventStream,
    QueryHistoryService,
    QueryResultsService,
    {
      provide: REQUESTER_KEY,
      useFactory: (secrets: BrokerSecretsRepository) => secrets.getOrCreate(REQUESTER_KEY_NAME, generateRequesterKey),
      inject: [BrokerSecretsRepository],
    },
  ],
  exports: [QueryDeadlinesService, QueryDispatchService, QueryEventsBus, QueryResultsService],
})
export class QueriesModule {}
