import { z } from 'zod';

/** A coded concept; `system` + `code` identify it, `version` and `display` are informative. */
export const TermCode = z.looseObject({
  system: z.string(),
  code: z.string().min(1),
  version: z.string().optional(),
  display: z.string().optional(),
});
export type TermCode = z.infer<typeof TermCode>;

export const Comparator = z.enum(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);
export type Comparator = z.infer<typeof Comparator>;

/** A UCUM unit; `code` is what gets compared. */
export const Unit = z.looseObject({
  code: z.string(),
  display: z.string().optional(),
});
export type Unit = z.infer<typeof Unit>;

const IsoDate = z.iso.date();

/** Inclusive date interval; at least one side, `beforeDate` not before `afterDate`. */
export const TimeRestriction = z
  .looseObject({
    afterDate: IsoDate.optional(),
    beforeDate: IsoDate.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.afterDate === undefined && value.beforeDate === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'a time restriction needs afterDate, beforeDate or both',
        params: { code: 'CCDL_TIME_RANGE_EMPTY' },
      });
    }
    if (value.afterDate !== undefined && value.beforeDate !== undefined && value.beforeDate < value.afterDate) {
      ctx.addIssue({
        code: 'custom',
        path: ['beforeDate'],
        message: `beforeDate ${value.beforeDate} is before afterDate ${value.afterDate}`,
        params: { code: 'CCDL_TIME_RANGE_INVERTED' },
      });
    }
  });
export type TimeRestriction = z.infer<typeof TimeRestriction>;

const ConceptFilterFields = {
  type: z.literal('concept'),
  selectedConcepts: z.array(TermCode).min(1),
};
const QuantityComparatorFields = {
  type: z.literal('quantity-comparator'),
  comparator: Comparator,
  value: z.number(),
  unit: Unit.optional(),
};
const QuantityRangeFields = {
  type: z.literal('quantity-range'),
  minValue: z.number(),
  maxValue: z.number(),
  unit: Unit.optional(),
};

/** Checks that a range filter's bounds are ordered. */
function refineRange(value: { minValue: number; maxValue: number }, ctx: z.RefinementCtx): void {
  if (value.maxValue < value.minValue) {
    ctx.addIssue({
      code: 'custom',
      path: ['maxValue'],
      message: `maxValue ${value.maxValue} is below minValue ${value.minValue}`,
      params: { code: 'CCDL_VALUE_RANGE_INVERTED' },
    });
  }
}

export const ConceptValueFilter = z.looseObject(ConceptFilterFields);
export const QuantityComparatorValueFilter = z.looseObject(QuantityComparatorFields);
export const QuantityRangeValueFilter = z.looseObject(QuantityRangeFields).superRefine(refineRange);

/** Filter on the criterion's own value (lab value, gender, age, vital status). */
export const ValueFilter = z.discriminatedUnion('type', [
  ConceptValueFilter,
  QuantityComparatorValueFilter,
  QuantityRangeValueFilter,
]);
export type ValueFilter = z.infer<typeof ValueFilter>;

export const ConceptAttributeFilter = z.looseObject({ attributeCode: TermCode, ...ConceptFilterFields });
export const QuantityComparatorAttributeFilter = z.looseObject({
  attributeCode: TermCode,
  ...QuantityComparatorFields,
});
export const QuantityRangeAttributeFilter = z
  .looseObject({ attributeCode: TermCode, ...QuantityRangeFields })
  .superRefine(refineRange);

/** An attribute filter that a referenced criterion may carry (no further reference). */
export const PlainAttributeFilter = z.discriminatedUnion('type', [
  ConceptAttributeFilter,
  QuantityComparatorAttributeFilter,
  QuantityRangeAttributeFilter,
]);
export type PlainAttributeFilter = z.infer<typeof PlainAttributeFilter>;

const criterionFields = {
  context: TermCode.optional(),
  termCodes: z.array(TermCode).min(1),
  valueFilter: ValueFilter.optional(),
  timeRestriction: TimeRestriction.optional(),
};

/** A criterion nested inside a reference attribute filter. */
export const ReferencedCriterion = z.looseObject({
  ...criterionFields,
  attributeFilters: z.array(PlainAttributeFilter).optional(),
});
export type ReferencedCriterion = z.infer<typeof ReferencedCriterion>;

/** The element points to a resource that must satisfy one of `criteria`. */
export const ReferenceAttributeFilter = z.looseObject({
  type: z.literal('reference'),
  attributeCode: TermCode,
  criteria: z.array(ReferencedCriterion).min(1),
});
export type ReferenceAttributeFilter = z.infer<typeof ReferenceAttributeFilter>;

export const AttributeFilter = z.discriminatedUnion('type', [
  ConceptAttributeFilter,
  QuantityComparatorAttributeFilter,
  QuantityRangeAttributeFilter,
  ReferenceAttributeFilter,
]);
export type AttributeFilter = z.infer<typeof AttributeFilter>;

/** "The patient has at least one resource that matches": all filters hold on that one resource. */
export const Criterion = z.looseObject({
  ...criterionFields,
  attributeFilters: z.array(AttributeFilter).optional(),
});
export type Criterion = z.infer<typeof Criterion>;

/** Inclusion: AND of OR-groups. Exclusion: OR of AND-groups. */
export const StructuredQuery = z.looseObject({
  version: z.string().optional(),
  display: z.string().optional(),
  inclusionCriteria: z.array(z.array(Criterion).min(1)).min(1),
  exclusionCriteria: z.array(z.array(Criterion).min(1)).min(1).optional(),
});
export type StructuredQuery = z.infer<typeof StructuredQuery>;
