import type { QueryListEntry } from '../api/api-types';
import { describeEntryTotal, describeStatus, entryTitle, formatTime } from './history-words';
import type { QueryPages } from './use-query-pages';
import '../styles/data-pages.css';

/** Queries as a table, each title opening its result page; with the submitter for an admin's list. */
export function QueryTable({
  pages,
  caption,
  showSubmitter = false,
}: {
  pages: QueryPages;
  caption: string;
  showSubmitter?: boolean;
}) {
  const { items, totalItems, hasMore, loading, error } = pages;
  return (
    <div class="query-table">
      {error !== null && (
        <p role="alert" class="problem">
          The list could not be read: {error}
        </p>
      )}
      {items.length === 0 && !loading && error === null ? (
        <p class="empty">No queries match.</p>
      ) : (
        <table class="data">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              {showSubmitter && <th scope="col">Submitter</th>}
              <th scope="col">Submitted</th>
              <th scope="col">Status</th>
              <th scope="col">Sites answered</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry: QueryListEntry) => (
              <tr key={entry.id} data-status={entry.status}>
                <th scope="row">
                  <a href={`/queries/${entry.id}`}>{entryTitle(entry)}</a>
                </th>
                {showSubmitter && <td class="submitter">{entry.submitter ?? ''}</td>}
                <td>
                  <time dateTime={entry.createdAt}>{formatTime(entry.createdAt)}</time>
                </td>
                <td>{describeStatus(entry.status)}</td>
                <td>
                  {entry.reportedSites} of {entry.totalSites}
                </td>
                <td>{describeEntryTotal(entry)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="row">
        {totalItems !== null && (
          <p class="hint" role="status">
            Showing {items.length} of {totalItems} {totalItems === 1 ? 'query' : 'queries'}.
          </p>
        )}
        {loading && <p role="status">Loading…</p>}
        {hasMore && (
          <button type="button" onClick={pages.loadMore} disabled={loading}>
            Show more
          </button>
        )}
      </div>
    </div>
  );
}
