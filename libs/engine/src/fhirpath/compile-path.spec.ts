import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FhirPathInvalidError } from '../errors';
import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from '../mapping/default-mapping';
import type { EngineMapping } from '../mapping/mapping.schema';
import { SPECIMEN_DIAGNOSIS_EXTENSION, SYSTEMS } from '../mapping/systems';
import { compilePath, compileWithFhirPath } from './compile-path';
import { type FhirResource, isFhirResource } from './fhir-resource';

const FIXTURES = join(__dirname, '../../../../../shared/fixtures/mii-kds');

interface MappedPath {
  resourceType: string;
  expression: string;
}

/** Every FHIRPath a mapping evaluates, with the resource type it is evaluated on. */
function mappingPaths(mapping: EngineMapping): MappedPath[] {
  const paths: MappedPath[] = [];
  for (const entry of mapping.criteria) {
    const on = (expression: string | undefined, resourceType = entry.resourceType) => {
      if (expression !== undefined) {
        paths.push({ resourceType, expression });
      }
    };
    on(entry.code?.path);
    on(entry.code?.via?.reference);
    on(entry.code?.via?.path, entry.code?.via?.resourceType);
    on(entry.time);
    on('reference' in entry.patient ? entry.patient.reference : undefined);
    for (const value of entry.values ?? []) {
      on(value.path);
    }
    for (const attribute of entry.attributes ?? []) {
      on(attribute.path);
    }
  }
  return paths;
}

const ALL_PATHS = [...mappingPaths(DEFAULT_MAPPING), ...mappingPaths(UPSTREAM_COMPATIBLE_MAPPING)].filter(
  (p, i, all) => all.findIndex((q) => q.resourceType === p.resourceType && q.expression === p.expression) === i,
);
const RESOURCE_TYPES = [...new Set(ALL_PATHS.map((p) => p.resourceType))].sort();

/** Deep copy through JSON: fhirpath.js may annotate its input, and results compare as plain data. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** Evaluates both accessors on separate copies and returns their results as plain data. */
function bothResults(expression: string, resourceType: string, resource: FhirResource) {
  const copy = () => plain(resource) as FhirResource;
  return {
    fast: plain(compilePath(expression, resourceType).evaluate(copy())),
    reference: plain(compileWithFhirPath(expression, resourceType).evaluate(copy())),
  };
}

function loadFixtureResources(): FhirResource[] {
  const resources: FhirResource[] = [];
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    const bundle = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { entry?: Array<{ resource?: unknown }> };
    for (const entry of bundle.entry ?? []) {
      if (isFhirResource(entry.resource)) {
        resources.push(entry.resource);
      }
    }
  }
  return resources;
}

// Generators: FHIR elements in the shapes real and broken data take (single, array, null, missing, wrong type).
const junk = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constantFrom('', 'x'), fc.constant({}));

function shaped(value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const item = fc.oneof({ weight: 5, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) });
  return fc.oneof(
    { weight: 6, arbitrary: value },
    { weight: 3, arbitrary: fc.array(item, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: junk },
  );
}

/** Optional keys: every key may be missing. */
const element = (fields: Record<string, fc.Arbitrary<unknown>>) => fc.record(fields, { requiredKeys: [] });

/** The `_name` sibling FHIR JSON gives a primitive for its id and extensions. */
const primitiveExtension = shaped(
  fc.oneof(
    element({ id: fc.constantFrom('p1', 'p2') }),
    element({
      extension: fc.array(
        element({ url: fc.constant('http://example.org/absent'), valueCode: fc.constant('unknown') }),
        { maxLength: 1 },
      ),
    }),
  ),
);

/** A primitive element `name` with its optional `_name` sibling. */
const primitive = (name: string, value: fc.Arbitrary<unknown>): Record<string, fc.Arbitrary<unknown>> => ({
  [name]: shaped(value),
  [`_${name}`]: primitiveExtension,
});

const PRIMITIVE_SUFFIXES = new Set(['DateTime', 'Instant', 'String', 'Boolean', 'Integer', 'Time', 'Code', 'Uri']);

/** A choice element `name[x]`: none, exactly one, or (broken) several of its variants. */
function choice(name: string, variants: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [suffix, value] of Object.entries(variants)) {
    Object.assign(
      fields,
      PRIMITIVE_SUFFIXES.has(suffix) ? primitive(name + suffix, value) : { [name + suffix]: shaped(value) },
    );
  }
  const single = fc.constantFrom(...Object.keys(fields)).chain((key) => fc.record({ [key]: fields[key] }));
  return fc.oneof(single, element(fields));
}

