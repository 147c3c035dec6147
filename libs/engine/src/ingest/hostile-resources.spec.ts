import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { StructuredQuery } from '@fq/ccdl';
import { evaluateQuery } from '../evaluate/evaluate-query';
import { createIndexBuilder } from '../site-engine';
import { ingestFhir } from './fhir-ingest';

// A site's export can hold anything: wrong types at every element, deep nesting, huge numbers, broken references.
// Ingestion must count such resources as ignored or bad and keep the well-formed ones exactly as they would be alone.

const ICD10GM = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const LOINC = 'http://loinc.org';
const EVALUATION_DATE = '2025-12-31';

const QUERIES: Record<string, StructuredQuery> = {
  female: {
    inclusionCriteria: [
      [
        {
          termCodes: [{ system: 'http://snomed.info/sct', code: '263495000' }],
          valueFilter: {
            type: 'concept',
            selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'female' }],
          },
        },
      ],
    ],
  },
  diabetes: {
    inclusionCriteria: [
      [
        {
          context: { system: 'fdpg.mii.cds', code: 'Diagnose', display: 'Diagnose' },
          termCodes: [{ system: ICD10GM, code: 'E11' }],
        },
      ],
    ],
  },
  hba1cAbove7: {
    inclusionCriteria: [
      [
        {
          context: { system: 'fdpg.mii.cds', code: 'Laboratory', display: 'Laboruntersuchung' },
          termCodes: [{ system: LOINC, code: '4548-4' }],
          valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 7, unit: { code: '%' } },
        },
      ],
    ],
  },
};

const patientIds = ['p1', 'p2', 'p3', 'p4'];

/** Well-formed resources about patients p1…p4. */
const validResources = fc.array(
  fc.oneof(
    fc.record({
      resourceType: fc.constant('Condition'),
      id: fc.uuid(),
      subject: fc.constantFrom(...patientIds).map((id) => ({ reference: `Patient/${id}` })),
      code: fc.constantFrom('E11.9', 'E11.90', 'I10', 'C50.9').map((code) => ({ coding: [{ system: ICD10GM, code }] })),
      recordedDate: fc.constantFrom('2021-03-04', '2024-11-30'),
    }),
    fc.record({
      resourceType: fc.constant('Observation'),
      id: fc.uuid(),
      status: fc.constant('final'),
      subject: fc.constantFrom(...patientIds).map((id) => ({ reference: `Patient/${id}` })),
      code: fc.constant({ coding: [{ system: LOINC, code: '4548-4' }] }),
      valueQuantity: fc.double({ min: 3, max: 12, noNaN: true }).map((value) => ({
        value: Math.round(value * 10) / 10,
        unit: '%',
        system: 'http://unitsofmeasure.org',
        code: '%',
      })),
      effectiveDateTime: fc.constant('2023-05-06'),
    }),
  ),
  { maxLength: 12 },
);

/** Any JSON where FHIR expects an element, including structures nested deeper than any real resource. */
const anyElement = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map((depth) => nest(depth)) },
  { weight: 1, arbitrary: fc.constantFrom(1e308, -0, Number.MAX_SAFE_INTEGER + 2, '', '\u0000', 'Patient/', '/') },
);

/**
 * Resources of every mapped type with hostile elements. None refers to p1…p4 nor is a Patient, so it may never change
 * a count over those patients.
 */
const hostileResources = fc.array(
  fc.record(
    {
      resourceType: fc.constantFrom(
        'Condition',
        'Observation',
        'Procedure',
        'MedicationAdministration',
        'MedicationStatement',
        'Specimen',
        'Consent',
        'Encounter',
        'Medication',
        'Unknown',
      ),
      id: fc.oneof(fc.uuid(), anyElement),
      subject: fc.oneof(
        anyElement,
        fc.string().map((id) => ({ reference: `Patient/x-${id}` })),
      ),
      patient: anyElement,
      code: anyElement,
      category: anyElement,
      valueQuantity: anyElement,
      valueCodeableConcept: anyElement,
      effectiveDateTime: anyElement,
      effectivePeriod: anyElement,
      recordedDate: anyElement,
      onsetDateTime: anyElement,
      medicationReference: anyElement,
      medicationCodeableConcept: anyElement,
      extension: anyElement,
      provision: anyElement,
      collection: anyElement,
    },
    { requiredKeys: ['resourceType'] },
  ),
  { maxLength: 12 },
);

