import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import type { CriteriaCatalog } from '@fq/catalog';
import {
  CatalogEntryId,
  type TerminologyEntry,
  TerminologySearchParams,
  type TerminologySearchResponse,
} from '@fq/contracts';
import { BrokerError } from '../broker.errors';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { CRITERIA_CATALOG } from './criteria-catalog.provider';

const SEARCH_PARAMS = new ZodValidationPipe(TerminologySearchParams, 'the search parameters are invalid');
const ENTRY_ID = new ZodValidationPipe(CatalogEntryId, 'the entry id is malformed');

/** The criteria catalog for researchers (authenticated like every researcher route): search it, read an entry. */
@Controller('api/v1/terminology')
export class TerminologyHttpController {
  constructor(@Inject(CRITERIA_CATALOG) private readonly catalog: CriteriaCatalog) {}

  /** `GET /api/v1/terminology/search?q=&context=&limit=`: the best matches first and how many there are. */
  @Get('search')
  search(@Query(SEARCH_PARAMS) params: TerminologySearchParams): TerminologySearchResponse {
    return this.catalog.search(params);
  }

  /** `GET /api/v1/terminology/entries/{id}`: the entry with its parents, children and filters; 404 if unknown. */
  @Get('entries/:id')
  entry(@Param('id', ENTRY_ID) id: CatalogEntryId): TerminologyEntry {
    const entry = this.catalog.entry(id);
    if (entry === undefined) {
      throw new BrokerError('BROKER_TERMINOLOGY_ENTRY_NOT_FOUND', `the criteria catalog has no entry ${id}`);
    }
    return entry;
  }
}
