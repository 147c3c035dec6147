import { QueryResult, QueryResultUpdate, SiteResultEvent } from '@fq/contracts';
import type { Caller } from '../identity/caller';
import type { SiteAnswer, StoredQuery, StoredSiteResult } from '../persistence/records.schema';
import { buildQueryEvents, buildQueryResult, buildQuerySummary } from './query-view';

const RESEARCHER: Caller = { id: 'alice', role: 'researcher' };
const ADMIN: Caller = { id: 'root', role: 'admin' };
const FDPG = { results: 20, sites: 3, sitesResult: 20 };
const QUERY_ID = '6f1c7a52-5a3e-4c1e-9d4f-2b0c3f6a7e11';
// The display rules proper apply to a finished query; a running one shows figures only once they are certain.
const COMPLETED: Partial<StoredQuery> = { status: 'completed', finishedAt: '2026-03-02T09:00:06.000Z' };

function aQuery(siteCount: number, overrides: Partial<StoredQuery> = {}): StoredQuery {
  return {
    id: QUERY_ID,
    requesterId: 'alice',
    query: { inclusionCriteria: [[{ termCodes: [{ system: 's', code: 'c' }] }]] },
    queryHash: 'a'.repeat(64),
    // Pseudonyms deliberately in another order than the sites.
    sites: Array.from({ length: siteCount }, (_, i) => ({
      siteId: `site-${i + 1}`,
      name: `Uniklinik ${i + 1}`,
      pseudonym: `Site ${siteCount - i}`,
    })),
    status: 'running',
    createdAt: '2026-03-02T09:00:00.000Z',
    expiresAt: '2026-03-02T09:01:00.000Z',
    dispatchedAt: '2026-03-02T09:00:00.000Z',
    finishedAt: null,
    ...overrides,
  };
}

let seq = 0;
function result(siteNumber: number, answer: SiteAnswer, origin: 'site' | 'broker' = 'site'): StoredSiteResult {
  seq += 1;
  return {
    seq,
    queryId: QUERY_ID,
    siteId: `site-${siteNumber}`,
    origin,
    receivedAt: '2026-03-02T09:00:05.000Z',
    answer,
  };
}

const count = (n: number): SiteAnswer => ({
  status: 'answered',
  result: { kind: 'count', protectedCount: n },
  dataVersion: 'v1',
});
const below: SiteAnswer = { status: 'answered', result: { kind: 'below-threshold', threshold: 10 }, dataVersion: 'v1' };

function counts(view: QueryResult): Array<number | null> {
  return view.sites.map((site) => site.count);
}

