import type {
  QueryResult,
  QueryResultUpdate,
  QuerySiteResult,
  QuerySummary,
  ResultThresholds,
  SiteResultEvent,
} from '@fq/contracts';
import type { Caller } from '../identity/caller';
import type { QuerySite, StoredQuery, StoredSiteResult } from '../persistence/records.schema';

/** One server-sent event: `site-result` per site answer, then `completed` or `expired`; none repeats the query. */
export type QueryEvent =
  | { id: string; type: 'site-result'; data: SiteResultEvent }
  | { id: string; type: 'completed' | 'expired'; data: QueryResultUpdate };

// One collator for every sort: localeCompare with options builds a new one per call, which dominated busy brokers.
const PSEUDONYM_ORDER = new Intl.Collator('en', { numeric: true });

/**
 * The result a caller may see: the total of protected counts and the per-site breakdown under the FDPG rules.
 *
 * The total is hidden below `thresholds.results`; the per-site counts are hidden unless at least
 * `thresholds.sites` sites report more than `thresholds.sitesResult`. While the query runs, no figure is shown until
 * the breakdown rule already holds: both rules only ever flip from hidden to shown as answers arrive, so the final
 * result is then certain to show the breakdown, and every figure shown before is implied by it (DESIGN.md invariant 8,
 * docs/privacy.md). Sites appear under their per-query pseudonym, ordered by it; only an admin sees real names and ids.
 */
export function buildQueryResult(
  query: StoredQuery,
  results: readonly StoredSiteResult[],
  thresholds: ResultThresholds,
  caller: Caller,
): QueryResult {
  return { ...buildResultUpdate(query, results, thresholds, caller), query: query.query };
}

/** The result as buildQueryResult shows it, without the query: what live events carry. */
export function buildResultUpdate(
  query: StoredQuery,
  results: readonly StoredSiteResult[],
  thresholds: ResultThresholds,
  caller: Caller,
): QueryResultUpdate {
  const bySite = new Map(results.map((result) => [result.siteId, result]));
  const rows = [...query.sites]
    .sort((a, b) => PSEUDONYM_ORDER.compare(a.pseudonym, b.pseudonym))
    .map((site) => ({ site, result: bySite.get(site.siteId) }));
  const counts = rows.map(({ result }) =>
    result?.answer.status === 'answered' && result.answer.result.kind === 'count'
      ? result.answer.result.protectedCount
      : null,
  );
  const total = counts.reduce<number>((sum, count) => sum + (count ?? 0), 0);
  const sitesAboveThreshold = counts.filter((count) => count !== null && count > thresholds.sitesResult).length;
  const running = query.status === 'running';
  const reportedSites = results.filter((result) => result.origin === 'site').length;
  // Before any site reported nothing was counted, even where no site needs to be above sitesResult (sites = 0).
  const breakdownVisible = !(running && reportedSites === 0) && sitesAboveThreshold >= thresholds.sites;
  // A running total or partial counts could later turn out to be a breakdown the final result hides.
  const figuresShown = breakdownVisible || !running;
  const totalVisible = figuresShown && total >= thresholds.results;
  const sites = rows.map(({ site, result }, index): QuerySiteResult => {
    const belowThreshold =
      breakdownVisible && result?.answer.status === 'answered' && result.answer.result.kind === 'below-threshold';
    return {
      ...siteLabel(site, caller),
      status: result?.answer.status ?? 'pending',
      count: breakdownVisible ? counts[index] : null,
      ...(belowThreshold ? { belowThreshold: true as const } : {}),
      ...refusalOf(result),
    };
  });
  return {
    id: query.id,
    status: query.status,
    createdAt: query.createdAt,
    expiresAt: query.expiresAt,
    finishedAt: query.finishedAt,
    total: totalVisible ? total : null,
    // A threshold verdict is the final view's: a running total below `results` may still reach it.
    totalHidden: totalVisible ? null : running ? 'query-running' : 'below-results-threshold',
    breakdownHidden: breakdownVisible ? null : running ? 'query-running' : 'too-few-sites-above-threshold',
    reportedSites,
    totalSites: query.sites.length,
    sites,
    thresholds,
  };
}

/** The history entry of a query: its status and total, without the breakdown. */
export function buildQuerySummary(
  query: StoredQuery,
  results: readonly StoredSiteResult[],
  thresholds: ResultThresholds,
  caller: Caller,
): QuerySummary {
  const { id, status, createdAt, expiresAt, finishedAt, total, totalHidden, reportedSites, totalSites } =
    buildResultUpdate(query, results, thresholds, caller);
  return { id, status, createdAt, expiresAt, finishedAt, total, totalHidden, reportedSites, totalSites };
}

/**
 * Every event of a query so far after `afterEventId`, numbered from 1: one `site-result` per site answer in arrival order (each with the
 * result as it could be read right after that answer, so without figures while they are not yet certain to be shown),
 * then `completed` or `expired` once the query is finished.
 */
export function buildQueryEvents(
  query: StoredQuery,
  results: readonly StoredSiteResult[],
  thresholds: ResultThresholds,
  caller: Caller,
  afterEventId = 0,
): QueryEvent[] {
  const answers = results.filter((result) => result.origin === 'site');
  // Events up to `afterEventId` were sent already; building only the rest keeps a live stream linear in its sites.
  const events: QueryEvent[] = answers.slice(afterEventId).map((answer, offset) => {
    const index = afterEventId + offset;
    const seen = answers.slice(0, index + 1);
    // Only the last answer of a completed query completed it; before that the query was running.
    const completedHere = query.status === 'completed' && seen.length === query.sites.length;
    const snapshot: StoredQuery = completedHere ? query : { ...query, status: 'running', finishedAt: null };
    const site = query.sites.find((candidate) => candidate.siteId === answer.siteId);
    return {
      id: String(index + 1),
      type: 'site-result',
      data: {
        site: site === undefined ? answer.siteId : siteLabel(site, caller).site,
        status: answer.answer.status,
        result: buildResultUpdate(snapshot, seen, thresholds, caller),
      },
    };
  });
  if (query.status !== 'running' && answers.length + 1 > afterEventId) {
    events.push({
      id: String(answers.length + 1),
      type: query.status,
      data: buildResultUpdate(query, results, thresholds, caller),
    });
  }
  return events;
}

/**
 * A refusing or failing site's code and reason, for the researcher (a spent privacy budget says until when). They are
 * the same in every view of the query, and a site's reason carries no count (apps/site-agent/README.md).
 */
function refusalOf(result: StoredSiteResult | undefined): Pick<QuerySiteResult, 'code' | 'reason'> {
  const answer = result?.answer;
  return answer?.status === 'refused' || answer?.status === 'failed'
    ? { code: answer.code, reason: answer.reason }
    : {};
}

function siteLabel(site: QuerySite, caller: Caller): Pick<QuerySiteResult, 'site' | 'siteId'> {
  return caller.role === 'admin' ? { site: site.name, siteId: site.siteId } : { site: site.pseudonym };
}
