import type { QuerySiteResult } from '../api/api-types';
import type { LiveResult } from '../api/query-events.stream';

/** English plural for counts of sites and patients. */
function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** How far the query got: "2 of 3 sites answered", "3 of 3 sites answered", "expired: 1 site did not answer". */
export function describeProgress(result: LiveResult): string {
  const answered = `${result.reportedSites} of ${plural(result.totalSites, 'site', 'sites')} answered`;
  if (result.status === 'expired') {
    const missing = result.totalSites - result.reportedSites;
    return missing > 0 ? `expired: ${plural(missing, 'site', 'sites')} did not answer` : `expired: ${answered}`;
  }
  return result.status === 'running' && result.reportedSites === 0 ? 'waiting for the sites to answer' : answered;
}

/** The total in words, with what the number means. */
export function describeTotal(result: LiveResult): string {
  if (result.total !== null) {
    return (
      `about ${result.total.toLocaleString('en')} patients: each site's count is rounded (to 10 by default) ` +
      'with noise added'
    );
  }
  switch (result.totalHidden) {
    case 'below-results-threshold':
      return `fewer than ${result.thresholds.results} patients`;
    case 'query-running':
      return result.reportedSites === 0
        ? 'pending: no site has answered yet'
        : 'the total shows once the query has finished';
    case null:
      return 'no total';
  }
}

/** One site's answer in words. */
export function describeSite(site: QuerySiteResult, result: LiveResult): string {
  switch (site.status) {
    case 'pending':
      return result.status === 'running' ? 'waiting' : 'did not answer';
    case 'expired':
      return 'did not answer in time';
    case 'refused':
      return `refused${site.reason !== undefined ? `: ${site.reason}` : ''}`;
    case 'failed':
      return `failed${site.reason !== undefined ? `: ${site.reason}` : ''}`;
    case 'answered':
      if (site.count !== null) {
        return `about ${site.count.toLocaleString('en')} patients`;
      }
      if (site.belowThreshold === true) {
        return "fewer than the site's threshold";
      }
      if (result.breakdownHidden === 'too-few-sites-above-threshold') {
        return `answered; hidden: fewer than ${plural(result.thresholds.sites, 'site', 'sites')} above ${result.thresholds.sitesResult}`;
      }
      return 'answered; the count shows once the query has finished';
  }
}
