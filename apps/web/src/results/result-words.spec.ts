import type { LiveResult } from '../api/query-events.stream';
import { describeProgress, describeSite, describeTotal } from './result-words';

const base: LiveResult = {
  id: '4c4bb3a6-0f1e-4b53-9d36-0c1b5b0e1a11',
  status: 'running',
  createdAt: '2026-01-01T10:00:00Z',
  expiresAt: '2026-01-01T10:01:00Z',
  finishedAt: null,
  total: null,
  totalHidden: 'query-running',
  breakdownHidden: 'query-running',
  reportedSites: 0,
  totalSites: 3,
  sites: [],
  thresholds: { results: 20, sites: 3, sitesResult: 20 },
};

describe('the words for a result', () => {
  it('says pending, never a threshold, before any site answered', () => {
    expect(describeProgress(base)).toBe('waiting for the sites to answer');
    expect(describeTotal(base)).toBe('pending: no site has answered yet');
  });

  it('counts the sites that answered', () => {
    expect(describeProgress({ ...base, reportedSites: 2 })).toBe('2 of 3 sites answered');
    expect(describeProgress({ ...base, status: 'completed', reportedSites: 3 })).toBe('3 of 3 sites answered');
  });

  it('names the sites an expired query misses', () => {
    expect(describeProgress({ ...base, status: 'expired', reportedSites: 2 })).toBe('expired: 1 site did not answer');
    expect(describeProgress({ ...base, status: 'expired', reportedSites: 1 })).toBe('expired: 2 sites did not answer');
  });

  it('gives the total as an estimate and says why', () => {
    const result = { ...base, status: 'completed' as const, total: 430, totalHidden: null, reportedSites: 3 };
    expect(describeTotal(result)).toBe(
      "about 430 patients: each site's count is rounded (to 10 by default) with noise added",
    );
    expect(describeTotal({ ...result, total: 12_340 })).toMatch(/^about 12,340 patients/);
  });

  it('says "fewer than" the results threshold for a hidden total', () => {
    expect(describeTotal({ ...base, status: 'completed', totalHidden: 'below-results-threshold' })).toBe(
      'fewer than 20 patients',
    );
  });

  it('describes each kind of site answer', () => {
    const done = { ...base, status: 'completed' as const, breakdownHidden: null };
    expect(describeSite({ site: 'Site 1', status: 'answered', count: 140 }, done)).toBe('about 140 patients');
    expect(describeSite({ site: 'Site 1', status: 'answered', count: null, belowThreshold: true }, done)).toBe(
      "fewer than the site's threshold",
    );
    expect(describeSite({ site: 'Site 2', status: 'pending', count: null }, base)).toBe('waiting');
    expect(describeSite({ site: 'Site 2', status: 'pending', count: null }, { ...base, status: 'expired' })).toBe(
      'did not answer',
    );
    expect(
      describeSite({ site: 'Site 3', status: 'refused', count: null, reason: 'budget used up until 12:00' }, done),
    ).toBe('refused: budget used up until 12:00');
    expect(
      describeSite(
        { site: 'Site 3', status: 'answered', count: null },
        { ...done, breakdownHidden: 'too-few-sites-above-threshold' },
      ),
    ).toBe('answered; hidden: fewer than 3 sites above 20');
  });
});
