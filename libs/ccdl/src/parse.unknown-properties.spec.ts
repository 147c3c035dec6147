import { formatIssuePath } from '@fq/result';
import fc from 'fast-check';
import { queryArb } from './__fixtures__/arbitraries';
import { aCriterion, aQuery, aQueryWithValueFilter, aReferenceFilter, percent } from './__fixtures__/builders';
import { CRITERION, expectIssues, expectValid, issuesOf } from './__fixtures__/parse-expectations';
import { parseStructuredQuery, parseStructuredQueryWithWarnings } from './parse';
import { nearMissDistance } from './unknown-properties';

type Segment = string | number;

function warningsOf(input: unknown): { path: string; code: string; message: string }[] {
  const result = parseStructuredQueryWithWarnings(input);
  if (!result.ok) {
    throw new Error(`expected the query to be accepted: ${result.error.message}`);
  }
  return result.value.warnings;
}

/** Every object in a valid query with its path: the places a misspelled or unknown property can sit. */
function objectPaths(value: unknown, path: Segment[] = []): { path: Segment[]; keys: string[] }[] {
  if (Array.isArray(value)) {
    return value.flatMap((item: unknown, index) => objectPaths(item, [...path, index]));
  }
  if (typeof value === 'object' && value !== null) {
    const own = { path, keys: Object.keys(value) };
    return [own, ...Object.entries(value).flatMap(([key, item]) => objectPaths(item, [...path, key]))];
  }
  return [];
}

/** A copy of `query` with `key: extra` added to the object at `path`. */
function addProperty(query: unknown, path: readonly Segment[], key: string, extra: unknown): unknown {
  const [head, ...rest] = path;
  if (Array.isArray(query)) {
    return query.map((item: unknown, index) => (index === head ? addProperty(item, rest, key, extra) : item));
  }
  const record = query as Record<string, unknown>;
  if (head === undefined) {
    return { ...record, [key]: extra };
  }
  return { ...record, [head]: addProperty(record[head], rest, key, extra) };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

interface Typo {
  kind: 'case' | 'delete' | 'insert' | 'replace' | 'swap';
  at: number;
  letter: string;
}

/** One typo: change a letter's case, drop, insert, replace, or swap two neighbours. */
const typoArb: fc.Arbitrary<Typo> = fc.record({
  kind: fc.constantFrom<Typo['kind']>('case', 'delete', 'insert', 'replace', 'swap'),
  at: fc.nat(),
  letter: fc.constantFrom(...LETTERS),
});

function applyTypo(name: string, { kind, at, letter }: Typo): string {
  const i = at % name.length;
  switch (kind) {
    case 'case': {
      const char = name[i];
      const flipped = char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase();
      return name.slice(0, i) + flipped + name.slice(i + 1);
    }
    case 'delete':
      return name.slice(0, i) + name.slice(i + 1);
    case 'insert':
      return name.slice(0, i) + letter + name.slice(i);
    case 'replace':
      return name.slice(0, i) + letter + name.slice(i + 1);
    case 'swap':
      return i + 1 < name.length ? name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2) : name.toUpperCase();
  }
}

