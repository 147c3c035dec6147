import type { Criterion } from '../api/api-types';
import {
  addCriterion,
  attachCatalogEntry,
  draftProblems,
  type DraftCriterion,
  EMPTY_DRAFT,
  newCriterionKey,
  removeCriterion,
  toStructuredQuery,
  updateCriterion,
} from './query-draft';

const criterion = (code: string): Criterion => ({ termCodes: [{ system: 'http://loinc.org', code, display: code }] });
const item = (code: string): DraftCriterion => ({
  key: newCriterionKey(),
  entryId: null,
  filters: null,
  criterion: criterion(code),
});

describe('the query draft', () => {
  it('puts a new group AND next to the others and an alternative OR into its group', () => {
    let draft = addCriterion(EMPTY_DRAFT, 'inclusion', 'new', item('a'));
    draft = addCriterion(draft, 'inclusion', 'new', item('b'));
    draft = addCriterion(draft, 'inclusion', 0, item('c'));
    draft = addCriterion(draft, 'exclusion', 'new', item('d'));
    expect(toStructuredQuery(draft)).toEqual({
      version: 'http://to_be_decided.com/draft-2/schema#',
      inclusionCriteria: [[criterion('a'), criterion('c')], [criterion('b')]],
      exclusionCriteria: [[criterion('d')]],
    });
  });

  it('has no query and says why until an inclusion criterion is there', () => {
    const draft = addCriterion(EMPTY_DRAFT, 'exclusion', 'new', item('d'));
    expect(toStructuredQuery(draft)).toBeNull();
    expect(draftProblems(draft)).toEqual(['add at least one inclusion criterion']);
  });

  it('drops a group with its last criterion', () => {
    const a = item('a');
    const draft = addCriterion(addCriterion(EMPTY_DRAFT, 'inclusion', 'new', a), 'inclusion', 'new', item('b'));
    expect(removeCriterion(draft, a.key).inclusion.map((group) => group.map((entry) => entry.criterion))).toEqual([
      [criterion('b')],
    ]);
  });

  it('keeps a filter problem until the filter is fixed', () => {
    const a = item('a');
    const draft = updateCriterion(
      addCriterion(EMPTY_DRAFT, 'inclusion', 'new', a),
      a.key,
      criterion('a'),
      'enter a number',
    );
    expect(draftProblems(draft)).toEqual(['a: enter a number']);
    expect(draftProblems(updateCriterion(draft, a.key, criterion('a')))).toEqual([]);
  });

  it('attaches the catalog filters to an imported criterion and leaves its CCDL as it was', () => {
    const a = item('a');
    const draft = addCriterion(EMPTY_DRAFT, 'inclusion', 'new', a);
    const filters = { valueFilter: null, attributeFilters: [], timeRestrictionAllowed: false };
    const attached = attachCatalogEntry(draft, a.key, 'loinc-a', filters);
    expect(attached.inclusion[0][0]).toEqual({ ...a, entryId: 'loinc-a', filters });
    expect(toStructuredQuery(attached)).toEqual(toStructuredQuery(draft));
  });
});
