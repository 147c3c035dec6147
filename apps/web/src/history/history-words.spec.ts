import { describeEntryTotal, describeStatus, entryTitle, sinceFromDateInput } from './history-words';

describe('describeEntryTotal', () => {
  it('gives the figure as an estimate', () => {
    expect(describeEntryTotal({ total: 1430, totalHidden: null, reportedSites: 3 })).toBe('about 1,430 patients');
    expect(describeEntryTotal({ total: 0, totalHidden: null, reportedSites: 3 })).toBe('about 0 patients');
  });

  it('says why a total is missing: below the threshold, no answer yet, or still running', () => {
    expect(describeEntryTotal({ total: null, totalHidden: 'below-results-threshold', reportedSites: 3 })).toBe(
      'fewer than the results threshold',
    );
    expect(describeEntryTotal({ total: null, totalHidden: 'query-running', reportedSites: 0 })).toBe(
      'pending: no site has answered yet',
    );
    expect(describeEntryTotal({ total: null, totalHidden: 'query-running', reportedSites: 2 })).toBe(
      'shows once the query has finished',
    );
  });
});

describe('describeStatus and entryTitle', () => {
  it('names every status and stands in for a missing title', () => {
    expect(['running', 'completed', 'expired'].map((status) => describeStatus(status as 'running'))).toEqual([
      'running',
      'completed',
      'expired',
    ]);
    expect(entryTitle({ title: null })).toBe('Untitled query');
    expect(entryTitle({ title: 'Diabetes cohort' })).toBe('Diabetes cohort');
  });
});

describe('sinceFromDateInput', () => {
  it('turns a date into the instant of its local midnight', () => {
    const since = sinceFromDateInput('2025-02-28');
    expect(since).not.toBeNull();
    const date = new Date(since ?? '');
    expect([date.getFullYear(), date.getMonth(), date.getDate(), date.getHours(), date.getMinutes()]).toEqual([
      2025, 1, 28, 0, 0,
    ]);
  });

  it('refuses an empty, malformed or impossible date', () => {
    for (const value of ['', '2025-2-28', '2025-02-30', '2025-13-01', 'yesterday', '2025-02-28T00:00']) {
      expect(sinceFromDateInput(value)).toBeNull();
    }
  });
});
