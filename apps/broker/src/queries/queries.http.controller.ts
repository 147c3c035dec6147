import type { ServerResponse } from 'node:http';
import {
  Controller,
  Get,
  Headers,
  HttpCode,
  type MessageEvent,
  Param,
  Post,
  Query,
  Req,
  Res,
  Sse,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { QueryList, QueryResult, SubmitQueryResponse } from '@fq/contracts';
import type { JsonRequest } from '../http/json-body.interceptor';
import { IdentityService } from '../identity/identity.service';
import { parseLastEventId, QueriesService } from './queries.service';

/** The researcher's query API: submit, list, read and watch queries. */
@Controller('api/v1/queries')
export class QueriesHttpController {
  constructor(
    private readonly queries: QueriesService,
    private readonly identity: IdentityService,
  ) {}

  /** `POST /api/v1/queries`: 201 with `Location` and `{ id }`, or 400 problem+json listing every issue. */
  @Post()
  @HttpCode(201)
  async submit(
    @Req() request: JsonRequest,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<SubmitQueryResponse> {
    const id = await this.queries.submit(request.body, this.identity.identify(request));
    response.setHeader('Location', `/api/v1/queries/${id}`);
    return { id };
  }

  /** `GET /api/v1/queries?limit=&offset=`: the caller's queries, newest first. */
  @Get()
  list(@Req() request: JsonRequest, @Query() params: unknown): Promise<QueryList> {
    return this.queries.list(params, this.identity.identify(request));
  }

  /** `GET /api/v1/queries/{id}`: status, total and per-site results under the display thresholds. */
  @Get(':id')
  get(@Req() request: JsonRequest, @Param('id') id: string): Promise<QueryResult> {
    return this.queries.get(id, this.identity.identify(request));
  }

  /** `GET /api/v1/queries/{id}/events`: `site-result` per answer, then `completed` or `expired`, then the end. */
  @Sse(':id/events')
  events(
    @Req() request: JsonRequest,
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
  ): Promise<Observable<MessageEvent>> {
    return this.queries.events(id, this.identity.identify(request), parseLastEventId(lastEventId));
  }
}
