import { parseStructuredQuery, type StructuredQuery } from '@fq/ccdl';
import { countCohort, createIndexBuilder, type PatientIndex } from '@fq/engine';
import { DEFAULT_PROTECTION_POLICY, type ProtectedCount } from '@fq/privacy';
import fc from 'fast-check';
import { memoryNumbering } from './__fixtures__/memory-numbering';
import { CountProtectionService } from './count-protection.service';

// The cell key method end to end at one site: what the engine selects decides the answer, however it was asked.

const SEED = 20261207;
const EVALUATION_DATE = '2025-06-01';
const CODES = ['E10.9', 'E11.9', 'I10', 'I25.1', 'J45.9', 'K50.9', 'C50.9', 'F32.9'] as const;
const UNKNOWN_CODES = ['Z99.9', 'Q00.0'];
const PATIENTS = 240;
const SECRET = new Uint8Array(32).fill(42);

/** A query over diagnoses: AND of ORs included, OR of ANDs excluded, as code lists. */
interface CodeQuery {
  include: string[][];
  exclude: string[][];
}

const diagnosis = (timeRestriction?: object) => (code: string) => ({
  context: { system: 'fdpg.mii.cds', code: 'Diagnose', display: 'Diagnose' },
  termCodes: [{ system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm', code, display: code }],
  ...(timeRestriction === undefined ? {} : { timeRestriction }),
});

function toCcdl(
  query: CodeQuery,
  extra: { inclusionCriteria?: unknown[][]; timeRestriction?: object } = {},
): StructuredQuery {
  const criterion = diagnosis(extra.timeRestriction);
  const parsed = parseStructuredQuery({
    inclusionCriteria: [...query.include.map((group) => group.map(criterion)), ...(extra.inclusionCriteria ?? [])],
    ...(query.exclude.length === 0 ? {} : { exclusionCriteria: query.exclude.map((group) => group.map(diagnosis())) }),
  });
  if (!parsed.ok) {
    throw parsed.error;
  }
  return parsed.value;
}

/** Which patients a code query selects, by the CCDL rules applied to the generated diagnoses directly. */
function selectedPatients(data: ReadonlyArray<ReadonlySet<string>>, query: CodeQuery): string {
  return data
    .map((codes, p) => {
      const included = query.include.every((group) => group.some((code) => codes.has(code)));
      const excluded = query.exclude.some((group) => group.every((code) => codes.has(code)));
      return included && !excluded ? `p${p}` : null;
    })
    .filter((id) => id !== null)
    .join(',');
}

const dataArb = fc.array(fc.subarray([...CODES]), { minLength: PATIENTS, maxLength: PATIENTS });
const groupArb = fc.subarray([...CODES], { minLength: 1, maxLength: 3 });
const queryArb: fc.Arbitrary<CodeQuery> = fc.record({
  include: fc.array(groupArb, { minLength: 1, maxLength: 2 }),
  exclude: fc.array(fc.subarray([...CODES], { minLength: 1, maxLength: 2 }), { maxLength: 2 }),
});

/** Ways to write a query so that it selects the same patients; each yields CCDL another hash would never match. */
const REWRITES: Array<(query: CodeQuery) => StructuredQuery> = [
  // An unknown code as one more alternative.
  (q) => toCcdl({ ...q, include: q.include.map((group, i) => (i === 0 ? [...group, UNKNOWN_CODES[0]] : group)) }),
  // An exclusion nobody matches.
  (q) => toCcdl({ ...q, exclude: [...q.exclude, [UNKNOWN_CODES[1]]] }),
  // An extra "age >= 0" group.
  (q) =>
    toCcdl(q, {
      inclusionCriteria: [
        [
          {
            context: { system: 'fdpg.mii.cds', code: 'Patient', display: 'Patient' },
            termCodes: [{ system: 'http://snomed.info/sct', code: '424144002', display: 'Age' }],
            valueFilter: { type: 'quantity-comparator', comparator: 'ge', value: 0, unit: { code: 'a' } },
          },
        ],
      ],
    }),
  // An included group repeated, with its codes reversed.
  (q) => toCcdl({ ...q, include: [...q.include, [...q.include[0]].reverse()] }),
  // An exclusion group that cannot hold: an unknown code AND a known one.
  (q) => toCcdl({ ...q, exclude: [...q.exclude, [UNKNOWN_CODES[1], q.include[0][0]]] }),
  // A time restriction that holds for every diagnosis (all are recorded in 2020).
  (q) => toCcdl(q, { timeRestriction: { beforeDate: '2999-12-31' } }),
];

function buildIndex(data: ReadonlyArray<ReadonlySet<string>>, protection: CountProtectionService): PatientIndex {
  const builder = createIndexBuilder({ cohortKeying: protection.cohortKeying });
  data.forEach((codes, p) => {
    builder.addResource({ resourceType: 'Patient', id: `p${p}`, gender: 'female', birthDate: '1970-01-01' });
    [...codes].forEach((code, c) =>
      builder.addResource({
        resourceType: 'Condition',
        id: `c${p}-${c}`,
        subject: { reference: `Patient/p${p}` },
        code: { coding: [{ system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm', code }] },
        recordedDate: '2020-03-04',
      }),
    );
  });
  return builder.finish();
}

function answer(index: PatientIndex, protection: CountProtectionService, query: StructuredQuery) {
  const cohort = countCohort(index, query, { evaluationDate: EVALUATION_DATE });
  return { rawCount: cohort.rawCount, result: protection.protect(cohort.rawCount, cohort.cohortKey) };
}

const noiseOf = (rawCount: number, result: ProtectedCount): number =>
  result.kind === 'count' ? result.protectedCount - rawCount : Number.NaN;

describe('protected counts keyed by the cohort', () => {
  const protection = new CountProtectionService(SECRET, DEFAULT_PROTECTION_POLICY, memoryNumbering());
  const noiseOnly = new CountProtectionService(
    SECRET,
    { ...DEFAULT_PROTECTION_POLICY, rounding: 1, threshold: 0 },
    memoryNumbering(),
  );

  it('answers every rewriting of a random query on random data exactly as the query', () => {
    fc.assert(
      fc.property(dataArb, queryArb, fc.nat(REWRITES.length - 1), (codes, query, rewrite) => {
        const data = codes.map((list) => new Set(list));
        const index = buildIndex(data, protection);
        const original = answer(index, protection, toCcdl(query));
        const rewritten = answer(index, protection, REWRITES[rewrite](query));
        expect(rewritten).toEqual(original);
        expect(answer(index, noiseOnly, REWRITES[rewrite](query))).toEqual(answer(index, noiseOnly, toCcdl(query)));
      }),
      { numRuns: 60, seed: SEED },
    );
  });

  const [codes] = fc.sample(dataArb, { numRuns: 1, seed: SEED });
  const data = codes.map((list) => new Set(list));
  const index = buildIndex(data, noiseOnly);
  // One query per distinct patient set, many sets of each size.
  const bySet = new Map<string, CodeQuery[]>();
  for (const query of fc.sample(queryArb, { numRuns: 6000, seed: SEED + 1 })) {
    const selected = selectedPatients(data, query);
    bySet.set(selected, [...(bySet.get(selected) ?? []), query]);
  }

  it('answers random queries that select the same patients identically', () => {
    let pairs = 0;
    for (const queries of bySet.values()) {
      const answers = queries.slice(0, 5).map((query) => answer(index, noiseOnly, toCcdl(query)));
      for (const other of answers.slice(1)) {
        expect(other).toEqual(answers[0]);
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(500);
  });

  it('draws independent noise for different cohorts of the same size (chi-square, 3 x 3 bins)', () => {
    // Disjoint pairs of distinct cohorts with equal raw counts, away from the clamp at 0.
    const bySize = new Map<number, number[]>();
    for (const [selected, queries] of bySet) {
      const { rawCount, result } = answer(index, noiseOnly, toCcdl(queries[0]));
      expect(rawCount).toBe(selected === '' ? 0 : selected.split(',').length);
      if (rawCount >= 20) {
        bySize.set(rawCount, [...(bySize.get(rawCount) ?? []), noiseOf(rawCount, result)]);
      }
    }
    const pairs: Array<[number, number]> = [];
    for (const noises of bySize.values()) {
      for (let i = 0; i + 1 < noises.length; i += 2) {
        pairs.push([noises[i], noises[i + 1]]);
      }
    }
    expect(pairs.length).toBeGreaterThan(400);
    const bin = (z: number): number => (z <= -2 ? 0 : z <= 1 ? 1 : 2);
    const table = [0, 1, 2].map(() => [0, 0, 0]);
    for (const [a, b] of pairs) {
      table[bin(a)][bin(b)]++;
    }
    const rows = table.map((row) => row.reduce((sum, n) => sum + n, 0));
    const columns = [0, 1, 2].map((j) => table.reduce((sum, row) => sum + row[j], 0));
    let chiSquare = 0;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const expected = (rows[i] * columns[j]) / pairs.length;
        chiSquare += (table[i][j] - expected) ** 2 / expected;
      }
    }
    // 4 degrees of freedom: 18.47 is the 0.1 % critical value. The seed is fixed, so this cannot flake.
    expect(chiSquare).toBeLessThan(18.47);
    // A count-keyed cache (the FDPG's) would give equal noise to every pair; independent draws agree ~13 % of the time.
    expect(pairs.filter(([a, b]) => a === b).length / pairs.length).toBeLessThan(0.25);
  });
});