function nest(depth: number): unknown {
  let value: unknown = { coding: [{ system: ICD10GM, code: 'E11' }] };
  for (let i = 0; i < depth; i++) {
    value = i % 2 === 0 ? [value] : { coding: value };
  }
  return value;
}

const patients = patientIds.map((id, i) => ({
  resourceType: 'Patient',
  id,
  gender: i % 2 === 0 ? 'female' : 'male',
  birthDate: '1960-01-01',
}));

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hostile-resources-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function countAll(name: string, lines: string[]): Promise<{ counts: Record<string, number>; total: number }> {
  const file = path.join(dir, `${name}.ndjson`);
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  const builder = createIndexBuilder();
  const summary = await ingestFhir([file], builder);
  const index = builder.finish();
  const counts = Object.fromEntries(
    Object.entries(QUERIES).map(([key, query]) => [
      key,
      evaluateQuery(index, query, { evaluationDate: EVALUATION_DATE }).rawCount,
    ]),
  );
  return { counts, total: summary.resources + summary.errors };
}

describe('ingesting hostile FHIR resources', () => {
  it('never throws, accounts for every line, and leaves the counts of the well-formed resources unchanged', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        validResources,
        hostileResources,
        fc.array(fc.string(), { maxLength: 3 }),
        async (valid, hostile, junk) => {
          run++;
          const clean = [...patients, ...valid].map((resource) => JSON.stringify(resource));
          const dirty = [
            ...clean,
            ...hostile.map((resource) => JSON.stringify(resource)),
            ...junk.filter((line) => line.trim() !== ''),
          ];
          const alone = await countAll(`clean-${run}`, clean);
          const mixed = await countAll(`dirty-${run}`, shuffle(dirty, run));
          expect(mixed.counts).toEqual(alone.counts);
          expect(mixed.total).toBe(dirty.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('counts a deeply nested resource as a resource, not a crash', async () => {
    const deep = `{"resourceType":"Condition","id":"deep","subject":{"reference":"Patient/p1"},"code":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const result = await countAll('deep', [...patients.map((p) => JSON.stringify(p)), deep]);
    expect(result.total).toBe(patients.length + 1);
    expect(result.counts.female).toBe(2);
  });

  it('ignores codings nested thousands of levels deep in every element the mapping reads', async () => {
    // Written as text: JSON.stringify itself overflows long before JSON.parse does.
    const levels = 20_000;
    const coding = `{"coding":[{"system":"${ICD10GM}","code":"E11"}]}`;
    const deep = `${'[{"coding":'.repeat(levels)}${coding}${'}]'.repeat(levels)}`;
    const resources = ['Condition', 'Observation', 'MedicationStatement', 'Specimen'].map(
      (resourceType, i) =>
        `{"resourceType":"${resourceType}","id":"deep-${i}","subject":{"reference":"Patient/p1"},` +
        `"code":${deep},"valueQuantity":${deep},"medicationCodeableConcept":${deep},"type":${deep},"extension":${deep}}`,
    );
    const result = await countAll('deep-codings', [...patients.map((p) => JSON.stringify(p)), ...resources]);
    expect(result.total).toBe(patients.length + resources.length);
    expect(result.counts).toEqual({ female: 2, diabetes: 0, hba1cAbove7: 0 });
  });
});

/** A deterministic reordering, so garbage sits between, before and after the good lines. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed * 2654435761;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
