import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StructuredQuery } from '@fq/ccdl';
import { evaluateQuery } from '../evaluate/evaluate-query';
import { UPSTREAM_COMPATIBLE_MAPPING } from '../mapping/default-mapping';
import { createIndexBuilder } from '../site-engine';
import { ingestFhir } from './fhir-ingest';

const ICD = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const LOINC = 'http://loinc.org';
const ATC = 'http://fhir.de/CodeSystem/bfarm/atc';
const MII_KDS = '/work/shared/fixtures/mii-kds';

const criterion = (context: string, system: string, code: string): StructuredQuery => ({
  inclusionCriteria: [[{ context: { system: 'fdpg.mii.cds', code: context }, termCodes: [{ system, code }] }]],
});
const DIABETES = criterion('Diagnose', ICD, 'E11');
const HBA1C = criterion('Laboruntersuchung', LOINC, '4548-4');
const ANTIDIABETICS = criterion('Medikamentenverordnung', ATC, 'A10');

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bundle-references-'));
});

afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function load(name: string, content: unknown, mapping = createIndexBuilder()) {
  const file = path.join(dir, name);
  await fs.writeFile(
    file,
    Array.isArray(content) ? content.map((r) => JSON.stringify(r)).join('\n') : JSON.stringify(content),
  );
  const summary = await ingestFhir([file], mapping);
  const index = mapping.finish();
  const count = (query: StructuredQuery): number =>
    evaluateQuery(index, query, { evaluationDate: '2025-01-01' }).rawCount;
  return { summary, count, index };
}

const uuid = (n: number): string => `${String(n).padStart(8, '0')}-1111-4222-8333-444455556666`;

