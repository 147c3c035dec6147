import { CatalogEntryId, CatalogTermCode, CriterionFilters } from '@fq/contracts';
import { z } from 'zod';

/** The `format` marker of a catalog file, so a wrong file is named as such before its entries are read. */
export const CATALOG_FILE_FORMAT = 'fq-criteria-catalog';

/** One criterion a researcher can choose: a term code in a context, its place in the hierarchy and its filters. */
export const CatalogEntry = z.strictObject({
  id: CatalogEntryId,
  termCode: CatalogTermCode,
  context: CatalogTermCode,
  /** A criterion may use it; a grouping node (an ICD chapter) may not. */
  selectable: z.boolean(),
  parentIds: z.array(CatalogEntryId),
  childIds: z.array(CatalogEntryId),
  /** More words it is found by: another language's display, an abbreviation (HbA1c). */
  synonyms: z.array(z.string().min(1)).optional(),
  filters: CriterionFilters,
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

/** A catalog as the broker loads it (`BROKER_CATALOG_FILE`) and `broker catalog import` writes it. */
export const CatalogFile = z.strictObject({
  format: z.literal(CATALOG_FILE_FORMAT),
  formatVersion: z.literal(1),
  /** Where the entries came from, e.g. `built-in` or the imported release's folder name. */
  name: z.string().min(1),
  entries: z.array(CatalogEntry),
});
export type CatalogFile = z.infer<typeof CatalogFile>;
