import { z } from 'zod';

/** A code system + code pair; display and version never matter for matching. */
export const MappedCode = z.strictObject({ system: z.string().min(1), code: z.string().min(1) });
export type MappedCode = z.infer<typeof MappedCode>;

/** Where a criterion's term code sits: directly on the resource and/or on a referenced resource. */
export const CodeSource = z
  .strictObject({
    /** FHIRPath to Coding(s) on the resource itself. */
    path: z.string().min(1).optional(),
    /** Codes on a referenced resource, e.g. Medication.code behind MedicationAdministration.medication. */
    via: z
      .strictObject({
        reference: z.string().min(1),
        resourceType: z.string().min(1),
        path: z.string().min(1),
      })
      .optional(),
  })
  .refine((source) => source.path !== undefined || source.via !== undefined, {
    message: 'a code source needs a path, a via reference, or both',
  });
export type CodeSource = z.infer<typeof CodeSource>;

/**
 * How a value is read: `concept` = Coding(s) matched on system + code, `code` = bare code strings matched on
 * the code only, `quantity` = a Quantity compared by value and UCUM unit, `age` = a birth date compared as age.
 */
export const ValueType = z.enum(['concept', 'code', 'quantity', 'age']);
export type ValueType = z.infer<typeof ValueType>;

export const ValueMapping = z.strictObject({ type: ValueType, path: z.string().min(1) });
export type ValueMapping = z.infer<typeof ValueMapping>;

export const ValueAttributeMapping = z.strictObject({
  key: MappedCode,
  type: z.enum(['concept', 'code', 'quantity']),
  path: z.string().min(1),
});

/** A reference attribute: `path` yields reference strings to a resource that must match nested criteria. */
export const ReferenceAttributeMapping = z.strictObject({
  key: MappedCode,
  type: z.literal('reference'),
  path: z.string().min(1),
  targetResourceType: z.string().min(1),
  /** The referenced resource must belong to the same patient (clinically correct; upstream FLARE does not check). */
  samePatient: z.boolean(),
});

export const AttributeMapping = z.discriminatedUnion('type', [ValueAttributeMapping, ReferenceAttributeMapping]);
export type AttributeMapping = z.infer<typeof AttributeMapping>;

/** How the patient of a resource is found. */
export const PatientLink = z.union([
  z.strictObject({ reference: z.string().min(1) }),
  z.strictObject({ self: z.literal(true) }),
]);
export type PatientLink = z.infer<typeof PatientLink>;

/** One context (and the term codes or code systems it covers) mapped onto a FHIR resource type. */
export const CriterionMapping = z
  .strictObject({
    name: z.string().optional(),
    context: MappedCode,
    termCodeSystems: z.array(z.string().min(1)).min(1).optional(),
    termCodes: z.array(MappedCode).min(1).optional(),
    resourceType: z.string().min(1),
    patient: PatientLink,
    /** Absent: the term code only selects this mapping (Patient gender/age, combined consent). */
    code: CodeSource.optional(),
    /** A term code that means "all of these codes on the code element" (combined consent). */
    codeConjunctions: z.record(z.string(), z.array(MappedCode).min(1)).optional(),
    /** FHIRPath to the clinical time: a date/dateTime/instant or a Period. */
    time: z.string().min(1).optional(),
    values: z.array(ValueMapping).optional(),
    attributes: z.array(AttributeMapping).optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.termCodeSystems === undefined && entry.termCodes === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a mapping entry needs termCodeSystems or termCodes' });
    }
    if (entry.codeConjunctions !== undefined && entry.code?.path === undefined) {
      ctx.addIssue({ code: 'custom', path: ['codeConjunctions'], message: 'codeConjunctions need code.path' });
    }
    if ('self' in entry.patient && entry.resourceType !== 'Patient') {
      ctx.addIssue({ code: 'custom', path: ['patient'], message: 'patient.self is only valid for Patient' });
    }
    const types = (entry.values ?? []).map((v) => (v.type === 'age' ? 'quantity' : v.type === 'code' ? 'concept' : v.type));
    if (new Set(types).size !== types.length) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'at most one concept-like and one quantity-like value' });
    }
  });
export type CriterionMapping = z.infer<typeof CriterionMapping>;

/** Built-in hierarchy rule for a code system, used when no concept tree covers it. */
export const HierarchyRule = z.enum(['icd-10', 'prefix']);
export type HierarchyRule = z.infer<typeof HierarchyRule>;

/** The whole declarative mapping a site evaluates with. */
export const EngineMapping = z.strictObject({
  name: z.string().min(1),
  /** Legacy or alternative system URLs → the URL used in the mapping and the index. */
  systemAliases: z.record(z.string(), z.string()),
  hierarchyRules: z.record(z.string(), HierarchyRule),
  criteria: z.array(CriterionMapping).min(1),
});
export type EngineMapping = z.infer<typeof EngineMapping>;
