import fc from 'fast-check';
import type { FhirResource } from '../fhirpath/fhir-resource';
import type { CohortKeying } from '../index/cohort-keying';
import type { PatientIndex } from '../index/patient-index';
import { createIndexBuilder } from '../site-engine';
import { evaluationDateArb, miiDataSetArb, miiQueryArb } from './__fixtures__/arbitraries';
import { aQuery, condition, context, icd, patient } from './__fixtures__/builders';
import { evaluateQueryNaively } from './__fixtures__/reference-evaluator';
import { copyMemberBytes, memberBytes } from './cohort-key';
import { countCohort, countPatients, evaluateQuery } from './evaluate-query';

/**
 * A stand-in for a site's stable numbering: numbers given out in order of first request and kept across indexes, and
 * the size and the member bytes themselves (in hex) as the cohort's key, so a test can say which patients a key names.
 */
function createKeying(): CohortKeying & { numbers: Map<string, number> } {
  const numbers = new Map<string, number>();
  return {
    numbers,
    patientNumber(patientId) {
      let number = numbers.get(patientId);
      if (number === undefined) {
        number = numbers.size;
        numbers.set(patientId, number);
      }
      return number;
    },
    keyOf: (members, size) => `${size}:${Buffer.from(members).toString('hex')}`,
  };
}

/** The key `keying` gives the cohort of `patientIds`. */
function expectedKey(keying: ReturnType<typeof createKeying>, patientIds: readonly string[]): string {
  const members: number[] = [];
  for (const id of patientIds) {
    const number = keying.patientNumber(id);
    members[number >>> 3] = (members[number >>> 3] ?? 0) | (1 << (number & 7));
  }
  return `${new Set(patientIds).size}:${Buffer.from(Array.from(members, (byte) => byte ?? 0)).toString('hex')}`;
}

function indexOf(resources: readonly FhirResource[], keying: CohortKeying | null = createKeying()): PatientIndex {
  const builder = createIndexBuilder(keying === null ? {} : { cohortKeying: keying });
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
  const keying = createKeying();
  const index = indexOf(DATA, keying);
  const keyOf = (ids: readonly string[]) => expectedKey(keying, ids);

  it("names a cohort by its patients' numbers", () => {
    const result = countCohort(index, aQuery([[diagnosis('E11.9')]]), { evaluationDate: EVALUATION_DATE });
    expect(result).toEqual({ rawCount: 6, cohortKey: keyOf(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']) });
    const without = aQuery([[diagnosis('E11.9'), diagnosis('I10')], [diagnosis('E11.9')]], [[diagnosis('I10')]]);
    expect(countCohort(index, without, { evaluationDate: EVALUATION_DATE })).toEqual({
      rawCount: 4,
      cohortKey: keyOf(['p2', 'p3', 'p4', 'p5']),
    });
  });

  it('gives the empty cohort the key of no bytes, whatever the size of the index', () => {
    const nobody = aQuery([[diagnosis('Z99')]]);
    expect(countCohort(index, nobody, { evaluationDate: EVALUATION_DATE })).toEqual({ rawCount: 0, cohortKey: '0:' });
  });

  it('keeps a cohort its key when the data are reloaded in another order with patients added and removed', () => {
    const reloaded = indexOf(
      [
        ...[...DATA].reverse().filter((resource) => resource.id !== 'p7'),
        patient('new-1', { gender: 'female' }),
        condition('n1', 'new-1', ['I10']),
      ],
      keying,
    );
    const e11 = aQuery([[diagnosis('E11.9')]]);
    expect(countCohort(reloaded, e11, { evaluationDate: EVALUATION_DATE })).toEqual(
      countCohort(index, e11, { evaluationDate: EVALUATION_DATE }),
    );
    const i10 = aQuery([[diagnosis('I10')]]);
    expect(countCohort(reloaded, i10, { evaluationDate: EVALUATION_DATE })).toEqual({
      rawCount: 3,
      cohortKey: keyOf(['p0', 'p1', 'new-1']),
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

  it('refuses an index built without cohort keying, where evaluateQuery reports no key', () => {
    const unkeyed = indexOf(DATA, null);
    const query = aQuery([[diagnosis('E11.9')]]);
    expect(() => countCohort(unkeyed, query, { evaluationDate: EVALUATION_DATE })).toThrow(/cohort keying/);
    expect(evaluateQuery(unkeyed, query, { evaluationDate: EVALUATION_DATE }).cohortKey).toBeNull();
  });

  it('names the cohort the naive reference evaluator finds, for random data and queries', () => {
    fc.assert(
      fc.property(miiDataSetArb, miiQueryArb, miiQueryArb, evaluationDateArb, (resources, first, second, date) => {
        const numbering = createKeying();
        const keyed = indexOf(resources, numbering);
        const a = evaluateQueryNaively(resources, first, { evaluationDate: date });
        const b = evaluateQueryNaively(resources, second, { evaluationDate: date });
        const keyA = countCohort(keyed, first, { evaluationDate: date }).cohortKey;
        const keyB = countCohort(keyed, second, { evaluationDate: date }).cohortKey;
        expect(keyA).toBe(expectedKey(numbering, a.patientIds));
        // Equal keys exactly when the two queries select the same patients.
        expect(keyA === keyB).toBe(a.patientIds.join('\0') === b.patientIds.join('\0'));
      }),
      { numRuns: 100 },
    );
  });
});

describe('memberBytes', () => {
  it('drops trailing zero bytes and keeps patient n at bit n % 8 of byte n >> 3', () => {
    const words = Uint32Array.from([0x00000001, 0x00020000, 0, 0]);
    expect([...memberBytes(words)]).toEqual([1, 0, 0, 0, 0, 0, 2]);
    expect(memberBytes(new Uint32Array(3)).length).toBe(0);
  });

  it('gives the same bytes as the byte-order-independent copy, for random bitsets', () => {
    fc.assert(
      fc.property(fc.uint32Array({ maxLength: 40 }), (values) => {
        const bytes = memberBytes(values);
        expect([...bytes]).toEqual([...copyMemberBytes(values, bytes.length)]);
        expect(bytes.length === 0 || bytes[bytes.length - 1] !== 0).toBe(true);
      }),
    );
  });
});
