import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { allPaths, queryArb, replaceAt } from './__fixtures__/arbitraries';
import {
  aCriterion,
  aQuery,
  aQueryWithAttributeFilters,
  aQueryWithValueFilter,
  aReferenceFilter,
  diabetesType2,
  hba1c,
  percent,
} from './__fixtures__/builders';
import { CcdlJsonError, CcdlValidationError, type CcdlIssue } from './errors';
import { parseStructuredQuery, parseStructuredQueryJson } from './parse';

// The upstream examples stay in ../shared (licence terms); they are read in place, never copied.
const EXAMPLES_DIR = path.resolve(__dirname, '../../../../shared/ccdl/examples');
const CRITERION = '$.inclusionCriteria[0][0]';

function listJsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return listJsonFiles(full);
    }
    return entry.name.endsWith('.json') ? [full] : [];
  });
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

function issuesOf(input: unknown): CcdlIssue[] {
  const result = parseStructuredQuery(input);
  if (result.ok) {
    throw new Error('expected the query to be rejected');
  }
  return result.error.issues;
}

function expectValid(input: unknown): void {
  const result = parseStructuredQuery(input);
  expect(result.ok ? [] : result.error.issues).toEqual([]);
}

/** Asserts exactly these issues (path and code), in any order. */
function expectIssues(input: unknown, expected: { path: string; code: string }[]): void {
  const actual = issuesOf(input).map(({ path: issuePath, code }) => ({ path: issuePath, code }));
  expect(actual).toEqual(expect.arrayContaining(expected));
  expect(actual).toHaveLength(expected.length);
}

/** Asserts exactly one issue and returns it for a closer look at its message. */
function expectSingleIssue(input: unknown, expected: { path: string; code: string }): CcdlIssue {
  expectIssues(input, [expected]);
  const [issue] = issuesOf(input);
  return issue;
}

