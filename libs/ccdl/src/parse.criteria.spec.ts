import path from 'node:path';
import { aCriterion, aQuery, diabetesType2 } from './__fixtures__/builders';
import {
  CRITERION,
  expectIssues,
  expectSingleIssue,
  expectValid,
  issuesOf,
  readJson,
} from './__fixtures__/parse-expectations';
import { CcdlValidationError } from './errors';
import { parseStructuredQuery } from './parse';

describe('parseStructuredQuery', () => {
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
});
