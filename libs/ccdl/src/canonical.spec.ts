import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { queryArb, replaceAt, scrambleQuery, seededRandom, termCodePaths } from './__fixtures__/arbitraries';
import { aCriterion, aQuery, diabetesType2, hba1c, laboratoryContext, percent } from './__fixtures__/builders';
import type { StructuredQuery } from './ccdl.schema';
import { canonicalizeQuery, hashQuery, serializeCanonicalQuery } from './canonical';
import { CanonicalQuery } from './canonical.schema';
import { parseStructuredQuery } from './parse';

/** Parses test input that must be valid; the tests below are about canonical form, not validation. */
function parsed(input: unknown): StructuredQuery {
  const result = parseStructuredQuery(input);
  if (!result.ok) {
    throw result.error;
  }
  return result.value;
}

function hashOf(input: unknown): string {
  return hashQuery(parsed(input));
}

const hba1cFixture = JSON.parse(readFileSync(path.join(__dirname, '__fixtures__/hba1c-query.json'), 'utf8')) as unknown;

// Three distinct criteria that the examples below move around.
const diabetes = aCriterion();
const hba1cAbove7 = aCriterion({
  context: laboratoryContext,
  termCodes: [hba1c],
  valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 7, unit: percent },
});
const cancer = aCriterion({
  termCodes: [{ system: diabetesType2.system, code: 'C50' }],
  timeRestriction: { afterDate: '2020-01-01', beforeDate: '2024-12-31' },
});
const base = { inclusionCriteria: [[diabetes, hba1cAbove7]], exclusionCriteria: [[cancer]] };

describe('canonicalizeQuery', () => {
  it('keeps only system and code of term codes and the code of units', () => {
    expect(canonicalizeQuery(parsed(aQuery(hba1cAbove7)))).toEqual({
      inclusionCriteria: [
        [
          {
            context: { system: laboratoryContext.system, code: 'Laboratory' },
            termCodes: [{ system: hba1c.system, code: hba1c.code }],
            valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 7, unit: { code: '%' } },
          },
        ],
      ],
    });
  });

  it('drops version, display and unknown properties at every level', () => {
    const noisy = aQuery(aCriterion({ termCodes: [{ ...diabetesType2, userSelected: true }], origin: 'ui' }), {
      version: 'x',
      display: 'y',
      id: 'q-1',
    });
    expect(canonicalizeQuery(parsed(noisy))).toEqual({
      inclusionCriteria: [
        [
          {
            context: { system: 'fdpg.mii.cds', code: 'Diagnose' },
            termCodes: [{ system: diabetesType2.system, code: 'E11' }],
          },
        ],
      ],
    });
  });

  it('leaves out absent optional parts instead of writing them as undefined', () => {
    const canonical = canonicalizeQuery(parsed(aQuery({ termCodes: [diabetesType2] })));
    expect(serializeCanonicalQuery(canonical)).toBe(
      '{"inclusionCriteria":[[{"termCodes":[{"code":"E11","system":"http://fhir.de/CodeSystem/bfarm/icd-10-gm"}]}]]}',
    );
  });

  it('sorts and de-duplicates term codes, concepts, filters, criteria and groups', () => {
    const concept = (code: string) => ({ system: 'http://hl7.org/fhir/administrative-gender', code });
    const criterion = aCriterion({
      termCodes: [
        { system: 'b', code: '2' },
        { system: 'a', code: '9' },
        { system: 'b', code: '2', display: 'dup' },
      ],
      valueFilter: { type: 'concept', selectedConcepts: [concept('male'), concept('female'), concept('male')] },
    });
    const canonical = canonicalizeQuery(parsed(aQuery(undefined, { inclusionCriteria: [[criterion, criterion]] })));
    const [[only]] = canonical.inclusionCriteria;
    expect(canonical.inclusionCriteria).toHaveLength(1);
    expect(canonical.inclusionCriteria[0]).toHaveLength(1);
    // Sorted by canonical JSON, whose keys are sorted: code before system.
    expect(only.termCodes).toEqual([
      { system: 'b', code: '2' },
      { system: 'a', code: '9' },
    ]);
    expect(only.valueFilter).toEqual({ type: 'concept', selectedConcepts: [concept('female'), concept('male')] });
  });

  it('omits an empty attributeFilters list', () => {
    expect(canonicalizeQuery(parsed(aQuery(aCriterion({ attributeFilters: [] }))))).toEqual(
      canonicalizeQuery(parsed(aQuery(aCriterion()))),
    );
  });

  it('produces a canonical form that is itself a valid query with the same canonical form', () => {
    fc.assert(
      fc.property(queryArb, (query) => {
        const canonical = canonicalizeQuery(parsed(query));
        expect(CanonicalQuery.safeParse(canonical).success).toBe(true);
        expect(canonicalizeQuery(parsed(canonical))).toEqual(canonical);
      }),
    );
  });
});

