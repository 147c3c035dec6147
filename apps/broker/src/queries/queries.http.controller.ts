import type { ServerResponse } from 'node:http';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  type MessageEvent,
  Param,
  Post,
  Query,
  Res,
  Sse,
  UseInterceptors,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { QueryListParams, type QueryList, type QueryResult, type SubmitQueryResponse } from '@fq/contracts';
import { JsonBodyInterceptor } from '../http/json-body.interceptor';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import type { Caller } from '../identity/caller';
import { CurrentCaller } from '../identity/current-caller.decorator';
import { TermCodeCatalogService } from '../terminology/term-code-catalog.service';
import { QueriesService } from './queries.service';
import { parseLastEventId, QueryEventStream } from './query-events.sse';
import { QueryHistoryService } from './query-history.service';
import { QueryIdPipe } from './query-id.pipe';
import { SubmitQueryPipe, type SubmittedQuery } from './submit-query.pipe';

const QUERY_LIST_PARAMS = new ZodValidationPipe(QueryListParams, 'the query parameters are invalid');

/** The researcher's query API: submit, list, read and watch queries. */
@Controller('api/v1/queries')
@UseInterceptors(JsonBodyInterceptor)
export class QueriesHttpController {
  constructor(
    private readonly queries: QueriesService,
    private readonly eventStream: QueryEventStream,
    private readonly history: QueryHistoryService,
    private readonly termCodes: TermCodeCatalogService,
  ) {}

  /** `POST /api/v1/queries`: 201 with `Location` and `{ id, warnings }`, or 400 problem+json listing every issue. */
  @Post()
  @HttpCode(201)
  async submit(
    @Body(SubmitQueryPipe) submitted: SubmittedQuery,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<SubmitQueryResponse> {
    const id = await this.queries.submit(submitted, caller);
    response.setHeader('Location', `/api/v1/queries/${id}`);
    // A term code the catalog does not know is accepted (a site may know it) but named, as it may be a typo.
    return {
      id,
      warnings: [...submitted.warnings, ...this.termCodes.unknownTermCodes(submitted.query, submitted.root)],
    };
  }

  /**
   * `GET /api/v1/queries?limit=&cursor=&status=&since=`: the caller's queries, newest first; an admin's `all=true`
   * (with `user=`) lists every user's queries with their submitter.
   */
  @Get()
  list(@CurrentCaller() caller: Caller, @Query(QUERY_LIST_PARAMS) params: QueryListParams): Promise<QueryList> {
    return this.history.list(params, caller);
  }

  /** `GET /api/v1/queries/{id}`: status, total and per-site results under the display thresholds. */
  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param('id', QueryIdPipe) id: string): Promise<QueryResult> {
    return this.queries.get(id, caller);
  }

  /** `GET /api/v1/queries/{id}/events`: `site-result` per answer, then `completed` or `expired`, then the end. */
  @Sse(':id/events')
  async events(
    @CurrentCaller() caller: Caller,
    @Param('id', QueryIdPipe) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
  ): Promise<Observable<MessageEvent>> {
    const query = await this.queries.findVisible(id, caller);
    return this.eventStream.open(query, caller, parseLastEventId(lastEventId));
  }
}