describe('buildQueryResult', () => {
  it('sums the protected counts of the answering sites', () => {
    const view = buildQueryResult(
      aQuery(3),
      [result(1, count(30)), result(2, count(40)), result(3, count(50))],
      FDPG,
      RESEARCHER,
    );
    expect(view.total).toBe(120);
    expect(view.totalHidden).toBeNull();
    expect(view.reportedSites).toBe(3);
    expect(QueryResult.safeParse(view).success).toBe(true);
  });

  it('hides a total of 19 and shows a total of 20 (BROKER_THRESHOLD_RESULTS = 20)', () => {
    const hidden = buildQueryResult(aQuery(1, COMPLETED), [result(1, count(19))], FDPG, RESEARCHER);
    const shown = buildQueryResult(aQuery(1, COMPLETED), [result(1, count(20))], FDPG, RESEARCHER);
    expect(hidden).toMatchObject({ total: null, totalHidden: 'below-results-threshold' });
    expect(shown).toMatchObject({ total: 20, totalHidden: null });
  });

  it('hides the breakdown when only two sites report more than 20', () => {
    const view = buildQueryResult(
      aQuery(3, COMPLETED),
      [result(1, count(21)), result(2, count(21)), result(3, count(20))],
      FDPG,
      RESEARCHER,
    );
    expect(view.breakdownHidden).toBe('too-few-sites-above-threshold');
    expect(counts(view)).toEqual([null, null, null]);
    // The total follows its own rule.
    expect(view.total).toBe(62);
  });

  it('shows the breakdown when three sites report 21', () => {
    const view = buildQueryResult(
      aQuery(3),
      [result(1, count(21)), result(2, count(22)), result(3, count(23))],
      FDPG,
      RESEARCHER,
    );
    expect(view.breakdownHidden).toBeNull();
    // Ordered by pseudonym: site-3 is "Site 1".
    expect(view.sites).toEqual([
      { site: 'Site 1', status: 'answered', count: 23 },
      { site: 'Site 2', status: 'answered', count: 22 },
      { site: 'Site 3', status: 'answered', count: 21 },
    ]);
  });

  it('does not count a site reporting exactly 20 towards the breakdown threshold', () => {
    const view = buildQueryResult(
      aQuery(4, COMPLETED),
      [result(1, count(21)), result(2, count(21)), result(3, count(20)), result(4, count(20))],
      FDPG,
      RESEARCHER,
    );
    expect(view.breakdownHidden).toBe('too-few-sites-above-threshold');
  });

  it('marks a site below its threshold with a null count and belowThreshold', () => {
    const view = buildQueryResult(
      aQuery(4),
      [result(1, count(30)), result(2, count(30)), result(3, count(30)), result(4, below)],
      FDPG,
      RESEARCHER,
    );
    expect(view.sites.find((site) => site.site === 'Site 1')).toEqual({
      site: 'Site 1',
      status: 'answered',
      count: null,
      belowThreshold: true,
    });
    expect(view.total).toBe(90);
  });

  it('leaves out belowThreshold when the whole breakdown is hidden', () => {
    const view = buildQueryResult(aQuery(2), [result(1, count(30)), result(2, below)], FDPG, RESEARCHER);
    expect(view.sites.every((site) => site.belowThreshold === undefined && site.count === null)).toBe(true);
  });

  it('reports pending, refused, failed and broker-expired sites with null counts, and why sites refused or failed', () => {
    const view = buildQueryResult(
      aQuery(4, { status: 'expired', finishedAt: '2026-03-02T09:01:00.000Z' }),
      [
        result(1, { status: 'refused', code: 'SITE_POLICY_REFUSED', reason: 'too many criteria' }),
        result(2, { status: 'failed', code: 'SITE_EVALUATION_FAILED', reason: 'index missing' }),
        result(3, { status: 'expired' }, 'broker'),
      ],
      { results: 0, sites: 0, sitesResult: 0 },
      ADMIN,
    );
    expect(view.sites).toEqual([
      { site: 'Uniklinik 4', siteId: 'site-4', status: 'pending', count: null },
      { site: 'Uniklinik 3', siteId: 'site-3', status: 'expired', count: null },
      {
        site: 'Uniklinik 2',
        siteId: 'site-2',
        status: 'failed',
        count: null,
        code: 'SITE_EVALUATION_FAILED',
        reason: 'index missing',
      },
      {
        site: 'Uniklinik 1',
        siteId: 'site-1',
        status: 'refused',
        count: null,
        code: 'SITE_POLICY_REFUSED',
        reason: 'too many criteria',
      },
    ]);
    // A broker-decided expiry is not a report from the site.
    expect(view.reportedSites).toBe(2);
    expect(view.total).toBe(0);
  });

  it('shows a researcher when a site’s privacy budget is spent, under the site’s pseudonym', () => {
    const reason = 'privacy budget at this site exhausted until 2026-03-09T09:00:00.000Z';
    const view = buildQueryResult(
      aQuery(1, COMPLETED),
      [result(1, { status: 'refused', code: 'SITE_PRIVACY_BUDGET_EXHAUSTED', reason })],
      FDPG,
      RESEARCHER,
    );
    expect(view.sites).toEqual([
      { site: 'Site 1', status: 'refused', count: null, code: 'SITE_PRIVACY_BUDGET_EXHAUSTED', reason },
    ]);
  });

  it('shows pseudonyms to researchers and real names with ids only to admins', () => {
    const results = [result(1, count(30))];
    expect(buildQueryResult(aQuery(2), results, FDPG, RESEARCHER).sites.map((s) => s.site)).toEqual([
      'Site 1',
      'Site 2',
    ]);
    expect(buildQueryResult(aQuery(2), results, FDPG, ADMIN).sites.map((s) => [s.site, s.siteId])).toEqual([
      ['Uniklinik 2', 'site-2'],
      ['Uniklinik 1', 'site-1'],
    ]);
  });
});

