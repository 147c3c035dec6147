import fc from 'fast-check';
import { QUERY_TITLE_MAX_LENGTH } from '@fq/contracts';
import { queryTitleOf } from './query-title';

describe('queryTitleOf', () => {
  it('takes the trimmed top-level display', () => {
    expect(queryTitleOf({ display: '  Diabetes and HbA1c > 7 %\n', inclusionCriteria: [] })).toBe(
      'Diabetes and HbA1c > 7 %',
    );
  });

  it('is null without a display, for a blank one, or one that is not a string', () => {
    expect(queryTitleOf({ inclusionCriteria: [] })).toBeNull();
    expect(queryTitleOf({ display: ' \t ' })).toBeNull();
    expect(queryTitleOf({ display: 42 })).toBeNull();
    expect(queryTitleOf(null)).toBeNull();
  });

  it('cuts a long display to 200 code units without splitting a character', () => {
    const emoji = '🧪'.repeat(150);
    const title = queryTitleOf({ display: `a${emoji}` });
    expect(title).toBe(`a${'🧪'.repeat(99)}`);
  });

  it('always gives a prefix of the trimmed display that is at most 200 code units and well formed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (display) => {
        const title = queryTitleOf({ display });
        expect(title === null).toBe(display.trim() === '');
        const text = title ?? '';
        expect(text.length).toBeLessThanOrEqual(QUERY_TITLE_MAX_LENGTH);
        expect(display.trim().startsWith(text)).toBe(true);
        // A lone surrogate would mean a character was split.
        expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      }),
    );
  });
});