describe('parseStructuredQuery', () => {
  describe('upstream examples', () => {
    const files = listJsonFiles(EXAMPLES_DIR);

    it('finds the example files in ../shared', () => {
      expect(files.length).toBeGreaterThanOrEqual(6);
    });

    it.each(files.map((file) => [path.relative(EXAMPLES_DIR, file), file]))('accepts %s', (_name, file) => {
      expectValid(readJson(file));
    });

    it('unwraps a CRTDL document and returns its cohortDefinition', () => {
      const result = parseStructuredQuery(
        readJson(path.join(EXAMPLES_DIR, 'feasibility-gui/Single_Inclusion_Criteria_With_Patient.json')),
      );
      expect(result.ok && result.value.inclusionCriteria[0][0].termCodes[0].code).toBe('I118347');
      expect(result.ok && 'dataExtraction' in result.value).toBe(false);
    });

    it('accepts the legacy pre-context query without context', () => {
      const result = parseStructuredQuery(
        readJson(path.join(EXAMPLES_DIR, 'feasibility-backend/2021_10_18_StructuredQueryV2Example.json')),
      );
      expect(result.ok && result.value.inclusionCriteria[0][0].context).toBeUndefined();
    });
  });

  describe('input that is not a query object', () => {
    it.each([
      ['null', null],
      ['an array', []],
      ['a string', 'inclusionCriteria'],
      ['a number', 42],
    ])('rejects %s at the root', (_name, input) => {
      expectSingleIssue(input, { path: '$', code: 'CCDL_INVALID_TYPE' });
    });

    it('reports a missing query as required', () => {
      const issue = expectSingleIssue(undefined, { path: '$', code: 'CCDL_REQUIRED' });
      expect(issue.message).toBe('the query is required (an object)');
    });

    it('says what it got', () => {
      expect(issuesOf([])[0].message).toBe('the query must be an object, got an array');
    });
  });

  describe('inclusionCriteria', () => {
    it('rejects a query without inclusionCriteria', () => {
      const issue = expectSingleIssue({ version: '2' }, { path: '$.inclusionCriteria', code: 'CCDL_REQUIRED' });
      expect(issue.message).toBe('inclusionCriteria is required (an array)');
    });

    it('rejects empty inclusionCriteria', () => {
      const issue = expectSingleIssue(aQuery(undefined, { inclusionCriteria: [] }), {
        path: '$.inclusionCriteria',
        code: 'CCDL_TOO_SMALL',
      });
      expect(issue.message).toBe('expected at least 1 inclusion group');
    });

    it('rejects an empty inclusion group', () => {
      const issue = expectSingleIssue(aQuery(undefined, { inclusionCriteria: [[aCriterion()], []] }), {
        path: '$.inclusionCriteria[1]',
        code: 'CCDL_TOO_SMALL',
      });
      expect(issue.message).toBe('expected at least 1 criterion in inclusion group 1');
    });

    it('rejects an inclusion group that is not an array', () => {
      expectSingleIssue(aQuery(undefined, { inclusionCriteria: [aCriterion()] }), {
        path: '$.inclusionCriteria[0]',
        code: 'CCDL_INVALID_TYPE',
      });
    });
  });

  describe('exclusionCriteria', () => {
    it('accepts a query without exclusionCriteria', () => {
      expectValid(aQuery());
    });

    it('rejects empty exclusionCriteria', () => {
      expectSingleIssue(aQuery(undefined, { exclusionCriteria: [] }), {
        path: '$.exclusionCriteria',
        code: 'CCDL_TOO_SMALL',
      });
    });

    it('rejects an empty exclusion group', () => {
      const issue = expectSingleIssue(aQuery(undefined, { exclusionCriteria: [[aCriterion()], []] }), {
        path: '$.exclusionCriteria[1]',
        code: 'CCDL_TOO_SMALL',
      });
      expect(issue.message).toBe('expected at least 1 criterion in exclusion group 1');
    });
  });

  describe('termCodes', () => {
    it('rejects a criterion without termCodes', () => {
      expectSingleIssue(aQuery({ context: aCriterion().context }), {
        path: `${CRITERION}.termCodes`,
        code: 'CCDL_REQUIRED',
      });
    });

    it('rejects a criterion with an empty termCodes list', () => {
      const issue = expectSingleIssue(aQuery(aCriterion({ termCodes: [] })), {
        path: `${CRITERION}.termCodes`,
        code: 'CCDL_TOO_SMALL',
      });
      expect(issue.message).toBe('expected at least 1 termCode');
    });

    it('rejects a termCode without system', () => {
      expectSingleIssue(aQuery(aCriterion({ termCodes: [{ code: 'E11' }] })), {
        path: `${CRITERION}.termCodes[0].system`,
        code: 'CCDL_REQUIRED',
      });
    });

    it('rejects a termCode with an empty code', () => {
      const issue = expectSingleIssue(aQuery(aCriterion({ termCodes: [{ ...diabetesType2, code: '' }] })), {
        path: `${CRITERION}.termCodes[0].code`,
        code: 'CCDL_TOO_SMALL',
      });
      expect(issue.message).toBe('code must not be empty');
    });

    it('rejects a termCode whose code is a number', () => {
      const issue = expectSingleIssue(aQuery(aCriterion({ termCodes: [{ ...diabetesType2, code: 11 }] })), {
        path: `${CRITERION}.termCodes[0].code`,
        code: 'CCDL_INVALID_TYPE',
      });
      expect(issue.message).toBe('code must be a string, got the number 11');
    });

    it('accepts a termCode without display', () => {
      expectValid(aQuery(aCriterion({ termCodes: [{ system: diabetesType2.system, code: 'E11' }] })));
    });

    it('accepts a criterion without context', () => {
      expectValid(aQuery({ termCodes: [diabetesType2] }));
    });
  });

  describe('valueFilter', () => {
    it('accepts each filter type with its fields', () => {
      expectValid(aQueryWithValueFilter({ type: 'concept', selectedConcepts: [diabetesType2] }));
      expectValid(aQueryWithValueFilter({ type: 'quantity-comparator', comparator: 'gt', value: 7, unit: percent }));
      expectValid(aQueryWithValueFilter({ type: 'quantity-range', minValue: 6.5, maxValue: 8, unit: percent }));
    });

    it('rejects a concept filter without selectedConcepts', () => {
      expectSingleIssue(aQueryWithValueFilter({ type: 'concept' }), {
        path: `${CRITERION}.valueFilter.selectedConcepts`,
        code: 'CCDL_REQUIRED',
      });
    });

    it('rejects a concept filter with no selected concept', () => {
      const issue = expectSingleIssue(aQueryWithValueFilter({ type: 'concept', selectedConcepts: [] }), {
        path: `${CRITERION}.valueFilter.selectedConcepts`,
        code: 'CCDL_TOO_SMALL',
      });
      expect(issue.message).toBe('expected at least 1 selected concept');
    });

    it('rejects a quantity-comparator filter without comparator and value', () => {
      expectIssues(aQueryWithValueFilter({ type: 'quantity-comparator', unit: percent }), [
        { path: `${CRITERION}.valueFilter.comparator`, code: 'CCDL_REQUIRED' },
        { path: `${CRITERION}.valueFilter.value`, code: 'CCDL_REQUIRED' },
      ]);
      expect(issuesOf(aQueryWithValueFilter({ type: 'quantity-comparator', value: 7 }))[0].message).toBe(
        'comparator is required (one of gt, ge, lt, le, eq, ne)',
      );
    });

    it('rejects a quantity-comparator value given as a string', () => {
      const issue = expectSingleIssue(
        aQueryWithValueFilter({ type: 'quantity-comparator', comparator: 'gt', value: '7' }),
        {
          path: `${CRITERION}.valueFilter.value`,
          code: 'CCDL_INVALID_TYPE',
        },
      );
      expect(issue.message).toBe('value must be a number, got "7"');
    });

    it('rejects a quantity-range filter without minValue and maxValue', () => {
      expectIssues(aQueryWithValueFilter({ type: 'quantity-range', unit: percent }), [
        { path: `${CRITERION}.valueFilter.minValue`, code: 'CCDL_REQUIRED' },
        { path: `${CRITERION}.valueFilter.maxValue`, code: 'CCDL_REQUIRED' },
      ]);
    });

    it('rejects a quantity-range filter whose maxValue is below its minValue', () => {
      expectSingleIssue(aQueryWithValueFilter({ type: 'quantity-range', minValue: 8, maxValue: 6.5 }), {
        path: `${CRITERION}.valueFilter.maxValue`,
        code: 'CCDL_VALUE_RANGE_INVERTED',
      });
    });

    it('accepts a quantity-range filter with equal bounds', () => {
      expectValid(aQueryWithValueFilter({ type: 'quantity-range', minValue: 7, maxValue: 7 }));
    });

    it('rejects a unit without code', () => {
      expectSingleIssue(aQueryWithValueFilter({ type: 'quantity-comparator', comparator: 'gt', value: 7, unit: {} }), {
        path: `${CRITERION}.valueFilter.unit.code`,
        code: 'CCDL_REQUIRED',
      });
    });

    it('rejects an unknown filter type', () => {
      const issue = expectSingleIssue(aQueryWithValueFilter({ type: 'quantity-between', minValue: 1 }), {
        path: `${CRITERION}.valueFilter.type`,
        code: 'CCDL_INVALID_DISCRIMINATOR',
      });
      expect(issue.message).toBe(
        'type must be one of concept, quantity-comparator, quantity-range, got "quantity-between"',
      );
    });

    it('rejects a reference filter as a value filter', () => {
      expectSingleIssue(aQueryWithValueFilter(aReferenceFilter()), {
        path: `${CRITERION}.valueFilter.type`,
        code: 'CCDL_INVALID_DISCRIMINATOR',
      });
    });

    it('rejects a filter without type', () => {
      expectSingleIssue(aQueryWithValueFilter({ selectedConcepts: [diabetesType2] }), {
        path: `${CRITERION}.valueFilter.type`,
        code: 'CCDL_REQUIRED',
      });
    });
  });

  describe('comparator', () => {
    it.each(['gt', 'ge', 'lt', 'le', 'eq', 'ne'])('accepts %s', (comparator) => {
      expectValid(aQueryWithValueFilter({ type: 'quantity-comparator', comparator, value: 7, unit: percent }));
    });

    it.each(['gte', 'GT', '>', ''])('rejects %j', (comparator) => {
      const issue = expectSingleIssue(aQueryWithValueFilter({ type: 'quantity-comparator', comparator, value: 7 }), {
        path: `${CRITERION}.valueFilter.comparator`,
        code: 'CCDL_INVALID_ENUM',
      });
      expect(issue.message).toBe(`comparator must be one of gt, ge, lt, le, eq, ne, got ${JSON.stringify(comparator)}`);
    });
  });

  describe('attributeFilters', () => {
    const attributeCode = { system: 'mii.abide', code: 'status', display: 'status' };
    const filters = {
      concept: { type: 'concept', selectedConcepts: [{ system: 'http://hl7.org/fhir', code: 'active' }] },
      'quantity-comparator': { type: 'quantity-comparator', comparator: 'ge', value: 2 },
      'quantity-range': { type: 'quantity-range', minValue: 1, maxValue: 2 },
    };
    const ATTRIBUTE = `${CRITERION}.attributeFilters[0]`;

    it.each(Object.entries(filters))('accepts a %s attribute filter with attributeCode', (_type, filter) => {
      expectValid(aQueryWithAttributeFilters({ attributeCode, ...filter }));
    });

    it.each(Object.entries(filters))('rejects a %s attribute filter without attributeCode', (_type, filter) => {
      expectSingleIssue(aQueryWithAttributeFilters(filter), {
        path: `${ATTRIBUTE}.attributeCode`,
        code: 'CCDL_REQUIRED',
      });
    });

    it('accepts an empty attributeFilters list', () => {
      expectValid(aQueryWithAttributeFilters());
    });

    it('rejects a concept attribute filter with no selected concept', () => {
      expectSingleIssue(aQueryWithAttributeFilters({ attributeCode, type: 'concept', selectedConcepts: [] }), {
        path: `${ATTRIBUTE}.selectedConcepts`,
        code: 'CCDL_TOO_SMALL',
      });
    });

    it('rejects a quantity-comparator attribute filter without comparator and value', () => {
      expectIssues(aQueryWithAttributeFilters({ attributeCode, type: 'quantity-comparator' }), [
        { path: `${ATTRIBUTE}.comparator`, code: 'CCDL_REQUIRED' },
        { path: `${ATTRIBUTE}.value`, code: 'CCDL_REQUIRED' },
      ]);
    });

    it('rejects a quantity-range attribute filter without minValue and maxValue', () => {
      expectIssues(aQueryWithAttributeFilters({ attributeCode, type: 'quantity-range' }), [
        { path: `${ATTRIBUTE}.minValue`, code: 'CCDL_REQUIRED' },
        { path: `${ATTRIBUTE}.maxValue`, code: 'CCDL_REQUIRED' },
      ]);
    });

    it('rejects an inverted quantity-range attribute filter', () => {
      expectSingleIssue(
        aQueryWithAttributeFilters({ attributeCode, type: 'quantity-range', minValue: 3, maxValue: 2 }),
        {
          path: `${ATTRIBUTE}.maxValue`,
          code: 'CCDL_VALUE_RANGE_INVERTED',
        },
      );
    });

    it('rejects an unknown attribute filter type', () => {
      const issue = expectSingleIssue(aQueryWithAttributeFilters({ attributeCode, type: 'text', value: 'x' }), {
        path: `${ATTRIBUTE}.type`,
        code: 'CCDL_INVALID_DISCRIMINATOR',
      });
      expect(issue.message).toBe(
        'type must be one of concept, quantity-comparator, quantity-range, reference, got "text"',
      );
    });
  });

  describe('reference attribute filters', () => {
    const REFERENCE = `${CRITERION}.attributeFilters[0]`;

    it('accepts a reference filter whose criteria carry plain attribute filters', () => {
      const nested = aCriterion({
        attributeFilters: [{ type: 'quantity-comparator', attributeCode: hba1c, comparator: 'lt', value: 1 }],
      });
      expectValid(aQueryWithAttributeFilters(aReferenceFilter([nested, aCriterion()])));
    });

    it('rejects a reference filter without criteria', () => {
      expectSingleIssue(aQueryWithAttributeFilters({ ...aReferenceFilter(), criteria: undefined }), {
        path: `${REFERENCE}.criteria`,
        code: 'CCDL_REQUIRED',
      });
    });

    it('rejects a reference filter with an empty criteria list', () => {
      const issue = expectSingleIssue(aQueryWithAttributeFilters(aReferenceFilter([])), {
        path: `${REFERENCE}.criteria`,
        code: 'CCDL_TOO_SMALL',
      });
      expect(issue.message).toBe('expected at least 1 criterion in the reference filter');
    });

    it('rejects a reference filter without attributeCode', () => {
      expectSingleIssue(aQueryWithAttributeFilters({ ...aReferenceFilter(), attributeCode: undefined }), {
        path: `${REFERENCE}.attributeCode`,
        code: 'CCDL_REQUIRED',
      });
    });

    it('validates the referenced criteria', () => {
      expectSingleIssue(aQueryWithAttributeFilters(aReferenceFilter([aCriterion(), aCriterion({ termCodes: [] })])), {
        path: `${REFERENCE}.criteria[1].termCodes`,
        code: 'CCDL_TOO_SMALL',
      });
    });

    it('rejects a reference filter inside a referenced criterion', () => {
      const nested = aCriterion({ attributeFilters: [aReferenceFilter()] });
      const issue = expectSingleIssue(aQueryWithAttributeFilters(aReferenceFilter([nested])), {
        path: `${REFERENCE}.criteria[0].attributeFilters[0].type`,
        code: 'CCDL_NESTED_REFERENCE',
      });
      expect(issue.message).toBe('a criterion inside a reference filter cannot have a reference filter of its own');
    });
  });

  describe('timeRestriction', () => {
    const withTime = (timeRestriction: unknown) => aQuery(aCriterion({ timeRestriction }));
    const TIME = `${CRITERION}.timeRestriction`;

    it('accepts afterDate only, beforeDate only and both', () => {
      expectValid(withTime({ afterDate: '2020-01-01' }));
      expectValid(withTime({ beforeDate: '2024-12-31' }));
      expectValid(withTime({ afterDate: '2020-01-01', beforeDate: '2024-12-31' }));
    });

    it('accepts beforeDate equal to afterDate', () => {
      expectValid(withTime({ afterDate: '2024-02-29', beforeDate: '2024-02-29' }));
    });

    it('rejects beforeDate before afterDate', () => {
      const issue = expectSingleIssue(withTime({ afterDate: '2024-01-02', beforeDate: '2024-01-01' }), {
        path: `${TIME}.beforeDate`,
        code: 'CCDL_TIME_RANGE_INVERTED',
      });
      expect(issue.message).toBe('beforeDate 2024-01-01 is before afterDate 2024-01-02');
    });

    it('rejects a time restriction with neither date', () => {
      expectSingleIssue(withTime({}), { path: TIME, code: 'CCDL_TIME_RANGE_EMPTY' });
    });

    it.each(['2021-13-01', '2021-02-30', '2023-02-29', '2021-1-01', '01.02.2021', '2021-01-01T00:00:00Z', ''])(
      'rejects the date %j',
      (afterDate) => {
        const issue = expectSingleIssue(withTime({ afterDate }), {
          path: `${TIME}.afterDate`,
          code: 'CCDL_INVALID_DATE',
        });
        expect(issue.message).toBe(`afterDate must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(afterDate)}`);
      },
    );

    it('rejects a date given as a number', () => {
      expectSingleIssue(withTime({ beforeDate: 20210101 }), { path: `${TIME}.beforeDate`, code: 'CCDL_INVALID_TYPE' });
    });

    it('accepts 29 February in a leap year', () => {
      expectValid(withTime({ afterDate: '2000-02-29' }));
    });
  });

  describe('version', () => {
    it.each([
      ['missing', undefined],
      ['the v2 constant', '2'],
      ['a legacy schema URL', 'http://to_be_decided.com/draft-1/schema#'],
      ['an empty string', ''],
    ])('accepts a version that is %s', (_name, version) => {
      expectValid(aQuery(undefined, { version }));
    });

    it('rejects a version that is not a string', () => {
      expectSingleIssue(aQuery(undefined, { version: 2 }), { path: '$.version', code: 'CCDL_INVALID_TYPE' });
    });
  });

  describe('unknown properties', () => {
    it('keeps unknown properties at every level', () => {
      const input = aQuery(
        aCriterion({
          termCodes: [{ ...diabetesType2, userSelected: true }],
          valueFilter: { type: 'concept', selectedConcepts: [diabetesType2], note: 'filter' },
          timeRestriction: { afterDate: '2020-01-01', precision: 'day' },
          origin: 'ui',
        }),
        { id: 'q-1', meta: { author: 'x' } },
      );
      const result = parseStructuredQuery(input);
      expect(result.ok && result.value).toEqual(input);
    });
  });

  describe('CRTDL documents', () => {
    it('reports issues with paths below $.cohortDefinition', () => {
      expectSingleIssue(
        { cohortDefinition: aQuery(aCriterion({ termCodes: [] })), dataExtraction: {} },
        { path: '$.cohortDefinition.inclusionCriteria[0][0].termCodes', code: 'CCDL_TOO_SMALL' },
      );
    });

    it('rejects a cohortDefinition that is not an object', () => {
      const issue = expectSingleIssue(
        { cohortDefinition: 'q' },
        { path: '$.cohortDefinition', code: 'CCDL_INVALID_TYPE' },
      );
      expect(issue.message).toBe('cohortDefinition must be an object, got "q"');
    });

    it('rejects a document with both cohortDefinition and top-level criteria', () => {
      expectSingleIssue(
        { cohortDefinition: aQuery(), inclusionCriteria: [[aCriterion()]] },
        { path: '$.inclusionCriteria', code: 'CCDL_AMBIGUOUS_DOCUMENT' },
      );
    });
  });

  describe('several problems', () => {
    it('reports every issue with its path', () => {
      const input = readJson(path.join(__dirname, '__fixtures__/several-problems.json'));
      expectIssues(input, [
        { path: '$.inclusionCriteria[0][0].termCodes', code: 'CCDL_TOO_SMALL' },
        { path: '$.inclusionCriteria[0][1].valueFilter.comparator', code: 'CCDL_INVALID_ENUM' },
        { path: '$.inclusionCriteria[0][1].valueFilter.value', code: 'CCDL_INVALID_TYPE' },
        { path: '$.inclusionCriteria[1]', code: 'CCDL_TOO_SMALL' },
        { path: '$.exclusionCriteria[0][0].termCodes[0].system', code: 'CCDL_REQUIRED' },
        { path: '$.exclusionCriteria[0][0].timeRestriction.beforeDate', code: 'CCDL_TIME_RANGE_INVERTED' },
        { path: '$.exclusionCriteria[0][0].attributeFilters[0].type', code: 'CCDL_INVALID_DISCRIMINATOR' },
      ]);
    });

    it('returns a CcdlValidationError that summarises the first issue', () => {
      const result = parseStructuredQuery(readJson(path.join(__dirname, '__fixtures__/several-problems.json')));
      expect(result.ok).toBe(false);
      const error = result.ok ? undefined : result.error;
      expect(error).toBeInstanceOf(CcdlValidationError);
      expect(error?.code).toBe('CCDL_INVALID');
      expect(error?.message).toBe(
        'invalid CCDL query: $.inclusionCriteria[0][0].termCodes: expected at least 1 termCode (and 6 more issues)',
      );
    });
  });

  describe('arbitrary input', () => {
    const expectWellFormedResult = (input: unknown): void => {
      const result = parseStructuredQuery(input);
      if (!result.ok) {
        expect(result.error.issues.length).toBeGreaterThan(0);
        for (const issue of result.error.issues) {
          expect(issue.path).toMatch(/^\$/);
          expect(issue.code).toMatch(/^CCDL_[A-Z_]+$/);
          expect(issue.message.length).toBeGreaterThan(0);
        }
      }
    };

    it('never throws on arbitrary JSON', () => {
      fc.assert(fc.property(fc.jsonValue(), (input) => expectWellFormedResult(input)));
    });

    it('never throws on arbitrary JavaScript values', () => {
      fc.assert(fc.property(fc.anything(), (input) => expectWellFormedResult(input)));
    });

    it('never throws when one node of a valid query is replaced by arbitrary JSON', () => {
      fc.assert(
        fc.property(queryArb, fc.nat(), fc.jsonValue(), (query, pick, replacement) => {
          const paths = allPaths(query);
          expectWellFormedResult(replaceAt(query, paths[pick % paths.length], replacement));
        }),
      );
    });

    it('accepts every generated valid query', () => {
      fc.assert(fc.property(queryArb, (query) => expectValid(query)));
    });
  });
});