const date = fc.constantFrom(
  '2020',
  '2020-05',
  '2020-05-17',
  '2020-05-17T10:00:00+02:00',
  '2021-01-01T00:00:00Z',
  'no date',
);
const system = fc.constantFrom(
  SYSTEMS.loinc,
  SYSTEMS.snomed,
  SYSTEMS.icd10gm,
  SYSTEMS.consentPolicy,
  'http://example.org',
);
const code = fc.constantFrom('8480-6', '8462-4', '85354-9', 'E11.9', `${SYSTEMS.consentPolicy.slice(8)}.8`, 'a');
const coding = element({ system: shaped(system), ...primitive('code', code), display: fc.constant('shown') });
const codeableConcept = element({ coding: shaped(coding), text: fc.constant('text') });
const reference = element({
  ...primitive('reference', fc.constantFrom('Patient/p1', 'Medication/m1', 'Condition/c1')),
  display: fc.constant('d'),
});
const period = element({ ...primitive('start', date), ...primitive('end', date) });
const quantity = element({
  value: shaped(fc.oneof(fc.integer({ min: -5, max: 500 }), fc.constantFrom(0.1, 7.25, 1e21))),
  comparator: fc.constantFrom('<', '>='),
  unit: fc.constantFrom('mg/dL', '%'),
  system: fc.constant(SYSTEMS.ucum),
  code: fc.constantFrom('mg/dL', '%', 'mmol/L'),
});
const range = element({ low: shaped(quantity), high: shaped(quantity) });
const dateTimeOrPeriod = { DateTime: date, Period: period };

const extension = fc.oneof(
  fc
    .tuple(
      element({ ...primitive('url', fc.constantFrom(SPECIMEN_DIAGNOSIS_EXTENSION, 'http://example.org/other')) }),
      choice('value', {
        Reference: reference,
        String: fc.constant('s'),
        CodeableConcept: codeableConcept,
        Quantity: quantity,
      }),
    )
    .map(([url, value]) => ({ ...url, ...value })),
  // A well-formed diagnosis extension, so that the where() filter finds matches too.
  fc.record({
    url: fc.constant(SPECIMEN_DIAGNOSIS_EXTENSION),
    valueReference: fc.record({ reference: fc.constant('Condition/c1') }),
  }),
);

const nestedProvision = fc.oneof(
  element({ ...primitive('type', fc.constantFrom('permit', 'deny', 'Permit')), code: shaped(codeableConcept), period }),
  // A well-formed nested provision, so that where(type = 'permit') finds matches too.
  fc.record({
    type: fc.constantFrom('permit', 'deny'),
    code: fc.array(fc.record({ coding: fc.array(coding, { minLength: 1 }) })),
  }),
);
const component = fc.oneof(
  fc
    .tuple(
      element({ code: shaped(codeableConcept) }),
      choice('value', {
        Quantity: quantity,
        CodeableConcept: codeableConcept,
        String: fc.constant('s'),
        DateTime: date,
      }),
    )
    .map(([c, value]) => ({ ...c, ...value })),
  // A well-formed blood pressure component, so that the where() filters find matches too.
  fc.record({
    code: fc.record({
      coding: fc.array(fc.record({ system: fc.constant(SYSTEMS.loinc), code }), { minLength: 1, maxLength: 2 }),
    }),
    valueQuantity: quantity,
  }),
);

const subject = { subject: shaped(reference) };
const medicationChoice = choice('medication', { CodeableConcept: codeableConcept, Reference: reference });

/** Element generators per resource type; each record may also include any of the choice records. */
const SHAPES: Record<
  string,
  { fields: Record<string, fc.Arbitrary<unknown>>; choices: Array<fc.Arbitrary<Record<string, unknown>>> }
