import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { StructuredQuery } from '@fq/ccdl';
import { evaluateQuery } from '../evaluate/evaluate-query';
import { createIndexBuilder } from '../site-engine';
import { type IngestSummary, ingestFhir } from './fhir-ingest';

// Bundles from any source: fullUrls and references forming random graphs with cycles, self-links, missing targets,
// duplicate fullUrls and ids, contained resources in odd shapes. Ingestion must never throw and must account for
// every resource it was given.

const ICD = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const DIABETES: StructuredQuery = {
  inclusionCriteria: [
    [{ context: { system: 'fdpg.mii.cds', code: 'Diagnose' }, termCodes: [{ system: ICD, code: 'E11' }] }],
  ],
};

const TYPES = ['Patient', 'Condition', 'Observation', 'Medication', 'MedicationStatement', 'Basic', 'Encounter'];
const fullUrls = fc.constantFrom(
  'urn:uuid:00000000-0000-4000-8000-000000000001',
  'urn:uuid:00000000-0000-4000-8000-000000000002',
  'urn:uuid:00000000-0000-4000-8000-000000000003',
  'urn:oid:1.2.3.4',
  'https://fhir.example.org/fhir/Patient/p1',
  'https://fhir.example.org/fhir/Condition/c1',
  'https://fhir.example.org/fhir/Patient/p1/_history/2',
  'Patient/p2',
  'urn:uuid:',
  '',
  '#',
  'urn:uuid:' + 'x'.repeat(100),
);
const references = fc.oneof(
  fullUrls,
  fc.constantFrom('Patient/p1', 'Patient/p2', '#m1', '#', '#missing', 'Medication/m1', 'Group/g'),
  fc.string({ maxLength: 12 }),
);
const ids = fc.option(
  fc.oneof(
    fc.constantFrom('p1', 'p2', 'c1', 'm1', '00000000-0000-4000-8000-000000000001'),
    fc.string({ maxLength: 70 }),
  ),
  {
    nil: undefined,
  },
);

const containedItem = fc.oneof(
  fc.record(
    {
      resourceType: fc.constantFrom(...TYPES),
      id: ids,
      code: fc.constant({ coding: [{ system: ICD, code: 'E11.9' }] }),
      subject: fc.record({ reference: references }),
    },
    { requiredKeys: ['resourceType'] },
  ),
  fc.constantFrom(null, 1, 'text', [], {}),
);

const resource = fc.record(
  {
    resourceType: fc.constantFrom(...TYPES),
    id: ids,
    gender: fc.constantFrom('female', 'male'),
    code: fc.constant({ coding: [{ system: ICD, code: 'E11.9' }] }),
    subject: fc.record({ reference: references }),
    medicationReference: fc.record({ reference: references }),
    contained: fc.oneof(fc.array(containedItem, { maxLength: 3 }), fc.constantFrom(null, 'x', {})),
  },
  { requiredKeys: ['resourceType'] },
);

const entry = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      { fullUrl: fc.option(fullUrls, { nil: undefined }), resource },
      { requiredKeys: ['resource'] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 'text', [], {}, { resource: null }, { resource: { id: 'no-type' } }) },
);

const bundle = fc.record({
  resourceType: fc.constant('Bundle'),
  type: fc.constantFrom('transaction', 'collection', 'batch', 'searchset'),
  entry: fc.array(entry, { maxLength: 25 }),
});

/** What the bundle holds by its own rules: resources of entries (and their well-formed contained ones), bad entries. */
function expected(value: { entry: unknown[] }): { resources: number; errors: number } {
  let resources = 0;
  let errors = 0;
  for (const item of value.entry) {
    const inner =
      typeof item === 'object' && item !== null && !Array.isArray(item)
        ? (item as { resource?: unknown }).resource
        : undefined;
    if (
      typeof inner !== 'object' ||
      inner === null ||
      typeof (inner as { resourceType?: unknown }).resourceType !== 'string'
    ) {
      errors++;
      continue;
    }
    resources++;
    const contained = (inner as { contained?: unknown }).contained;
    if (Array.isArray(contained)) {
      resources += contained.filter(
        (c: unknown) =>
          typeof c === 'object' &&
          c !== null &&
          typeof (c as { resourceType?: unknown }).resourceType === 'string' &&
          typeof (c as { id?: unknown }).id === 'string',
      ).length;
    }
  }
  return { resources, errors };
}

function expectAccounted(summary: IngestSummary): void {
  let read = 0;
  for (const tally of Object.values(summary.byType)) {
    expect(tally.indexed + tally.typeNotMapped + tally.codeNotMapped + tally.noPatient + tally.replaced).toBe(
      tally.read,
    );
    expect(
      Math.min(tally.indexed, tally.typeNotMapped, tally.codeNotMapped, tally.noPatient, tally.replaced),
    ).toBeGreaterThanOrEqual(0);
    read += tally.read;
  }
  expect(read).toBe(summary.resources);
  expect(summary.indexed + summary.typeNotMapped + summary.codeNotMapped + summary.noPatient + summary.replaced).toBe(
    summary.resources,
  );
}

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hostile-bundles-'));
});

afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('ingestion of hostile bundles', () => {
  it('never throws and accounts for every resource and every bad entry', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(bundle, async (value) => {
        const file = path.join(dir, `bundle-${run++}.json`);
        await fs.writeFile(file, JSON.stringify(value));
        const builder = createIndexBuilder();
        const summary = await ingestFhir([file], builder);
        const index = builder.finish();
        const count = evaluateQuery(index, DIABETES, { evaluationDate: '2025-01-01' }).rawCount;
        const { resources, errors } = expected(JSON.parse(JSON.stringify(value)) as { entry: unknown[] });
        expect(summary.resources).toBe(resources);
        expect(summary.errors).toBe(errors);
        expectAccounted(summary);
        expect(count).toBeLessThanOrEqual(index.knownPatientCount + summary.resources);
        // The same bundle read again gives the same account.
        const again = await ingestFhir([file], createIndexBuilder());
        expect({ ...again, durationMs: 0, resourcesPerSecond: 0 }).toEqual({
          ...summary,
          durationMs: 0,
          resourcesPerSecond: 0,
        });
      }),
      { numRuns: 150 },
    );
  });

  it('survives references nested deeper than any stack', async () => {
    const depth = 100_000;
    const deep = `${'['.repeat(depth)}{"reference":"urn:uuid:00000000-0000-4000-8000-000000000001"}${']'.repeat(depth)}`;
    const file = path.join(dir, 'deep.json');
    await fs.writeFile(
      file,
      '{"resourceType":"Bundle","type":"collection","entry":[' +
        '{"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000001","resource":{"resourceType":"Patient"}},' +
        `{"resource":{"resourceType":"Condition","extension":${deep},` +
        `"contained":[{"resourceType":"Basic","id":"b","x":${deep}}]}}]}`,
    );
    const summary = await ingestFhir([file], createIndexBuilder());
    expect(summary).toMatchObject({ resources: 3, errors: 0 });
    expectAccounted(summary);
  });
});