/** A Synthea-style transaction: every link is a urn:uuid fullUrl; ids are the uuids, or absent as a server assigns. */
function syntheaBundle(patients: number, withIds: boolean) {
  const entry: object[] = [];
  const withId = (resource: Record<string, unknown>, id: string) => (withIds ? { ...resource, id } : resource);
  for (let p = 0; p < patients; p++) {
    const patient = uuid(p * 10);
    const medication = uuid(p * 10 + 3);
    entry.push(
      {
        fullUrl: `urn:uuid:${patient}`,
        resource: withId({ resourceType: 'Patient', gender: 'female' }, patient),
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: `urn:uuid:${uuid(p * 10 + 1)}`,
        resource: withId(
          {
            resourceType: 'Condition',
            subject: { reference: `urn:uuid:${patient}` },
            code: { coding: [{ system: ICD, code: 'E11.9' }] },
          },
          uuid(p * 10 + 1),
        ),
        request: { method: 'POST', url: 'Condition' },
      },
      {
        fullUrl: `urn:uuid:${uuid(p * 10 + 2)}`,
        resource: withId(
          {
            resourceType: 'Observation',
            subject: { reference: `urn:uuid:${patient}` },
            code: { coding: [{ system: LOINC, code: '4548-4' }] },
            valueQuantity: { value: 7.5, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
          },
          uuid(p * 10 + 2),
        ),
        request: { method: 'POST', url: 'Observation' },
      },
      {
        fullUrl: `urn:uuid:${medication}`,
        resource: withId(
          { resourceType: 'Medication', code: { coding: [{ system: ATC, code: 'A10BA02' }] } },
          medication,
        ),
        request: { method: 'POST', url: 'Medication' },
      },
      {
        fullUrl: `urn:uuid:${uuid(p * 10 + 4)}`,
        resource: withId(
          {
            resourceType: 'MedicationStatement',
            subject: { reference: `urn:uuid:${patient}` },
            medicationReference: { reference: `urn:uuid:${medication}` },
          },
          uuid(p * 10 + 4),
        ),
        request: { method: 'POST', url: 'MedicationStatement' },
      },
    );
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

describe('Bundle references', () => {
  it.each([
    ['with ids', true],
    ['without ids, as a server would assign them', false],
  ])('indexes every resource of a Synthea-style bundle linked by urn:uuid (%s)', async (_name, withIds) => {
    const { summary, count, index } = await load('synthea.json', syntheaBundle(3, withIds));
    expect(summary).toMatchObject({ resources: 15, indexed: 15, noPatient: 0, errors: 0 });
    expect(index.knownPatientCount).toBe(3);
    expect(count(DIABETES)).toBe(3);
    expect(count(HBA1C)).toBe(3);
    expect(count(ANTIDIABETICS)).toBe(3);
  });

  it('resolves a collection bundle with absolute RESTful fullUrls and absolute or relative references', async () => {
    const base = 'https://fhir.example.org/fhir';
    const { summary, count } = await load('collection.json', {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: `${base}/Patient/a`, resource: { resourceType: 'Patient', id: 'a' } },
        { fullUrl: `${base}/Patient/b`, resource: { resourceType: 'Patient' } },
        {
          fullUrl: `${base}/Condition/c1`,
          resource: {
            resourceType: 'Condition',
            id: 'c1',
            subject: { reference: `${base}/Patient/a` },
            code: { coding: [{ system: ICD, code: 'E11.9' }] },
          },
        },
        {
          fullUrl: `${base}/Condition/c2`,
          resource: {
            resourceType: 'Condition',
            id: 'c2',
            subject: { reference: 'Patient/b' },
            code: { coding: [{ system: ICD, code: 'E11.9' }] },
          },
        },
        {
          // A link to a fullUrl that is in no entry: no patient, counted as such.
          fullUrl: 'urn:uuid:9a4b8f70-0000-4000-8000-000000000001',
          resource: {
            resourceType: 'Condition',
            subject: { reference: 'urn:uuid:9a4b8f70-0000-4000-8000-00000000ffff' },
            code: { coding: [{ system: ICD, code: 'E11.9' }] },
          },
        },
      ],
    });
    expect(count(DIABETES)).toBe(2);
    expect(summary.byType.Condition).toMatchObject({ read: 3, indexed: 2, noPatient: 1 });
    expect(summary.byType.Patient).toMatchObject({ read: 2, indexed: 2 });
  });

  it('reads a Medication contained in the resource that references it, in both readings', async () => {
    const statement = {
      resourceType: 'MedicationStatement',
      id: 'ms1',
      subject: { reference: 'Patient/p1' },
      contained: [{ resourceType: 'Medication', id: 'med', code: { coding: [{ system: ATC, code: 'A10BA02' }] } }],
      medicationReference: { reference: '#med' },
    };
    const data = [
      { resourceType: 'Patient', id: 'p1' },
      statement,
      { ...statement, id: 'ms2', subject: { reference: 'Patient/p2' } },
      { resourceType: 'Patient', id: 'p2' },
    ];
    const clinical = await load('contained.ndjson', data);
    expect(clinical.count(ANTIDIABETICS)).toBe(2);
    expect(clinical.summary.byType.Medication).toMatchObject({ read: 2, indexed: 2, replaced: 0 });
    const upstream = await load(
      'contained-upstream.ndjson',
      data,
      createIndexBuilder({ mapping: UPSTREAM_COMPATIBLE_MAPPING }),
    );
    expect(upstream.count(ANTIDIABETICS)).toBe(2);
  });

  it('names a DELETE entry of a transaction loudly instead of calling it a bad entry', async () => {
    const { summary } = await load('delete.json', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'DELETE', url: 'Patient/p1' } },
        { resource: { resourceType: 'Patient', id: 'p2' } },
      ],
    });
    expect(summary.errorsByCode).toEqual({ ENGINE_INPUT_BUNDLE_DELETE_NOT_APPLIED: 1 });
    expect(summary.errorSamples[0].entry).toBe(0);
    expect(summary.errorSamples[0].message).toMatch(/^a DELETE entry: a deletion in a Bundle is not applied/);
  });

  it('loads the MII example bundles as before: relative references to RESTful fullUrls', async () => {
    const { summary } = await load('none.json', { resourceType: 'Bundle', type: 'collection' });
    expect(summary.resources).toBe(0);
    const builder = createIndexBuilder();
    const kds = await ingestFhir([MII_KDS], builder);
    expect(kds.resources).toBe(697);
    expect(kds.byType.Patient).toMatchObject({ read: 31, indexed: 31 });
    expect(kds.byType.Condition).toMatchObject({ read: 22, noPatient: 0 });
  });
});
