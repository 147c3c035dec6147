import { Module } from '@nestjs/common';
import { SubmitQueryPipe } from '../queries/submit-query.pipe';
import { SavedQueriesHttpController } from './saved-queries.http.controller';
import { SavedQueriesRepository } from './saved-queries.repository';
import { SavedQueriesService } from './saved-queries.service';
import { CreateSavedQueryPipe } from './saved-query-body.pipe';

/** Saved queries per user in the broker's database, and their HTTP API. BrokerModule imports the core module into it. */
@Module({
  controllers: [SavedQueriesHttpController],
  providers: [SavedQueriesRepository, SavedQueriesService, CreateSavedQueryPipe, SubmitQueryPipe],
})
export class SavedQueriesModule {}
