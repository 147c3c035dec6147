import type { QueryResultUpdate, QuotaUsage } from '@fq/contracts';
import { aResult } from '../__fixtures__/fake-broker';
import { describeTotal, formatQueryResult, formatQuota, formatTable } from './query-output';

describe('describeTotal', () => {
  const thresholds = { results: 20, sites: 3, sitesResult: 20 };

  it('names the total, "fewer than" the results threshold, or pending while sites answer', () => {
    expect(describeTotal({ total: 430, totalHidden: null, thresholds })).toBe(
      "430 patients (sum of the sites' protected counts)",
    );
    expect(describeTotal({ total: null, totalHidden: 'below-results-threshold', thresholds })).toBe(
      'fewer than 20 (below the results threshold)',
    );
    expect(describeTotal({ total: null, totalHidden: 'query-running', thresholds })).toBe(
      'pending: not shown while sites are still answering',
    );
  });
});

describe('formatQueryResult', () => {
  it('shows each site’s count, a count below the site’s threshold, a refusal with its code and reason', () => {
    const result: QueryResultUpdate = {
      ...aResult('completed', 1),
      total: 100,
      breakdownHidden: null,
      sites: [
        { site: 'Site 1', status: 'answered', count: 100 },
        { site: 'Site 2', status: 'answered', count: null, belowThreshold: true },
        {
          site: 'Site 3',
          status: 'refused',
          count: null,
          code: 'SITE_PRIVACY_BUDGET_EXHAUSTED',
          reason: 'until Monday',
        },
      ],
    };
    expect(formatQueryResult(result, 'Women')).toEqual([
      `Query ${result.id} "Women": completed, 2 of 3 sites answered`,
      "Total: 100 patients (sum of the sites' protected counts)",
      '  SITE    STATUS    COUNT',
      '  Site 1  answered  100',
      "  Site 2  answered  below the site's threshold",
      '  Site 3  refused   SITE_PRIVACY_BUDGET_EXHAUSTED: until Monday',
    ]);
  });

  it('says why a count is hidden when too few sites are above the threshold', () => {
    const result: QueryResultUpdate = {
      ...aResult('completed', 3),
      breakdownHidden: 'too-few-sites-above-threshold',
      sites: aResult('completed', 3).sites.map((site) => ({ ...site, count: null })),
    };
    expect(formatQueryResult(result).slice(3)).toEqual([
      '  Site 1  answered  hidden (too few sites above the threshold)',
      '  Site 2  answered  hidden (too few sites above the threshold)',
      '  Site 3  answered  hidden (too few sites above the threshold)',
    ]);
  });
});

describe('formatQuota', () => {
  it('counts down to the next free slot of an exhausted quota, and names a site’s budget', () => {
    const usage: QuotaUsage = {
      userId: 'alice',
      role: 'researcher',
      soft: { amount: 3, intervalSeconds: 60, used: 3, nextSlotAt: '2026-03-02T10:00:42.000Z' },
      hard: { amount: null, intervalSeconds: 604800, used: 3, nextSlotAt: null },
      pollIntervalSeconds: 0,
      blacklisted: false,
      blacklistedAt: null,
      siteBudgets: [{ remaining: 2, limit: 10, windowDays: 7, resetsAt: null, reportedAt: '2026-03-02T09:00:00.000Z' }],
    };
    expect(formatQuota(usage, new Date('2026-03-02T10:00:00.000Z'))).toEqual([
      'Signed in as alice (researcher)',
      'Submissions: 0 of 3 left this minute; next submission in 42 s (at 2026-03-02T10:00:42.000Z)',
      'Hard limit (exceeding it blacklists you): no limit for your role (3 used this week)',
      'Reading results: no polling limit',
      'Privacy budget at a site: 2 of 10 new cohorts left in 7 days',
    ]);
  });
});

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(formatTable(['A', 'BB', 'C'], [['xxx', 'y', 'last one']])).toEqual(['A    BB  C', 'xxx  y   last one']);
  });
});
