import {
  aCriterion,
  aQueryWithAttributeFilters,
  aQueryWithValueFilter,
  aReferenceFilter,
  diabetesType2,
  hba1c,
  percent,
} from './__fixtures__/builders';
import { CRITERION, expectIssues, expectSingleIssue, expectValid, issuesOf } from './__fixtures__/parse-expectations';

describe('parseStructuredQuery', () => {
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
});
