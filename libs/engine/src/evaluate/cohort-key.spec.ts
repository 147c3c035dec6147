import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { FhirResource } from '../fhirpath/fhir-resource';
import type { PatientIndex } from '../index/patient-index';
import { evaluationDateArb, miiDataSetArb, miiQueryArb } from '../reference/__fixtures__/arbitraries';
import { aQuery, condition, context, icd, patient } from '../reference/__fixtures__/builders';
import { evaluateQueryNaively } from '../reference/reference-evaluator';
import { createIndexBuilder } from '../site-engine';
import { countCohort, countPatients, evaluateQuery } from './evaluate-query';

/** A stand-in for the site's secret record keys: 16 bytes per patient id. */
function recordKeyOf(patientId: string): Uint8Array {
  return createHash('sha256').update(`record-key\0${patientId}`).digest().subarray(0, 16);
}

/** The XOR of the record keys of `patientIds`, as `countCohort` should name their cohort. */
function expectedKey(patientIds: readonly string[]): string {
  const folded = Buffer.alloc(16);
  for (const id of patientIds) {
    const key = recordKeyOf(id);
    for (let i = 0; i < 16; i++) {
      folded[i] ^= key[i];
    }
  }
  return folded.toString('hex');
}

function indexOf(resources: readonly FhirResource[], keyed = true): PatientIndex {
  const builder = createIndexBuilder(keyed ? { recordKeyOf } : {});
  for (const resource of resources) {
    builder.addResource(resource);
  }
  return builder.finish();
}

const EVALUATION_DATE = '2025-06-01';
const diagnosis = (code: string) => ({ context: context('Diagnose'), termCodes: [icd(code)] });

// Ten patients: p0-p5 have E11, p0-p1 also I10; p9's condition names a patient without a Patient resource.
const DATA: FhirResource[] = [
  ...Array.from({ length: 9 }, (_, i) => patient(`p${i}`, { gender: i % 2 === 0 ? 'female' : 'male' })),
  ...Array.from({ length: 6 }, (_, i) => condition(`e${i}`, `p${i}`, ['E11.9'])),
  condition('h0', 'p0', ['I10']),
  condition('h1', 'p1', ['I10']),
  condition('x', 'p9', ['E11.9']),
];

describe('countCohort', () => {
  const index = indexOf(DATA);

  it('names a cohort by the XOR of its patients record keys', () => {
    const result = countCohort(index, aQuery([[diagnosis('E11.9')]]), { evaluationDate: EVALUATION_DATE });
    expect(result).toEqual({ rawCount: 6, cohortKey: expectedKey(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']) });
  });

  it('folds a cohort of more than half the patients through its complement to the same key', () => {
    const e11WithoutI10 = aQuery([[diagnosis('E11.9'), diagnosis('I10')], [diagnosis('E11.9')]], [[diagnosis('I10')]]);
    const result = countCohort(index, e11WithoutI10, { evaluationDate: EVALUATION_DATE });
    expect(result).toEqual({ rawCount: 4, cohortKey: expectedKey(['p2', 'p3', 'p4', 'p5']) });
    const most = aQuery([[diagnosis('E11.9'), diagnosis('Z99')]]);
    expect(countCohort(index, most, { evaluationDate: EVALUATION_DATE }).cohortKey).toBe(
      expectedKey(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']),
    );
  });

  it('gives the empty cohort the key of zeros', () => {
    const nobody = aQuery([[diagnosis('Z99')]]);
    expect(countCohort(index, nobody, { evaluationDate: EVALUATION_DATE })).toEqual({
      rawCount: 0,
      cohortKey: '0'.repeat(32),
    });
  });

  it('gives the same key to differently written queries that select the same patients', () => {
    const plain = countCohort(index, aQuery([[diagnosis('I10')]]), { evaluationDate: EVALUATION_DATE });
    const rephrased = countCohort(
      index,
      aQuery([[diagnosis('I10'), diagnosis('Z99')], [diagnosis('E11.9')]], [[diagnosis('Z98')]]),
      { evaluationDate: EVALUATION_DATE },
    );
    expect(rephrased).toEqual(plain);
  });

  it('agrees with evaluateQuery and countPatients', () => {
    const query = aQuery([[diagnosis('E11.9')]], [[diagnosis('I10')]]);
    const evaluation = evaluateQuery(index, query, { evaluationDate: EVALUATION_DATE });
    const cohort = countCohort(index, query, { evaluationDate: EVALUATION_DATE });
    expect(evaluation.cohortKey).toBe(cohort.cohortKey);
    expect(evaluation.rawCount).toBe(cohort.rawCount);
    expect(countPatients(index, query, { evaluationDate: EVALUATION_DATE })).toBe(cohort.rawCount);
  });

  it('refuses an index built without record keys, where evaluateQuery reports no key', () => {
    const unkeyed = indexOf(DATA, false);
    const query = aQuery([[diagnosis('E11.9')]]);
    expect(() => countCohort(unkeyed, query, { evaluationDate: EVALUATION_DATE })).toThrow(/record keys/);
    expect(evaluateQuery(unkeyed, query, { evaluationDate: EVALUATION_DATE }).cohortKey).toBeNull();
  });

  it('names the cohort the naive reference evaluator finds, for random data and queries', () => {
    fc.assert(
      fc.property(miiDataSetArb, miiQueryArb, miiQueryArb, evaluationDateArb, (resources, first, second, date) => {
        const keyed = indexOf(resources);
        const a = evaluateQueryNaively(resources, first, { evaluationDate: date });
        const b = evaluateQueryNaively(resources, second, { evaluationDate: date });
        const keyA = countCohort(keyed, first, { evaluationDate: date }).cohortKey;
        const keyB = countCohort(keyed, second, { evaluationDate: date }).cohortKey;
        expect(keyA).toBe(expectedKey(a.patientIds));
        // Equal keys exactly when the two queries select the same patients.
        expect(keyA === keyB).toBe(a.patientIds.join('\0') === b.patientIds.join('\0'));
      }),
      { numRuns: 100 },
    );
  });
});
