import type {
  QueryList,
  QueryResult,
  QueryResultUpdate,
  QuerySiteResult,
  QuotaUsage,
  SavedQuery,
  SavedQueryList,
} from '@fq/contracts';

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** What the total means, in words: a number, "fewer than N", or why it is not shown yet. */
export function describeTotal(result: Pick<QueryResult, 'total' | 'totalHidden' | 'thresholds'>): string {
  if (result.total !== null) {
    return `${result.total} patients (sum of the sites' protected counts)`;
  }
  switch (result.totalHidden) {
    case 'below-results-threshold':
      return `fewer than ${result.thresholds.results} (below the results threshold)`;
    case 'query-running':
      return 'pending: not shown while sites are still answering';
    case null:
      return 'not available';
  }
}

function describeSiteCount(site: QuerySiteResult, result: QueryResultUpdate): string {
  if (site.status === 'answered') {
    if (site.count !== null) {
      return String(site.count);
    }
    if (site.belowThreshold === true) {
      return "below the site's threshold";
    }
    return result.breakdownHidden === 'too-few-sites-above-threshold'
      ? 'hidden (too few sites above the threshold)'
      : 'hidden while the query runs';
  }
  if (site.status === 'refused' || site.status === 'failed') {
    return [site.code, site.reason].filter((part) => part !== undefined && part !== '').join(': ');
  }
  return site.status === 'expired' ? 'did not answer in time' : 'waiting';
}

/** A query's title: its CCDL `display`, if it has one. */
export function titleOf(result: QueryResult): string | null {
  const display = result.query.display;
  return typeof display === 'string' && display.trim() !== '' ? display.trim() : null;
}

/** A final or current query result as lines for a person; the title is the query's, when known. */
export function formatQueryResult(result: QueryResultUpdate, title: string | null = null): string[] {
  const answered = result.sites.filter((site) => site.status === 'answered').length;
  const lines = [
    `Query ${result.id}${title === null ? '' : ` "${title}"`}: ${result.status}, ${answered} of ${result.totalSites} sites answered`,
    `Total: ${describeTotal(result)}`,
  ];
  if (result.sites.length > 0) {
    const rows = result.sites.map((site) => [site.site, site.status, describeSiteCount(site, result)]);
    lines.push(...formatTable(['SITE', 'STATUS', 'COUNT'], rows).map((line) => `  ${line}`));
  }
  return lines;
}

/** One page of the history as a table; with the submitter column for an admin's list of everybody's queries. */
export function formatQueryList(list: QueryList): string[] {
  const withSubmitter = list.items.some((item) => item.submitter !== undefined);
  const header = ['SUBMITTED', 'STATUS', 'TOTAL', 'SITES', ...(withSubmitter ? ['SUBMITTER'] : []), 'ID', 'TITLE'];
  const rows = list.items.map((item) => [
    item.createdAt.slice(0, 19).replace('T', ' '),
    item.status,
    item.total !== null ? String(item.total) : item.totalHidden === 'below-results-threshold' ? 'hidden' : '-',
    `${item.reportedSites}/${item.totalSites}`,
    ...(withSubmitter ? [item.submitter ?? ''] : []),
    item.id,
    item.title ?? '',
  ]);
  return list.items.length === 0 ? ['No queries.'] : formatTable(header, rows);
}

/** The caller's saved queries as a table. */
export function formatSavedList(list: SavedQueryList): string[] {
  if (list.items.length === 0) {
    return [`No saved queries (a user may keep ${list.maxItems}).`];
  }
  const rows = list.items.map((item) => [
    item.updatedAt.slice(0, 19).replace('T', ' '),
    item.id,
    item.name,
    item.comment?.split('\n')[0] ?? '',
  ]);
  return [
    ...formatTable(['CHANGED', 'ID', 'NAME', 'COMMENT'], rows),
    `${list.items.length} of ${list.maxItems} saved queries.`,
  ];
}

/** One saved query: name, comment, id and times. */
export function formatSavedQuery(saved: SavedQuery): string[] {
  return [
    `Saved query "${saved.name}" (${saved.id})`,
    ...(saved.comment === null ? [] : [`Comment: ${saved.comment}`]),
    `Created ${saved.createdAt}, changed ${saved.updatedAt}`,
  ];
}

/** The caller's quotas in words, with when the next submission fits when a quota is used up. */
export function formatQuota(usage: QuotaUsage, now: Date): string[] {
  const limit = (name: string, quota: QuotaUsage['soft']) => {
    const interval = describeInterval(quota.intervalSeconds);
    if (quota.amount === null) {
      return `${name}: no limit for your role (${quota.used} used ${interval})`;
    }
    const left = Math.max(0, quota.amount - quota.used);
    const next =
      quota.nextSlotAt === null
        ? ''
        : `; next submission in ${Math.max(0, Math.ceil((Date.parse(quota.nextSlotAt) - now.getTime()) / 1000))} s (at ${quota.nextSlotAt})`;
    return `${name}: ${left} of ${quota.amount} left ${interval}${next}`;
  };
  const lines = [
    `Signed in as ${usage.userId} (${usage.role})`,
    limit('Submissions', usage.soft),
    limit('Hard limit (exceeding it blacklists you)', usage.hard),
    usage.pollIntervalSeconds > 0
      ? `Reading one result again: after ${usage.pollIntervalSeconds} s (watching with --watch is not limited)`
      : 'Reading results: no polling limit',
  ];
  if (usage.blacklisted) {
    lines.push(`BLACKLISTED since ${usage.blacklistedAt ?? 'unknown'}: an admin must lift it`);
  }
  for (const budget of usage.siteBudgets) {
    const site = budget.name ?? budget.siteId ?? 'a site';
    lines.push(
      `Privacy budget at ${site}: ${budget.remaining} of ${budget.limit} new cohorts left in ${budget.windowDays} days` +
        (budget.resetsAt === null ? '' : `, more from ${budget.resetsAt}`),
    );
  }
  return lines;
}

function describeInterval(seconds: number): string {
  if (seconds === 60) {
    return 'this minute';
  }
  if (seconds === 604_800) {
    return 'this week';
  }
  if (seconds % 86_400 === 0) {
    return `in ${seconds / 86_400} days`;
  }
  return `in ${seconds} s`;
}
