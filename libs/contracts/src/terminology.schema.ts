import { Criterion } from '@fq/ccdl';
import { z } from 'zod';

// Bodies of the broker's criteria catalog (`/api/v1/terminology/...`): what a researcher can search for and which
// filters a criterion on each entry supports. The catalog file the broker loads uses the same filter shapes.

/** Longest search text accepted by `GET /api/v1/terminology/search`. */
export const MAX_TERMINOLOGY_QUERY_LENGTH = 100;
/** Results a search returns unless `limit` says otherwise, and the most it may ask for. */
export const DEFAULT_TERMINOLOGY_LIMIT = 20;
export const MAX_TERMINOLOGY_LIMIT = 100;

/** A catalog entry's id: letters, digits and `.-_:` (upstream ontology ids are UUIDs; ours are derived the same way). */
export const CatalogEntryId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . - _ : only');
export type CatalogEntryId = z.infer<typeof CatalogEntryId>;

/** A coded concept as the catalog states it: always with a display for humans. */
export const CatalogTermCode = z.strictObject({
  system: z.string().min(1),
  code: z.string().min(1),
  version: z.string().min(1).optional(),
  display: z.string().min(1),
});
export type CatalogTermCode = z.infer<typeof CatalogTermCode>;

/** A UCUM unit a quantity filter accepts. */
export const CatalogUnit = z.strictObject({ code: z.string().min(1), display: z.string().min(1) });
export type CatalogUnit = z.infer<typeof CatalogUnit>;

/** A filter on coded values: the concepts a criterion may select (`selectedConcepts` of a CCDL concept filter). */
export const ConceptFilterDefinition = z.strictObject({
  type: z.literal('concept'),
  allowedConcepts: z.array(CatalogTermCode).min(1),
  /** A criterion may leave this filter out. */
  optional: z.boolean(),
});
export type ConceptFilterDefinition = z.infer<typeof ConceptFilterDefinition>;

/** A filter on a quantity: comparator or range, in one of the allowed units (none listed: unitless). */
export const QuantityFilterDefinition = z.strictObject({
  type: z.literal('quantity'),
  allowedUnits: z.array(CatalogUnit),
  /** Decimal places a value is given with. */
  precision: z.number().int().min(0).max(10).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  optional: z.boolean(),
});
export type QuantityFilterDefinition = z.infer<typeof QuantityFilterDefinition>;

/** What a criterion's `valueFilter` may be. */
export const ValueFilterDefinition = z.discriminatedUnion('type', [ConceptFilterDefinition, QuantityFilterDefinition]);
export type ValueFilterDefinition = z.infer<typeof ValueFilterDefinition>;

/** A reference attribute: the element points to another resource that must match a criterion of these contexts. */
export const ReferenceFilterDefinition = z.strictObject({
  type: z.literal('reference'),
  /** The contexts whose entries may be the target (e.g. Diagnose for a specimen's diagnosis). */
  targetContexts: z.array(CatalogTermCode).min(1),
  optional: z.boolean(),
});
export type ReferenceFilterDefinition = z.infer<typeof ReferenceFilterDefinition>;

/** One attribute filter a criterion may carry, named by its `attributeCode`. */
export const AttributeFilterDefinition = z.discriminatedUnion('type', [
  ConceptFilterDefinition.extend({ attributeCode: CatalogTermCode }),
  QuantityFilterDefinition.extend({ attributeCode: CatalogTermCode }),
  ReferenceFilterDefinition.extend({ attributeCode: CatalogTermCode }),
]);
export type AttributeFilterDefinition = z.infer<typeof AttributeFilterDefinition>;

/** The filters a criterion on an entry supports. */
export const CriterionFilters = z.strictObject({
  valueFilter: ValueFilterDefinition.nullable(),
  attributeFilters: z.array(AttributeFilterDefinition),
  timeRestrictionAllowed: z.boolean(),
});
export type CriterionFilters = z.infer<typeof CriterionFilters>;

/** An entry as a search result lists it, or as a parent or child of another. */
export const TerminologyEntrySummary = z.strictObject({
  id: CatalogEntryId,
  termCode: CatalogTermCode,
  /** The MII context (Diagnose, Laboruntersuchung, Medikamentenverabreichung, …); a CCDL criterion carries it. */
  context: CatalogTermCode,
  /** A criterion may use this entry (a grouping node such as an ICD chapter may not). */
  selectable: z.boolean(),
  /** It has children to browse. */
  hasChildren: z.boolean(),
});
export type TerminologyEntrySummary = z.infer<typeof TerminologyEntrySummary>;

/** Query parameters of `GET /api/v1/terminology/search`. */
export const TerminologySearchParams = z.strictObject({
  q: z.string().trim().min(1).max(MAX_TERMINOLOGY_QUERY_LENGTH),
  /** A context code (e.g. `Diagnose`): only entries of that context. */
  context: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_TERMINOLOGY_LIMIT).default(DEFAULT_TERMINOLOGY_LIMIT),
});
export type TerminologySearchParams = z.infer<typeof TerminologySearchParams>;
export type TerminologySearchParamsInput = z.input<typeof TerminologySearchParams>;

/** `GET /api/v1/terminology/search`: the best matches first (exact code, then display words starting with the text). */
export const TerminologySearchResponse = z.strictObject({
  results: z.array(TerminologyEntrySummary),
  /** Matches in all, of which `results` holds the first `limit`. */
  total: z.number().int().min(0),
});
export type TerminologySearchResponse = z.infer<typeof TerminologySearchResponse>;

/**
 * `GET /api/v1/terminology/entries/{id}`: an entry with its neighbours and the filters a criterion on it supports;
 * `criterion` is the CCDL criterion that selects it with no filter, to which a front end adds the chosen filters.
 */
export const TerminologyEntry = z.strictObject({
  ...TerminologyEntrySummary.shape,
  parents: z.array(TerminologyEntrySummary),
  children: z.array(TerminologyEntrySummary),
  filters: CriterionFilters,
  criterion: Criterion,
});
export type TerminologyEntry = z.infer<typeof TerminologyEntry>;
