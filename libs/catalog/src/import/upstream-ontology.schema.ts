import { z } from 'zod';

// Shapes of the fhir-ontology-generator's release files this import reads. Unknown keys are ignored, as upstream
// readers do; only what the catalog uses is required.

const Text = z.string().min(1);

/** An upstream term code; `display` may be missing in hierarchy-only files. */
export const OntologyTermCode = z.object({
  system: Text,
  code: Text,
  version: z.string().nullish(),
  display: z.string().nullish(),
});
export type OntologyTermCode = z.infer<typeof OntologyTermCode>;

/** One code of a criteria tree (or `mapping_tree.json`): its children and parents by code, within one system. */
export const OntologyTreeEntry = z.object({
  key: Text,
  children: z.array(Text).nullish(),
  parents: z.array(Text).nullish(),
});

/** A criteria tree: the hierarchy of one code system within one context. */
export const OntologyTree = z.object({
  context: OntologyTermCode,
  system: Text,
  version: z.string().nullish(),
  entries: z.array(OntologyTreeEntry),
});

/** A criteria tree file: a list of trees (one object is read as a list of one). */
export const OntologyTreeFile = z.preprocess(
  (json: unknown): unknown => (Array.isArray(json) ? json : [json]),
  z.array(OntologyTree),
);
export type OntologyTreeFile = z.infer<typeof OntologyTreeFile>;

/** One term code in one context, with its displays per language and the module it belongs to. */
export const TermCodeInfo = z.object({
  context: OntologyTermCode,
  term_code: OntologyTermCode,
  module: z.object({ code: z.string().nullish(), display: z.string().nullish() }).nullish(),
  designations: z.array(z.object({ language: z.string().nullish(), display: z.string().nullish() })).nullish(),
  children_count: z.number().nullish(),
});
export type TermCodeInfo = z.infer<typeof TermCodeInfo>;

export const TermCodeInfoFile = z.array(TermCodeInfo);

const ValueSetRef = z.union([z.string(), z.object({ url: z.string() }).transform((v) => v.url)]);

/** A value or attribute definition of a UI profile. */
export const OntologyValueDefinition = z.object({
  type: z.string(),
  attributeCode: OntologyTermCode.nullish(),
  referencedValueSet: z.union([ValueSetRef, z.array(ValueSetRef)]).nullish(),
  referencedCriteriaSet: z.union([ValueSetRef, z.array(ValueSetRef)]).nullish(),
  allowedUnits: z.array(z.object({ code: Text, display: z.string().nullish() })).nullish(),
  precision: z.number().int().min(0).max(10).nullish(),
  min: z.number().nullish(),
  max: z.number().nullish(),
  optional: z.boolean().nullish(),
});
export type OntologyValueDefinition = z.infer<typeof OntologyValueDefinition>;

/** A UI profile: the filters a criterion supports. */
export const UiProfile = z.object({
  name: Text,
  timeRestrictionAllowed: z.boolean().nullish(),
  valueDefinition: OntologyValueDefinition.nullish(),
  attributeDefinitions: z.array(OntologyValueDefinition).nullish(),
});
export type UiProfile = z.infer<typeof UiProfile>;

export const UiProfileFile = z.preprocess(
  (json: unknown): unknown => (Array.isArray(json) ? json : [json]),
  z.array(UiProfile),
);

/** A FHIR ValueSet as the release writes it: its expansion lists the concepts. */
export const OntologyValueSet = z.object({
  url: Text,
  expansion: z
    .object({ contains: z.array(z.object({ system: Text, code: Text, display: z.string().nullish() })).nullish() })
    .nullish(),
});

/** A criteria set: the (context, term code) pairs a reference attribute may point to. */
export const OntologyCriteriaSet = z.object({
  url: Text,
  contextualized_term_codes: z.array(z.tuple([OntologyTermCode, OntologyTermCode])),
});