describe('hashQuery', () => {
  it('returns lowercase hex SHA-256', () => {
    expect(hashOf(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the hash of a known query stable across releases', () => {
    // The hash keys each site's privacy noise: changing it silently re-draws the noise for every stored query.
    expect(hashOf(hba1cFixture)).toBe('f3b7bbeec6728716f2f892ad7f834a37e4faf1efea18bd6449fb0d07a3b67f08');
  });

  describe('invariance', () => {
    it.each([
      ['key order', { exclusionCriteria: [[{ ...cancer }]], inclusionCriteria: [[hba1cAbove7, diabetes].reverse()] }],
      ['the order of OR-alternatives in an inclusion group', { ...base, inclusionCriteria: [[hba1cAbove7, diabetes]] }],
      [
        'a duplicated inclusion group',
        {
          ...base,
          inclusionCriteria: [
            [diabetes, hba1cAbove7],
            [hba1cAbove7, diabetes],
          ],
        },
      ],
      ['a duplicated criterion in a group', { ...base, inclusionCriteria: [[diabetes, hba1cAbove7, diabetes]] }],
      ['top-level version and display', { ...base, version: '2', display: 'renamed' }],
      ['an unknown top-level property', { ...base, requestedBy: 'someone' }],
      ['an unknown criterion property', { ...base, exclusionCriteria: [[{ ...cancer, colour: 'red' }]] }],
      [
        'term code display and version',
        {
          ...base,
          inclusionCriteria: [
            [{ ...diabetes, termCodes: [{ ...diabetesType2, display: 'T2DM', version: '2099' }] }, hba1cAbove7],
          ],
        },
      ],
      [
        'a unit display',
        {
          ...base,
          inclusionCriteria: [
            [
              diabetes,
              {
                ...hba1cAbove7,
                valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 7, unit: { code: '%' } },
              },
            ],
          ],
        },
      ],
    ])('ignores %s', (_change, variant) => {
      expect(hashOf(variant)).toBe(hashOf(base));
    });

    it('ignores the order of AND-groups in inclusion and OR-groups in exclusion', () => {
      const a = { inclusionCriteria: [[diabetes], [hba1cAbove7]], exclusionCriteria: [[cancer], [diabetes]] };
      const b = { inclusionCriteria: [[hba1cAbove7], [diabetes]], exclusionCriteria: [[diabetes], [cancer]] };
      expect(hashOf(a)).toBe(hashOf(b));
    });

    it('ignores the order and repetition of term codes', () => {
      const second = { system: diabetesType2.system, code: 'E11.9' };
      const a = aQuery(aCriterion({ termCodes: [diabetesType2, second] }));
      const b = aQuery(aCriterion({ termCodes: [second, diabetesType2, second] }));
      expect(hashOf(a)).toBe(hashOf(b));
    });

    it('ignores a CRTDL wrapper', () => {
      expect(hashOf({ cohortDefinition: base, dataExtraction: { attributeGroups: [] } })).toBe(hashOf(base));
    });

    it('ignores key order, array order, duplicates, display, version and unknown properties', () => {
      fc.assert(
        fc.property(queryArb, fc.integer(), (query, seed) => {
          const scrambled = scrambleQuery(query, seededRandom(seed));
          expect(hashOf(scrambled)).toBe(hashOf(query));
        }),
      );
    });
  });

  describe('sensitivity', () => {
    const withHba1c = (overrides: Record<string, unknown>) => ({
      ...base,
      inclusionCriteria: [[diabetes, { ...hba1cAbove7, ...overrides }]],
    });
    const withHba1cFilter = (overrides: Record<string, unknown>) =>
      withHba1c({
        valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 7, unit: percent, ...overrides },
      });

    it.each([
      ['a term code', withHba1c({ termCodes: [{ ...hba1c, code: '17856-6' }] })],
      ['a term code system', withHba1c({ termCodes: [{ ...hba1c, system: 'http://snomed.info/sct' }] })],
      ['an added term code', withHba1c({ termCodes: [hba1c, { ...hba1c, code: '17856-6' }] })],
      ['the context', withHba1c({ context: { ...laboratoryContext, code: 'Observation' } })],
      ['a missing context', withHba1c({ context: undefined })],
      ['the comparator', withHba1cFilter({ comparator: 'ge' })],
      ['the value', withHba1cFilter({ value: 7.5 })],
      ['the unit', withHba1cFilter({ unit: { code: 'mmol/mol' } })],
      ['a missing unit', withHba1cFilter({ unit: undefined })],
      [
        'the filter type',
        withHba1c({ valueFilter: { type: 'quantity-range', minValue: 7, maxValue: 7, unit: percent } }),
      ],
      ['an added time restriction', withHba1c({ timeRestriction: { afterDate: '2020-01-01' } })],
      [
        'a date',
        {
          ...base,
          exclusionCriteria: [[{ ...cancer, timeRestriction: { afterDate: '2020-01-02', beforeDate: '2024-12-31' } }]],
        },
      ],
      [
        'an attribute code',
        withHba1c({
          attributeFilters: [{ type: 'quantity-comparator', attributeCode: hba1c, comparator: 'gt', value: 1 }],
        }),
      ],
      [
        'moving a criterion from inclusion to exclusion',
        { inclusionCriteria: [[diabetes]], exclusionCriteria: [[cancer], [hba1cAbove7]] },
      ],
      ['moving a criterion into its own inclusion group', { ...base, inclusionCriteria: [[diabetes], [hba1cAbove7]] }],
      ['dropping exclusionCriteria', { inclusionCriteria: base.inclusionCriteria }],
      [
        'swapping inclusion and exclusion',
        { inclusionCriteria: base.exclusionCriteria, exclusionCriteria: base.inclusionCriteria },
      ],
    ])('changes with %s', (_change, variant) => {
      expect(hashOf(variant)).not.toBe(hashOf(base));
    });

    it('changes when a criterion moves between exclusion groups', () => {
      const a = { inclusionCriteria: [[diabetes]], exclusionCriteria: [[cancer, hba1cAbove7], [diabetes]] };
      const b = { inclusionCriteria: [[diabetes]], exclusionCriteria: [[cancer], [hba1cAbove7, diabetes]] };
      expect(hashOf(a)).not.toBe(hashOf(b));
    });

    it('changes when any term code anywhere gets a new code', () => {
      fc.assert(
        fc.property(queryArb, fc.nat(), fc.uuid(), (query, pick, fresh) => {
          const paths = termCodePaths(query);
          const target = paths[pick % paths.length];
          const changed = replaceAt(query, [...target, 'code'], `fresh-${fresh}`);
          expect(hashOf(changed)).not.toBe(hashOf(query));
        }),
      );
    });
  });
});
