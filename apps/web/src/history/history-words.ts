import type { QueryListEntry, QueryStatus } from '../api/api-types';

/** A query's status as the history shows it. */
export function describeStatus(status: QueryStatus): string {
  switch (status) {
    case 'running':
      return 'running';
    case 'completed':
      return 'completed';
    case 'expired':
      return 'expired';
  }
}

/** A history entry's total in words: the figure, "fewer than the threshold", or why there is none yet. */
export function describeEntryTotal(entry: Pick<QueryListEntry, 'total' | 'totalHidden' | 'reportedSites'>): string {
  if (entry.total !== null) {
    return `about ${entry.total.toLocaleString('en')} patients`;
  }
  switch (entry.totalHidden) {
    case 'below-results-threshold':
      return 'fewer than the results threshold';
    case 'query-running':
      return entry.reportedSites === 0 ? 'pending: no site has answered yet' : 'shows once the query has finished';
    case null:
      return 'no total';
  }
}

/** A query's title, or what stands in for a query without one. */
export function entryTitle(entry: Pick<QueryListEntry, 'title'>): string {
  return entry.title ?? 'Untitled query';
}

/** A timestamp in the reader's locale and time zone, to the minute. */
export function formatTime(iso: string, locale?: string): string {
  return new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The `since` filter of a history page from a date input (`YYYY-MM-DD`, local midnight) as an ISO instant; null for an
 * empty or impossible date.
 */
export function sinceFromDateInput(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) {
    return null;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) {
    return null;
  }
  return date.toISOString();
}