describe('parseStructuredQueryJson', () => {
  it('parses valid text', () => {
    const result = parseStructuredQueryJson(JSON.stringify(aQuery()));
    expect(result.ok && result.value.inclusionCriteria[0][0].termCodes[0].code).toBe('E11');
  });

  it('accepts text that starts with a byte-order mark', () => {
    expect(parseStructuredQueryJson(`\uFEFF${JSON.stringify(aQuery())}`).ok).toBe(true);
  });

  it('rejects text that is not JSON with CCDL_JSON_SYNTAX', () => {
    const result = parseStructuredQueryJson('{"inclusionCriteria": [[');
    const error = result.ok ? undefined : result.error;
    expect(error).toBeInstanceOf(CcdlJsonError);
    expect(error?.code).toBe('CCDL_JSON_SYNTAX');
    expect(error?.issues).toEqual([
      { path: '$', code: 'CCDL_JSON_SYNTAX', message: expect.stringMatching(/^the text is not valid JSON: /) as unknown },
    ]);
    expect(error?.cause).toBeInstanceOf(SyntaxError);
  });

  it('reports validation issues for JSON that is not a valid query', () => {
    const result = parseStructuredQueryJson('{"inclusionCriteria": []}');
    expect(result.ok ? [] : result.error.issues.map((issue) => issue.code)).toEqual(['CCDL_TOO_SMALL']);
    expect(result.ok || result.error).toBeInstanceOf(CcdlValidationError);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        expect(typeof parseStructuredQueryJson(text).ok).toBe('boolean');
      }),
    );
  });
});