describe('parseStructuredQuery', () => {
  describe('misspelled properties', () => {
    it.each([
      ['valuefilter', 'valueFilter'],
      ['timeRestrictions', 'timeRestriction'],
      ['termcodes', 'termCodes'],
      ['attributefilter', 'attributeFilters'],
      ['TERMCODES', 'termCodes'],
      ['contxt', 'context'],
    ])('rejects %s on a criterion, naming %s', (misspelled, meant) => {
      const [issue] = issuesOf(aQuery(aCriterion({ [misspelled]: {} }))).filter(
        (found) => found.code === 'CCDL_PROPERTY_MISSPELLED',
      );
      expect(issue).toEqual({
        path: `${CRITERION}.${misspelled}`,
        code: 'CCDL_PROPERTY_MISSPELLED',
        message: `unknown property ${misspelled} at ${CRITERION}: did you mean ${meant}?`,
      });
    });

    it('rejects exclusioncriteria at the top level, the one issue of an otherwise valid query', () => {
      expectIssues(aQuery(aCriterion(), { exclusioncriteria: [[aCriterion()]] }), [
        { path: '$.exclusioncriteria', code: 'CCDL_PROPERTY_MISSPELLED' },
      ]);
    });

    it('rejects a misspelled unit code, value filter type and term code system at their depth', () => {
      expectIssues(
        aQueryWithValueFilter({
          type: 'quantity-comparator',
          comparator: 'gt',
          value: 7,
          unit: { ...percent, cdoe: '%' },
        }),
        [{ path: `${CRITERION}.valueFilter.unit.cdoe`, code: 'CCDL_PROPERTY_MISSPELLED' }],
      );
      expectIssues(
        aQueryWithValueFilter({ type: 'concept', selectedConcepts: [{ system: 's', code: 'c', sytem: 's' }] }),
        [{ path: `${CRITERION}.valueFilter.selectedConcepts[0].sytem`, code: 'CCDL_PROPERTY_MISSPELLED' }],
      );
    });

    it('checks a filter against the keys of its own kind', () => {
      // minValue belongs to quantity-range; on a comparator filter it is a near-miss of nothing, only unknown.
      const query = aQueryWithValueFilter({ type: 'quantity-comparator', comparator: 'gt', value: 7, minValue: 1 });
      expect(warningsOf(query)).toEqual([
        expect.objectContaining({ path: `${CRITERION}.valueFilter.minValue`, code: 'CCDL_UNKNOWN_PROPERTY' }),
      ]);
    });

    it('rejects a misspelling inside a criterion a reference filter carries', () => {
      const query = aQuery(aCriterion({ attributeFilters: [aReferenceFilter([aCriterion({ termcode: [] })])] }));
      expectIssues(query, [
        { path: `${CRITERION}.attributeFilters[0].criteria[0].termcode`, code: 'CCDL_PROPERTY_MISSPELLED' },
      ]);
    });

    it('rejects a misspelled cohortDefinition, and a misspelled dataExtraction in a CRTDL document', () => {
      expect(issuesOf({ cohortdefinition: aQuery() })).toContainEqual(
        expect.objectContaining({ path: '$.cohortdefinition', code: 'CCDL_PROPERTY_MISSPELLED' }),
      );
      expectIssues({ cohortDefinition: aQuery(), dataextraction: {} }, [
        { path: '$.dataextraction', code: 'CCDL_PROPERTY_MISSPELLED' },
      ]);
      expectIssues({ cohortDefinition: aQuery(aCriterion({ valuefilter: {} })) }, [
        { path: '$.cohortDefinition.inclusionCriteria[0][0].valuefilter', code: 'CCDL_PROPERTY_MISSPELLED' },
      ]);
    });

    it('rejects any one typo of a known property at any depth of a valid query, at that property’s path', () => {
      fc.assert(
        fc.property(
          queryArb,
          fc.nat(),
          fc.nat(),
          typoArb,
          fc.jsonValue(),
          (query, pickObject, pickKey, typo, extra) => {
            const objects = objectPaths(query);
            const target = objects[pickObject % objects.length];
            const known = target.keys[pickKey % target.keys.length];
            const misspelled = applyTypo(known, typo);
            // A typo may land on another property of the same object (minValue → maxValue) or on itself (swap aa).
            fc.pre(!target.keys.includes(misspelled) && misspelled !== known);
            const expected = formatIssuePath([...target.path, misspelled]);
            expect(issuesOf(addProperty(query, target.path, misspelled, extra))).toContainEqual(
              expect.objectContaining({ path: expected, code: 'CCDL_PROPERTY_MISSPELLED' }),
            );
          },
        ),
      );
    });
  });

  describe('other unknown properties', () => {
    it('accepts them and lists each as a warning with its path', () => {
      const query = aQuery(
        aCriterion({ note: 'from the 2023 protocol', termCodes: [{ system: 's', code: 'c', id: 1 }] }),
        {
          comment: 'x',
        },
      );
      expect(warningsOf(query)).toEqual([
        {
          path: '$.comment',
          code: 'CCDL_UNKNOWN_PROPERTY',
          message: 'unknown property comment at $: CCDL does not define it, so no site evaluates it',
        },
        expect.objectContaining({ path: `${CRITERION}.note`, code: 'CCDL_UNKNOWN_PROPERTY' }),
        expect.objectContaining({ path: `${CRITERION}.termCodes[0].id`, code: 'CCDL_UNKNOWN_PROPERTY' }),
      ]);
    });

    it('does not look inside an unknown property or a CRTDL dataExtraction', () => {
      expect(warningsOf(aQuery(aCriterion({ 'x-extra': { valuefilter: 1 } })))).toHaveLength(1);
      expect(
        warningsOf({ cohortDefinition: aQuery(), dataExtraction: { attributeGroups: [{ termcodes: 1 }] } }),
      ).toEqual([]);
    });

    it('has no warnings for a query that uses only CCDL properties', () => {
      fc.assert(fc.property(queryArb, (query) => expect(warningsOf(query)).toEqual([])));
    });

    it('never rejects a property three or more edits from every known name, at any depth', () => {
      // Three characters no CCDL property name contains: each needs its own edit, so no key built on them is near.
      const unrelatedKeyArb = fc
        .tuple(fc.string({ maxLength: 6 }), fc.constantFrom('_9$', '#0_', '9_9'), fc.string({ maxLength: 6 }))
        .map(([before, marker, after]) => `${before}${marker}${after}`);
      fc.assert(
        fc.property(queryArb, fc.nat(), unrelatedKeyArb, fc.jsonValue(), (query, pickObject, key, extra) => {
          const objects = objectPaths(query);
          const target = objects[pickObject % objects.length];
          const changed = addProperty(query, target.path, key, extra);
          expect(parseStructuredQuery(changed).ok).toBe(true);
          expect(warningsOf(changed)).toContainEqual(
            expect.objectContaining({ path: formatIssuePath([...target.path, key]), code: 'CCDL_UNKNOWN_PROPERTY' }),
          );
        }),
      );
    });

    it.each(['note', 'comment', 'id', 'label', 'description', 'author', 'title', 'text'])(
      'accepts the everyday word %s on a criterion and on a term code',
      (key) => {
        expectValid(aQuery(aCriterion({ [key]: 'x', termCodes: [{ system: 's', code: 'c', [key]: 'x' }] })));
      },
    );
  });

  describe('nearMissDistance', () => {
    it('counts case-only differences as 0 and a swap of neighbours as one edit', () => {
      expect(nearMissDistance('VALUEFILTER', 'valueFilter')).toBe(0);
      expect(nearMissDistance('tpye', 'type')).toBe(1);
      expect(nearMissDistance('tiemRestriciton', 'timeRestriction')).toBe(2);
    });

    it('allows one edit for names of up to four characters and two for longer ones', () => {
      expect(nearMissDistance('note', 'code')).toBeUndefined();
      expect(nearMissDistance('cod', 'code')).toBe(1);
      expect(nearMissDistance('valeu', 'value')).toBe(1);
      expect(nearMissDistance('vlue', 'value')).toBe(1);
      expect(nearMissDistance('vlu', 'value')).toBe(2);
      expect(nearMissDistance('termCodesXYZ', 'termCodes')).toBeUndefined();
    });

    it('is no near-miss of itself', () => {
      expect(nearMissDistance('value', 'value')).toBeUndefined();
    });
  });
});