> = {
  Patient: {
    fields: { ...primitive('gender', fc.constantFrom('male', 'female')), ...primitive('birthDate', date) },
    choices: [],
  },
  Condition: {
    fields: {
      code: shaped(codeableConcept),
      category: shaped(codeableConcept),
      ...primitive('recordedDate', date),
      ...subject,
    },
    choices: [
      choice('onset', { DateTime: date, Age: quantity, Period: period, Range: range, String: fc.constant('s') }),
    ],
  },
  Observation: {
    fields: { code: shaped(codeableConcept), component: shaped(component), ...subject },
    choices: [
      choice('effective', { ...dateTimeOrPeriod, Instant: date, Timing: element({ event: shaped(date) }) }),
      choice('value', {
        Quantity: quantity,
        CodeableConcept: codeableConcept,
        String: fc.constant('s'),
        Boolean: fc.boolean(),
        Integer: fc.integer(),
        Range: range,
        DateTime: date,
        Period: period,
      }),
      fc.record({ valueCodeableConcept: fc.record({ coding: fc.array(coding, { minLength: 1, maxLength: 2 }) }) }),
    ],
  },
  Procedure: {
    fields: { code: shaped(codeableConcept), category: shaped(codeableConcept), ...subject },
    choices: [choice('performed', { ...dateTimeOrPeriod, String: fc.constant('s'), Age: quantity, Range: range })],
  },
  MedicationAdministration: {
    fields: { ...subject },
    choices: [medicationChoice, choice('effective', dateTimeOrPeriod)],
  },
  MedicationRequest: { fields: { ...primitive('authoredOn', date), ...subject }, choices: [medicationChoice] },
  MedicationStatement: { fields: { ...subject }, choices: [medicationChoice, choice('effective', dateTimeOrPeriod)] },
  Medication: { fields: { code: shaped(codeableConcept) }, choices: [] },
  Specimen: {
    fields: {
      type: shaped(codeableConcept),
      extension: shaped(extension),
      collection: shaped(
        fc
          .tuple(element({ bodySite: shaped(codeableConcept) }), choice('collected', dateTimeOrPeriod))
          .map(([c, t]) => ({ ...c, ...t })),
      ),
      ...subject,
    },
    choices: [],
  },
  Consent: {
    fields: {
      provision: shaped(
        element({ ...primitive('type', fc.constantFrom('permit', 'deny')), provision: shaped(nestedProvision) }),
      ),
      ...primitive('dateTime', date),
      patient: shaped(reference),
    },
    choices: [],
  },
  Encounter: {
    fields: {
      class: shaped(coding),
      period: shaped(period),
      serviceType: shaped(codeableConcept),
      type: shaped(codeableConcept),
      ...subject,
    },
    choices: [],
  },
  DiagnosticReport: {
    fields: { code: shaped(codeableConcept), ...primitive('issued', date), ...subject },
    choices: [],
  },
};

function resourceOf(resourceType: string): fc.Arbitrary<FhirResource> {
  const shape = SHAPES[resourceType];
  const choices = shape.choices.map((c) => fc.option(c, { nil: {} }));
  return fc
    .tuple(element(shape.fields), ...choices)
    .map(([fields, ...chosen]) => Object.assign({ resourceType, id: 'r1' }, fields, ...chosen) as FhirResource);
}

const COMPONENT_PATH = (code: string) =>
  `component.where(code.coding.exists(system = '${SYSTEMS.loinc}' and code = '${code}')).value.ofType(Quantity)`;

