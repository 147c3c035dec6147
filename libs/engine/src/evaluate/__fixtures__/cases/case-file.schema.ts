import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseStructuredQuery, type StructuredQuery } from '@fq/ccdl';
import { err, formatIssue, ok, type Result } from '@fq/result';
import { z } from 'zod';

// The CCDL schema keeps unknown keys (CCDL 2.0 does); case files are ours, so a misspelt key must fail instead.
const TermCode = z.strictObject({
  system: z.string(),
  code: z.string().min(1),
  display: z.string().optional(),
  version: z.string().optional(),
});
const Unit = z.strictObject({ code: z.string(), display: z.string().optional() });
const TimeRestriction = z.strictObject({ afterDate: z.iso.date().optional(), beforeDate: z.iso.date().optional() });
const Comparator = z.enum(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);
const conceptFields = { type: z.literal('concept'), selectedConcepts: z.array(TermCode).min(1) };
const comparatorFields = {
  type: z.literal('quantity-comparator'),
  comparator: Comparator,
  value: z.number(),
  unit: Unit.optional(),
};
const rangeFields = {
  type: z.literal('quantity-range'),
  minValue: z.number(),
  maxValue: z.number(),
  unit: Unit.optional(),
};
const ValueFilter = z.discriminatedUnion('type', [
  z.strictObject(conceptFields),
  z.strictObject(comparatorFields),
  z.strictObject(rangeFields),
]);
const PlainAttributeFilter = z.discriminatedUnion('type', [
  z.strictObject({ attributeCode: TermCode, ...conceptFields }),
  z.strictObject({ attributeCode: TermCode, ...comparatorFields }),
  z.strictObject({ attributeCode: TermCode, ...rangeFields }),
]);
const criterionFields = {
  context: TermCode.optional(),
  termCodes: z.array(TermCode).min(1),
  valueFilter: ValueFilter.optional(),
  timeRestriction: TimeRestriction.optional(),
};
const ReferencedCriterion = z.strictObject({
  ...criterionFields,
  attributeFilters: z.array(PlainAttributeFilter).optional(),
});
const AttributeFilter = z.discriminatedUnion('type', [
  ...PlainAttributeFilter.options,
  z.strictObject({
    type: z.literal('reference'),
    attributeCode: TermCode,
    criteria: z.array(ReferencedCriterion).min(1),
  }),
]);
const Criterion = z.strictObject({ ...criterionFields, attributeFilters: z.array(AttributeFilter).optional() });

/** A case's query: strict in its keys, and it must also pass the product parser (refinements, date order). */
const CaseQuery = z
  .strictObject({
    version: z.string().optional(),
    display: z.string().optional(),
    inclusionCriteria: z.array(z.array(Criterion).min(1)).min(1),
    exclusionCriteria: z.array(z.array(Criterion).min(1)).min(1).optional(),
  })
  .transform((query, ctx): StructuredQuery => {
    const parsed = parseStructuredQuery(query);
    if (!parsed.ok) {
      for (const issue of parsed.error.issues) {
        ctx.issues.push({ code: 'custom', message: `${issue.path}: ${issue.code} ${issue.message}`, input: query });
      }
      return z.NEVER;
    }
    return parsed.value;
  });

/** Which mapping a case is evaluated with: DEFAULT_MAPPING or UPSTREAM_COMPATIBLE_MAPPING. */
export const MappingChoice = z.enum(['default', 'upstream-compatible']);
export type MappingChoice = z.infer<typeof MappingChoice>;

const IssueCode = z.string().regex(/^ENGINE_[A-Z_]+$/, 'an engine issue code such as ENGINE_ATTRIBUTE_UNMAPPED');

export const SemanticCase = z
  .strictObject({
    /** States the behaviour, with a one-line why where the count is not obvious. */
    name: z.string().min(1),
    /** Overrides the file's mapping, so one rule file can show both readings. */
    mapping: MappingChoice.optional(),
    query: CaseQuery,
    expected: z.int().nonnegative(),
    expectedPatients: z.array(z.string().min(1)).optional(),
    /** All unknown term codes over every criterion; absent means none. */
    expectedUnknownTermCodes: z.array(z.strictObject({ system: z.string(), code: z.string().min(1) })).optional(),
    /** All issue codes over every criterion (as a set); absent means none. */
    expectedIssueCodes: z.array(IssueCode).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.expectedPatients !== undefined && c.expectedPatients.length !== c.expected) {
      ctx.addIssue({
        code: 'custom',
        path: ['expectedPatients'],
        message: `lists ${c.expectedPatients.length} patients but expected is ${c.expected}`,
      });
    }
    if (c.expectedPatients !== undefined && new Set(c.expectedPatients).size !== c.expectedPatients.length) {
      ctx.addIssue({ code: 'custom', path: ['expectedPatients'], message: 'lists a patient twice' });
    }
  });
export type SemanticCase = z.infer<typeof SemanticCase>;

const Resource = z.looseObject({ resourceType: z.string().regex(/^[A-Z][A-Za-z]+$/), id: z.string().min(1) });

/** One case file: one CCDL rule, the resources it is tested on, and the cases with hand-computed counts. */
export const CaseFile = z
  .strictObject({
    rule: z.string().min(1),
    evaluationDate: z.iso.date(),
    mapping: MappingChoice.optional(),
    resources: z.array(Resource).min(1),
    cases: z.array(SemanticCase).min(1),
  })
  .superRefine((file, ctx) => {
    const keys = new Set<string>();
    file.resources.forEach((resource, i) => {
      const key = `${resource.resourceType}/${resource.id}`;
      if (keys.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['resources', i], message: `${key} appears twice` });
      }
      keys.add(key);
    });
    const names = new Set<string>();
    file.cases.forEach((c, i) => {
      if (names.has(c.name)) {
        ctx.addIssue({ code: 'custom', path: ['cases', i, 'name'], message: `case name "${c.name}" appears twice` });
      }
      names.add(c.name);
      for (const id of c.expectedPatients ?? []) {
        if (!keys.has(`Patient/${id}`)) {
          ctx.addIssue({
            code: 'custom',
            path: ['cases', i, 'expectedPatients'],
            message: `no Patient/${id} in resources`,
          });
        }
      }
    });
  });
export type CaseFile = z.infer<typeof CaseFile>;

/** A case file as read from disk: its cases, or every problem that makes it unusable. */
export type LoadedCaseFile = { file: string } & Result<CaseFile, string[]>;

/** Reads and validates every `*.cases.json` in `dir`, sorted by name; never throws on a bad file. */
export function loadCaseFiles(dir: string): LoadedCaseFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cases.json'))
    .sort()
    .map((file): LoadedCaseFile => {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      } catch (error) {
        return { file, ...err([`not JSON: ${String(error)}`]) };
      }
      const parsed = CaseFile.safeParse(json);
      if (!parsed.success) {
        return { file, ...err(parsed.error.issues.map(formatIssue)) };
      }
      return { file, ...ok(parsed.data) };
    });
}
