import { aCriterion, aQuery } from './__fixtures__/builders';
import { CRITERION, expectSingleIssue, expectValid } from './__fixtures__/parse-expectations';

describe('parseStructuredQuery', () => {
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
});