describe('compilePath', () => {
  it('serves every mapping expression, component filters included, through the fast accessor', () => {
    const slow = ALL_PATHS.filter((p) => !compilePath(p.expression, p.resourceType).fast).map((p) => p.expression);
    expect(slow).toEqual([]);
    expect(compilePath(COMPONENT_PATH('8480-6'), 'Observation').fast).toBe(true);
    expect(compilePath("component.where(code.coding.exists(system = 'x' or code = 'y'))", 'Observation').fast).toBe(
      false,
    );
    expect(compilePath('component.where(code.coding.exists())', 'Observation').fast).toBe(false);
    expect(compilePath("provision.provision.where(type = 'permit').code.coding", 'Consent').fast).toBe(true);
    expect(compilePath('medication.ofType(CodeableConcept).coding', 'MedicationStatement').fast).toBe(true);
    expect(compilePath('effective', 'Observation').fast).toBe(true);
    expect(compilePath('Observation.code.coding', 'Observation').fast).toBe(true);
  });

  it('has a generator for every resource type the mappings read', () => {
    expect(RESOURCE_TYPES.filter((t) => SHAPES[t] === undefined)).toEqual([]);
  });

  it('returns what fhirpath.js returns for every mapping expression on the MII test data', () => {
    const resources = loadFixtureResources();
    let compared = 0;
    let nonEmpty = 0;
    for (const resource of resources) {
      for (const path of ALL_PATHS.filter((p) => p.resourceType === resource.resourceType)) {
        const { fast, reference } = bothResults(path.expression, path.resourceType, resource);
        expect({ ...path, id: resource.id, result: fast }).toEqual({ ...path, id: resource.id, result: reference });
        compared++;
        nonEmpty += (reference as unknown[]).length > 0 ? 1 : 0;
      }
    }
    // Guards against a fixture folder that silently stopped matching the mapping.
    expect(compared).toBeGreaterThan(1000);
    expect(nonEmpty).toBeGreaterThan(500);
  });

  it.each(RESOURCE_TYPES)(
    'returns what fhirpath.js returns for every mapping expression on generated %s resources',
    (resourceType) => {
      const paths = ALL_PATHS.filter((p) => p.resourceType === resourceType);
      const found = new Map<string, number>();
      fc.assert(
        fc.property(resourceOf(resourceType), (resource) => {
          for (const path of paths) {
            const { fast, reference } = bothResults(path.expression, resourceType, resource);
            expect({ expression: path.expression, result: fast }).toEqual({
              expression: path.expression,
              result: reference,
            });
            if ((reference as unknown[]).length > 0) {
              found.set(path.expression, (found.get(path.expression) ?? 0) + 1);
            }
          }
        }),
        { numRuns: 400 },
      );
      // The generator must reach every path with data, where() filters included, or the comparison proves little.
      expect(paths.filter((p) => (found.get(p.expression) ?? 0) < 5).map((p) => p.expression)).toEqual([]);
    },
  );

  describe('agrees with fhirpath.js on data that is not valid FHIR', () => {
    const cases: Array<[string, string, string, Record<string, unknown>]> = [
      [
        'reads only the first variant of a choice element that has several',
        'Observation',
        'effective',
        { effectivePeriod: { start: '2020' }, effectiveInstant: '2021-01-01T00:00:00Z' },
      ],
      [
        'lets a null variant of a choice element hide the later ones',
        'Observation',
        'effective',
        { effectiveDateTime: null, effectivePeriod: { start: '2020' } },
      ],
      [
        'lets an extension-only primitive variant hide the later ones',
        'Observation',
        'effective',
        { _effectiveDateTime: { extension: [] }, effectivePeriod: { start: '2020' } },
      ],
      [
        'applies ofType to the variant that is read, not to any variant present',
        'Specimen',
        `extension.where(url = '${SPECIMEN_DIAGNOSIS_EXTENSION}').value.ofType(Reference).reference`,
        {
          extension: [
            { url: SPECIMEN_DIAGNOSIS_EXTENSION, valueString: 'x', valueReference: { reference: 'Condition/1' } },
          ],
        },
      ],
      [
        'counts a null entry in a where() comparison',
        'Consent',
        "provision.provision.where(type = 'permit').code.coding",
        { provision: { provision: [{ type: [null, 'permit'], code: [{ coding: [{ code: 'a' }] }] }] } },
      ],
      [
        'counts extension-only entries in a where() comparison',
        'Consent',
        "provision.provision.where(type = 'permit').code.coding",
        {
          provision: {
            provision: [{ type: ['permit'], _type: [null, { id: 'x' }], code: [{ coding: [{ code: 'a' }] }] }],
          },
        },
      ],
      ['reads ofType(String) and ofType(string) alike', 'Observation', 'value.ofType(String)', { valueString: 's' }],
      [
        'reads ofType(dateTime) like ofType(DateTime)',
        'Observation',
        'effective.ofType(dateTime)',
        { effectiveDateTime: '2020' },
      ],
      [
        'finds nothing for a type name in the wrong case',
        'Observation',
        'value.ofType(quantity)',
        { valueQuantity: { value: 1 } },
      ],
      ['treats the literal true as a literal', 'Patient', 'true', { true: 'member' }],
      [
        'compares a date element in where() as a date, not as text',
        'Condition',
        "where(recordedDate = '2020').id",
        { id: 'c', recordedDate: '2020' },
      ],
      [
        'reads a child of a primitive from its extension sibling',
        'Patient',
        'birthDate.extension.url',
        { birthDate: '2020', _birthDate: { extension: [{ url: 'u' }] } },
      ],
      [
        'reads a type-qualified path only on a resource of that type',
        'Condition',
        'Condition.code.coding',
        { resourceType: 'Observation', code: { coding: [{ code: 'a' }] } },
      ],
    ];
    it.each(cases)('%s', (_name, resourceType, expression, data) => {
      const resource = { resourceType, id: 'r1', ...data } as FhirResource;
      const { fast, reference } = bothResults(expression, resourceType, resource);
      expect(fast).toEqual(reference);
    });
  });

  it.each([
    'code..coding',
    'code.and',
    "where(code..text = 'x')",
    "where(url = 'x'",
    'code.coding[',
    "where(text. = 'x')",
    '',
  ])('throws FhirPathInvalidError for the invalid expression %p', (expression) => {
    expect(() => compilePath(expression, 'Condition')).toThrow(FhirPathInvalidError);
    expect(() => compileWithFhirPath(expression, 'Condition')).toThrow(FhirPathInvalidError);
  });

  it('names the expression and the error code in FhirPathInvalidError', () => {
    let error: unknown;
    try {
      compilePath('code..coding', 'Condition');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FhirPathInvalidError);
    expect(error).toMatchObject({ code: 'ENGINE_FHIRPATH_INVALID', expression: 'code..coding' });
  });
});