describe('buildQuerySummary', () => {
  it('keeps status and total and drops the breakdown', () => {
    const summary = buildQuerySummary(aQuery(1, COMPLETED), [result(1, count(25))], FDPG, RESEARCHER);
    expect(summary).toEqual({
      id: QUERY_ID,
      status: 'completed',
      createdAt: '2026-03-02T09:00:00.000Z',
      expiresAt: '2026-03-02T09:01:00.000Z',
      finishedAt: '2026-03-02T09:00:06.000Z',
      total: 25,
      totalHidden: null,
      reportedSites: 1,
      totalSites: 1,
    });
  });

  it('shows no total of a running query while its final result might hide the breakdown', () => {
    const summary = buildQuerySummary(aQuery(2), [result(1, count(25))], FDPG, RESEARCHER);
    expect(summary).toMatchObject({ status: 'running', total: null, totalHidden: 'query-running', reportedSites: 1 });
  });
});

describe('a running query (DESIGN.md invariant 8)', () => {
  it('shows progress but no running total when the final result hides the breakdown', () => {
    // The red team's case: the final total 80 is shown, the breakdown 50 / 10 / 20 is not.
    const query = aQuery(3, COMPLETED);
    const results = [result(2, count(50)), result(3, count(10)), result(1, count(20))];
    const events = buildQueryEvents(query, results, FDPG, RESEARCHER);
    const running = events.slice(0, 2).map((event) => SiteResultEvent.parse(event.data));
    expect(running.map((event) => [event.site, event.result.reportedSites, event.result.total])).toEqual([
      ['Site 2', 1, null],
      ['Site 1', 2, null],
    ]);
    for (const { result: view } of running) {
      expect(view).toMatchObject({ totalHidden: 'query-running', breakdownHidden: 'query-running' });
      expect(view.sites.map((site) => [site.status, site.count])).toEqual(
        expect.arrayContaining([
          ['answered', null],
          ['pending', null],
        ]),
      );
    }
    expect(JSON.stringify(running)).not.toMatch(/\b(10|50|60)\b/);
    expect(QueryResultUpdate.parse(events[3].data)).toMatchObject({
      total: 80,
      breakdownHidden: 'too-few-sites-above-threshold',
    });
  });

  it('shows the same to an admin, under real site names', () => {
    const view = buildQueryResult(aQuery(3), [result(1, count(50)), result(2, count(10))], FDPG, ADMIN);
    expect(view).toMatchObject({ total: null, totalHidden: 'query-running', breakdownHidden: 'query-running' });
    expect(view.sites.map((site) => [site.siteId, site.status, site.count])).toEqual([
      ['site-3', 'pending', null],
      ['site-2', 'answered', null],
      ['site-1', 'answered', null],
    ]);
  });

  it('shows the figures once enough sites report above the threshold, as the final result then must', () => {
    const view = buildQueryResult(
      aQuery(4),
      [result(1, count(30)), result(2, count(40)), result(3, below), result(4, count(50))],
      FDPG,
      RESEARCHER,
    );
    expect(view).toMatchObject({ status: 'running', total: 120, totalHidden: null, breakdownHidden: null });
    expect(view.sites.find((site) => site.belowThreshold === true)?.count).toBeNull();
  });
});

