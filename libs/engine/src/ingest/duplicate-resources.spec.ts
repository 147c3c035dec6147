import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StructuredQuery } from '@fq/ccdl';
import { evaluateQueryNaively } from '../evaluate/__fixtures__/reference-evaluator';
import { evaluateQuery } from '../evaluate/evaluate-query';
import type { FhirResource } from '../fhirpath/fhir-resource';
import { createIndexBuilder } from '../site-engine';
import { ingestFhir } from './fhir-ingest';

const SNOMED = 'http://snomed.info/sct';
const ICD = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';

const gender = (code: string): StructuredQuery => ({
  inclusionCriteria: [
    [
      {
        context: { system: 'fdpg.mii.cds', code: 'Patient' },
        termCodes: [{ system: SNOMED, code: '263495000' }],
        valueFilter: {
          type: 'concept',
          selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code }],
        },
      },
    ],
  ],
});
const diagnosis = (code: string): StructuredQuery => ({
  inclusionCriteria: [[{ context: { system: 'fdpg.mii.cds', code: 'Diagnose' }, termCodes: [{ system: ICD, code }] }]],
});
const condition = (id: string, patient: string, code: string) => ({
  resourceType: 'Condition',
  id,
  subject: { reference: `Patient/${patient}` },
  code: { coding: [{ system: ICD, code }] },
});

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'duplicates-'));
});

afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function load(resources: object[]) {
  const file = path.join(dir, 'data.ndjson');
  await fs.writeFile(file, resources.map((r) => JSON.stringify(r)).join('\n'));
  const builder = createIndexBuilder();
  const summary = await ingestFhir([file], builder);
  const index = builder.finish();
  const count = (query: StructuredQuery): number =>
    evaluateQuery(index, query, { evaluationDate: '2025-01-01' }).rawCount;
  return { summary, index, count };
}

describe('duplicate resource ids', () => {
  it('keeps the later of two Patient versions: one patient is never both female and male', async () => {
    const { summary, index, count } = await load([
      { resourceType: 'Patient', id: 'p1', gender: 'female' },
      { resourceType: 'Patient', id: 'p2', gender: 'female' },
      { resourceType: 'Patient', id: 'p1', gender: 'male' },
    ]);
    expect(count(gender('female'))).toBe(1);
    expect(count(gender('male'))).toBe(1);
    expect(index.knownPatientCount).toBe(2);
    expect(summary.byType.Patient).toEqual({
      read: 3,
      indexed: 2,
      typeNotMapped: 0,
      codeNotMapped: 0,
      noPatient: 0,
      replaced: 1,
    });
    expect(summary.replaced).toBe(1);
  });

  it('drops an earlier Condition whose later version has another code or no patient', async () => {
    const { summary, count } = await load([
      condition('c1', 'p1', 'E11.9'),
      condition('c2', 'p2', 'E11.9'),
      { resourceType: 'Patient', id: 'p1' },
      { resourceType: 'Patient', id: 'p2' },
      condition('c1', 'p1', 'I10'),
      { ...condition('c2', 'p2', 'E11.9'), subject: { reference: 'Group/g1' } },
    ]);
    expect(count(diagnosis('E11.9'))).toBe(0);
    expect(count(diagnosis('I10'))).toBe(1);
    expect(summary.byType.Condition).toEqual({
      read: 4,
      indexed: 1,
      typeNotMapped: 0,
      codeNotMapped: 0,
      noPatient: 1,
      replaced: 2,
    });
  });

  it('keeps resources with the same id but another type apart', async () => {
    const { summary, count } = await load([
      { resourceType: 'Patient', id: 'x1', gender: 'female' },
      condition('x1', 'x1', 'I10'),
    ]);
    expect(count(gender('female'))).toBe(1);
    expect(count(diagnosis('I10'))).toBe(1);
    expect(summary.replaced).toBe(0);
  });

  it('accounts for every resource when many versions of many ids arrive in any order', async () => {
    const resources: object[] = [];
    for (let version = 0; version < 3; version++) {
      for (let i = 0; i < 200; i++) {
        resources.push(condition(`c${(i * 7919) % 200}`, `p${i % 50}`, version === 2 ? 'I10' : 'E11.9'));
      }
    }
    for (let i = 0; i < 50; i++) {
      resources.push({ resourceType: 'Patient', id: `p${i}` });
    }
    const { summary, count } = await load(resources);
    expect(summary.byType.Condition).toMatchObject({ read: 600, indexed: 200, replaced: 400 });
    expect(count(diagnosis('E11.9'))).toBe(0);
    expect(count(diagnosis('I10'))).toBe(50);
    // The reference evaluator, over every resource as read, agrees.
    const naive = (query: StructuredQuery): number =>
      evaluateQueryNaively(resources as FhirResource[], query, { evaluationDate: '2025-01-01' }).rawCount;
    expect([naive(diagnosis('E11.9')), naive(diagnosis('I10'))]).toEqual([0, 50]);
  });
});
