import type { ServerResponse } from 'node:http';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res, UseInterceptors } from '@nestjs/common';
import type { SavedQuery, SavedQueryList, UpdateSavedQueryRequest } from '@fq/contracts';
import { JsonBodyInterceptor } from '../http/json-body.interceptor';
import type { Caller } from '../identity/caller';
import { CurrentCaller } from '../identity/current-caller.decorator';
import { SavedQueriesService } from './saved-queries.service';
import { CreateSavedQueryPipe, type SavedQueryDraft, UpdateSavedQueryPipe } from './saved-query-body.pipe';
import { SavedQueryIdPipe } from './saved-query-id.pipe';

/** The caller's saved queries; re-running one is submitting its `query` through `POST /api/v1/queries`. */
@Controller('api/v1/saved-queries')
@UseInterceptors(JsonBodyInterceptor)
export class SavedQueriesHttpController {
  constructor(private readonly savedQueries: SavedQueriesService) {}

  /** `POST /api/v1/saved-queries`: 201 with `Location` and the saved query. */
  @Post()
  @HttpCode(201)
  async create(
    @Body(CreateSavedQueryPipe) draft: SavedQueryDraft,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<SavedQuery> {
    const saved = await this.savedQueries.create(draft, caller);
    response.setHeader('Location', `/api/v1/saved-queries/${saved.id}`);
    return saved;
  }

  /** `GET /api/v1/saved-queries`: the caller's saved queries, most recently changed first. */
  @Get()
  list(@CurrentCaller() caller: Caller): Promise<SavedQueryList> {
    return this.savedQueries.list(caller);
  }

  /** `GET /api/v1/saved-queries/{id}`: one saved query with its CCDL. */
  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param('id', SavedQueryIdPipe) id: string): Promise<SavedQuery> {
    return this.savedQueries.get(id, caller);
  }

  /** `PATCH /api/v1/saved-queries/{id}`: rename, or change the comment. */
  @Patch(':id')
  update(
    @CurrentCaller() caller: Caller,
    @Param('id', SavedQueryIdPipe) id: string,
    @Body(UpdateSavedQueryPipe) changes: UpdateSavedQueryRequest,
  ): Promise<SavedQuery> {
    return this.savedQueries.update(id, changes, caller);
  }

  /** `DELETE /api/v1/saved-queries/{id}`: 204. */
  @Delete(':id')
  @HttpCode(204)
  async delete(@CurrentCaller() caller: Caller, @Param('id', SavedQueryIdPipe) id: string): Promise<void> {
    await this.savedQueries.delete(id, caller);
  }
}
