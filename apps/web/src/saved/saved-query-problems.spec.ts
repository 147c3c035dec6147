import { ApiProblemError } from '../api/api-problem';
import { describeSavedQueryProblem } from './saved-query-problems';

describe('describeSavedQueryProblem', () => {
  it('says a name is taken with the name the user typed', () => {
    const taken = new ApiProblemError(
      409,
      'BROKER_SAVED_QUERY_NAME_TAKEN',
      'you already have a saved query named "A"',
      [{ path: '$.name', code: 'BROKER_SAVED_QUERY_NAME_TAKEN', message: 'the name is already taken' }],
    );
    expect(describeSavedQueryProblem(taken, ' Diabetes cohort ')).toEqual({
      message:
        'You already have a saved query named “Diabetes cohort”. Choose another name, or rename or delete the other one.',
      fields: [],
    });
  });

  it('names each field the broker found wrong, the query by its own path', () => {
    const invalid = new ApiProblemError(400, 'BROKER_SAVED_QUERY_INVALID', 'the body has 2 problems', [
      { path: '$.name', code: 'BROKER_SAVED_QUERY_INVALID', message: 'the name must have at most 120 characters' },
      { path: '$.query.inclusionCriteria', code: 'CCDL_INVALID', message: 'must not be empty' },
    ]);
    expect(describeSavedQueryProblem(invalid)).toEqual({
      message: 'The broker cannot save it as it is:',
      fields: [
        'Name: the name must have at most 120 characters',
        'The query at $.inclusionCriteria: must not be empty',
      ],
    });
  });

  it('tells what to do at the limit and when the query is gone', () => {
    const limit = new ApiProblemError(
      400,
      'BROKER_SAVED_QUERY_LIMIT_REACHED',
      'a user may keep at most 200 saved queries; delete one to save another',
    );
    expect(describeSavedQueryProblem(limit).message).toBe(
      'You cannot save another query: a user may keep at most 200 saved queries; delete one to save another.',
    );
    const gone = new ApiProblemError(404, 'BROKER_SAVED_QUERY_NOT_FOUND', 'no such saved query');
    expect(describeSavedQueryProblem(gone).message).toMatch(/no longer exists/);
  });

  it('keeps the words of any other failure', () => {
    expect(describeSavedQueryProblem(new TypeError('Failed to fetch'))).toEqual({
      message: 'Failed to fetch',
      fields: [],
    });
    const other = new ApiProblemError(503, 'BROKER_UNAVAILABLE', 'the database is unavailable');
    expect(describeSavedQueryProblem(other).message).toBe('the database is unavailable');
  });
});
