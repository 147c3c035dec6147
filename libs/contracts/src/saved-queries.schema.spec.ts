import fc from 'fast-check';
import { QueryListParams } from './query-history.schema';
import {
  SAVED_QUERY_NAME_MAX_LENGTH,
  SavedQueryComment,
  SavedQueryName,
  UpdateSavedQueryRequest,
} from './saved-queries.schema';

describe('SavedQueryName', () => {
  it('trims, and refuses a blank name, a name over the limit and control characters', () => {
    expect(SavedQueryName.parse('  T2DM pilot ')).toBe('T2DM pilot');
    expect(SavedQueryName.safeParse('   ').success).toBe(false);
    expect(SavedQueryName.safeParse('x'.repeat(SAVED_QUERY_NAME_MAX_LENGTH + 1)).success).toBe(false);
    expect(SavedQueryName.safeParse('tab\there').success).toBe(false);
  });

  it('accepts exactly the strings whose trimmed form is 1-120 characters without control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 140 }), (text) => {
        const trimmed = text.trim();
        const expected =
          trimmed.length >= 1 && trimmed.length <= SAVED_QUERY_NAME_MAX_LENGTH && !/\p{Cc}/u.test(trimmed);
        expect(SavedQueryName.safeParse(text).success).toBe(expected);
      }),
    );
  });
});

describe('SavedQueryComment', () => {
  it('keeps line breaks and tabs, refuses other control characters', () => {
    expect(SavedQueryComment.parse('line one\nline two\tend')).toBe('line one\nline two\tend');
    expect(SavedQueryComment.safeParse('bell\u0007').success).toBe(false);
  });
});

describe('UpdateSavedQueryRequest', () => {
  it('needs a name or a comment; a null comment removes it', () => {
    expect(UpdateSavedQueryRequest.safeParse({}).success).toBe(false);
    expect(UpdateSavedQueryRequest.parse({ comment: null })).toEqual({ comment: null });
    expect(UpdateSavedQueryRequest.safeParse({ name: 'x', query: {} }).success).toBe(false);
  });
});

describe('QueryListParams', () => {
  it('reads all=true as a boolean and refuses a user filter without it', () => {
    expect(QueryListParams.parse({ all: 'true', user: 'bob' })).toEqual({ limit: 20, all: true, user: 'bob' });
    const refused = QueryListParams.safeParse({ user: 'bob' });
    expect(refused.success ? [] : refused.error.issues.map((issue) => issue.path)).toEqual([['user']]);
  });
});
