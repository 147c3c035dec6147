import { Inject, Injectable } from '@nestjs/common';
import type { StructuredQuery } from '@fq/ccdl';
import { type CriteriaCatalog, listUnknownTermCodes, type UnknownTermCodeWarning } from '@fq/catalog';
import { CRITERIA_CATALOG } from './criteria-catalog.provider';

/** What the broker's catalog knows about the term codes of a submitted query. */
@Injectable()
export class TermCodeCatalogService {
  constructor(@Inject(CRITERIA_CATALOG) private readonly catalog: CriteriaCatalog) {}

  /**
   * The query's term codes the catalog does not know, as `CCDL_UNKNOWN_TERM_CODE` warnings with their JSON paths.
   * @param root - where the query sits in the request body: `$`, or `$.cohortDefinition` in a CRTDL document
   */
  unknownTermCodes(query: StructuredQuery, root = '$'): UnknownTermCodeWarning[] {
    return listUnknownTermCodes(this.catalog, query, root);
  }
}
