import { z } from 'zod';
import { Comparator } from './ccdl.schema';

// The canonical form holds only what changes a query's answer, so every object is strict: an extra key is a bug.

/** A term code reduced to its identity. */
export const CanonicalTermCode = z.strictObject({ system: z.string(), code: z.string().min(1) });
export type CanonicalTermCode = z.infer<typeof CanonicalTermCode>;

/** A unit reduced to the UCUM code that gets compared. */
export const CanonicalUnit = z.strictObject({ code: z.string() });
export type CanonicalUnit = z.infer<typeof CanonicalUnit>;

export const CanonicalTimeRestriction = z.strictObject({
  afterDate: z.iso.date().optional(),
  beforeDate: z.iso.date().optional(),
});
export type CanonicalTimeRestriction = z.infer<typeof CanonicalTimeRestriction>;

const conceptFields = {
  type: z.literal('concept'),
  selectedConcepts: z.array(CanonicalTermCode).min(1),
};
const quantityComparatorFields = {
  type: z.literal('quantity-comparator'),
  comparator: Comparator,
  value: z.number(),
  unit: CanonicalUnit.optional(),
};
const quantityRangeFields = {
  type: z.literal('quantity-range'),
  minValue: z.number(),
  maxValue: z.number(),
  unit: CanonicalUnit.optional(),
};

export const CanonicalValueFilter = z.discriminatedUnion('type', [
  z.strictObject(conceptFields),
  z.strictObject(quantityComparatorFields),
  z.strictObject(quantityRangeFields),
]);
export type CanonicalValueFilter = z.infer<typeof CanonicalValueFilter>;

export const CanonicalPlainAttributeFilter = z.discriminatedUnion('type', [
  z.strictObject({ attributeCode: CanonicalTermCode, ...conceptFields }),
  z.strictObject({ attributeCode: CanonicalTermCode, ...quantityComparatorFields }),
  z.strictObject({ attributeCode: CanonicalTermCode, ...quantityRangeFields }),
]);
export type CanonicalPlainAttributeFilter = z.infer<typeof CanonicalPlainAttributeFilter>;

const canonicalCriterionFields = {
  context: CanonicalTermCode.optional(),
  termCodes: z.array(CanonicalTermCode).min(1),
  valueFilter: CanonicalValueFilter.optional(),
  timeRestriction: CanonicalTimeRestriction.optional(),
};

export const CanonicalReferencedCriterion = z.strictObject({
  ...canonicalCriterionFields,
  attributeFilters: z.array(CanonicalPlainAttributeFilter).min(1).optional(),
});
export type CanonicalReferencedCriterion = z.infer<typeof CanonicalReferencedCriterion>;

export const CanonicalReferenceAttributeFilter = z.strictObject({
  type: z.literal('reference'),
  attributeCode: CanonicalTermCode,
  criteria: z.array(CanonicalReferencedCriterion).min(1),
});
export type CanonicalReferenceAttributeFilter = z.infer<typeof CanonicalReferenceAttributeFilter>;

export const CanonicalAttributeFilter = z.discriminatedUnion('type', [
  ...CanonicalPlainAttributeFilter.options,
  CanonicalReferenceAttributeFilter,
]);
export type CanonicalAttributeFilter = z.infer<typeof CanonicalAttributeFilter>;

export const CanonicalCriterion = z.strictObject({
  ...canonicalCriterionFields,
  // An empty list filters nothing, so the canonical form omits it.
  attributeFilters: z.array(CanonicalAttributeFilter).min(1).optional(),
});
export type CanonicalCriterion = z.infer<typeof CanonicalCriterion>;

/** What a query asks, with arrays sorted and de-duplicated; `hashQuery` hashes its serialisation. */
export const CanonicalQuery = z.strictObject({
  inclusionCriteria: z.array(z.array(CanonicalCriterion).min(1)).min(1),
  exclusionCriteria: z.array(z.array(CanonicalCriterion).min(1)).min(1).optional(),
});
export type CanonicalQuery = z.infer<typeof CanonicalQuery>;
