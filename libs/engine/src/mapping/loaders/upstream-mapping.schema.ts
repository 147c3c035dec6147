import { z } from 'zod';

// Shapes of the upstream files in fhir-ontology-generator's `mapping.zip` (MII-CONTEXTS.md §8). Unknown keys are
// dropped, as upstream readers ignore them; display and version never matter for matching.

/** An upstream termCode; only system and code are kept. */
export const UpstreamTermCode = z.object({ system: z.string().min(1), code: z.string().min(1) });
export type UpstreamTermCode = z.infer<typeof UpstreamTermCode>;

/** One code of a `mapping_tree.json` root; `children` may be omitted when empty (the writer drops empty lists). */
export const MappingTreeEntry = z.object({
  key: z.string().min(1),
  children: z.array(z.string().min(1)).optional(),
  parents: z.array(z.string().min(1)).optional(),
});

/** One "module root" of `mapping_tree.json`: the hierarchy of one code system within one context. */
export const MappingTreeRoot = z.object({
  context: UpstreamTermCode,
  system: z.string().min(1),
  version: z.string().optional(),
  entries: z.array(MappingTreeEntry),
});

export const MappingTreeFile = z.array(MappingTreeRoot);
export type MappingTreeFile = z.infer<typeof MappingTreeFile>;

/** How FLARE renders a value or attribute filter (`FilterMappingType`). */
export const UpstreamFilterType = z.enum([
  'code',
  'concept',
  'quantity',
  'Age',
  'reference',
  'composite-quantity',
  'composite-concept',
]);
export type UpstreamFilterType = z.infer<typeof UpstreamFilterType>;

const COMPOSITE_TYPES: ReadonlySet<string> = new Set(['composite-quantity', 'composite-concept']);

export const UpstreamAttributeSearchParameter = z
  .object({
    attributeKey: UpstreamTermCode,
    attributeType: UpstreamFilterType,
    attributeSearchParameter: z.string().min(1),
    compositeCode: UpstreamTermCode.optional(),
  })
  .superRefine((attribute, ctx) => {
    if (COMPOSITE_TYPES.has(attribute.attributeType) && attribute.compositeCode === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['compositeCode'],
        message: `required for attributeType ${attribute.attributeType}`,
      });
    }
  });
export type UpstreamAttributeSearchParameter = z.infer<typeof UpstreamAttributeSearchParameter>;

/** An always-applied filter (FLARE `FixedCriterion`); entries are ANDed, the values of one entry ORed. */
export const UpstreamFixedCriterion = z.object({
  type: z.enum([
    'code',
    'coding',
    'composite-concept',
    'composite-concept-comparator',
    'composite-quantity-comparator',
    'composite-quantity-range',
  ]),
  searchParameter: z.string().min(1),
  value: z.array(UpstreamTermCode).min(1),
  compositeCode: UpstreamTermCode.optional(),
});
export type UpstreamFixedCriterion = z.infer<typeof UpstreamFixedCriterion>;

/** One entry of `mapping_fhir.json`: how FLARE searches one (context, term code). */
export const UpstreamFhirMappingEntry = z
  .object({
    name: z.string().optional(),
    context: UpstreamTermCode,
    key: UpstreamTermCode,
    fhirResourceType: z.string().min(1),
    termCodeSearchParameter: z.string().min(1).optional(),
    valueSearchParameter: z.string().min(1).optional(),
    valueType: UpstreamFilterType.optional(),
    timeRestrictionParameter: z.string().min(1).optional(),
    attributeSearchParameters: z.array(UpstreamAttributeSearchParameter).optional(),
    fixedCriteria: z.array(UpstreamFixedCriterion).optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.valueType !== undefined && entry.valueSearchParameter === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['valueSearchParameter'],
        message: 'valueType is set but valueSearchParameter is missing',
      });
    }
  });
export type UpstreamFhirMappingEntry = z.infer<typeof UpstreamFhirMappingEntry>;

export const FhirMappingFile = z.array(UpstreamFhirMappingEntry);
export type FhirMappingFile = z.infer<typeof FhirMappingFile>;
