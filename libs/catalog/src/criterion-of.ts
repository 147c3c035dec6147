import type { Criterion } from '@fq/ccdl';
import type { CatalogTermCode } from '@fq/contracts';
import type { CatalogEntry } from './catalog.schema';

const plain = (code: CatalogTermCode): CatalogTermCode => ({
  system: code.system,
  code: code.code,
  ...(code.version === undefined ? {} : { version: code.version }),
  display: code.display,
});

/**
 * The CCDL criterion that selects an entry with no filter: its context and term code. A front end adds the filters
 * the entry's `filters` allow (a value filter, attribute filters, a time restriction) before it submits.
 */
export function criterionOf(entry: Pick<CatalogEntry, 'context' | 'termCode'>): Criterion {
  return { context: plain(entry.context), termCodes: [plain(entry.termCode)] };
}