describe('a query no site has answered yet', () => {
  // Every threshold setting the broker's config accepts at its edges, BROKER_THRESHOLD_SITES=0 (breakdown always shown)
  // included: nothing has been counted, so no threshold can have hidden anything.
  const SETTINGS = [FDPG, { results: 20, sites: 0, sitesResult: 20 }, { results: 0, sites: 0, sitesResult: 0 }];

  it.each(SETTINGS)('says it is running, never a threshold reason, under %o', (thresholds) => {
    for (const siteCount of [1, 3, 7]) {
      for (const caller of [RESEARCHER, ADMIN]) {
        const view = QueryResult.parse(buildQueryResult(aQuery(siteCount), [], thresholds, caller));
        expect(view).toMatchObject({
          status: 'running',
          total: null,
          totalHidden: 'query-running',
          breakdownHidden: 'query-running',
          reportedSites: 0,
        });
        expect(view.sites.every((site) => site.status === 'pending' && site.count === null)).toBe(true);
        const summary = buildQuerySummary(aQuery(siteCount), [], thresholds, caller);
        expect(summary).toMatchObject({ total: null, totalHidden: 'query-running' });
      }
    }
  });

  it('keeps saying running while the answers so far sum below the results threshold, which more answers may reach', () => {
    const thresholds = { results: 20, sites: 0, sitesResult: 20 };
    const view = buildQueryResult(aQuery(3), [result(1, count(10))], thresholds, RESEARCHER);
    expect(view).toMatchObject({ status: 'running', total: null, totalHidden: 'query-running' });
    const final = buildQueryResult(aQuery(1, COMPLETED), [result(1, count(10))], thresholds, RESEARCHER);
    expect(final).toMatchObject({ total: null, totalHidden: 'below-results-threshold' });
  });
});

describe('buildQueryEvents', () => {
  it('numbers one site-result per answer, each with the result as it stood then', () => {
    const events = buildQueryEvents(aQuery(3), [result(1, count(30)), result(2, count(40))], FDPG, RESEARCHER);
    expect(events.map((event) => [event.id, event.type])).toEqual([
      ['1', 'site-result'],
      ['2', 'site-result'],
    ]);
    const [first, second] = events.map((event) => SiteResultEvent.parse(event.data));
    // Counts only once the final result is certain to show them: here not before the third site.
    expect(first).toMatchObject({ site: 'Site 3', status: 'answered', result: { total: null, reportedSites: 1 } });
    expect(second).toMatchObject({ site: 'Site 2', result: { total: null, reportedSites: 2, status: 'running' } });
  });

  it('ends with completed once every site answered, and only the last snapshot is completed', () => {
    const query = aQuery(2, { status: 'completed', finishedAt: '2026-03-02T09:00:06.000Z' });
    const events = buildQueryEvents(query, [result(1, count(30)), result(2, count(40))], FDPG, RESEARCHER);
    expect(events.map((event) => event.type)).toEqual(['site-result', 'site-result', 'completed']);
    expect(
      events.map((event) => (event.type === 'site-result' ? event.data.result.status : event.data.status)),
    ).toEqual(['running', 'completed', 'completed']);
    expect(events[2]).toMatchObject({ id: '3', data: { total: 70 } });
  });

  it('builds only the events after the last one a stream sent, numbered as in the full list', () => {
    const query = aQuery(3, { status: 'completed', finishedAt: '2026-03-02T09:00:06.000Z' });
    const results = [result(1, count(30)), result(2, count(40)), result(3, count(50))];
    const all = buildQueryEvents(query, results, FDPG, RESEARCHER);
    expect(buildQueryEvents(query, results, FDPG, RESEARCHER, 2)).toEqual(all.slice(2));
    expect(buildQueryEvents(query, results, FDPG, RESEARCHER, 4)).toEqual([]);
  });

  it('ends with expired and emits no site-result for sites the broker expired', () => {
    const query = aQuery(2, { status: 'expired', finishedAt: '2026-03-02T09:01:00.000Z' });
    const events = buildQueryEvents(
      query,
      [result(1, count(30)), result(2, { status: 'expired' }, 'broker')],
      FDPG,
      RESEARCHER,
    );
    expect(events.map((event) => [event.id, event.type])).toEqual([
      ['1', 'site-result'],
      ['2', 'expired'],
    ]);
  });
});
