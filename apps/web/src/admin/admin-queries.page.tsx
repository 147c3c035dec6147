import { useState } from 'preact/hooks';
import type { QueryStatus } from '../api/api-types';
import { useAuth } from '../auth/auth.context';
import { useDebounced } from '../criteria/use-debounced';
import { sinceFromDateInput } from '../history/history-words';
import { QueryStatusFilter } from '../history/query-status-filter';
import { QueryTable } from '../history/query-table';
import { useQueryPages } from '../history/use-query-pages';
import { AdminOnly } from './admin-only';

/** Every user's queries with their submitter, filtered by user, status and a first day (admins only). */
export function AdminQueriesPage() {
  return (
    <AdminOnly>
      <AllQueries />
    </AdminOnly>
  );
}

function AllQueries() {
  const { api } = useAuth();
  const [user, setUser] = useState('');
  const [status, setStatus] = useState<QueryStatus | ''>('');
  const [since, setSince] = useState('');
  const settledUser = useDebounced(user.trim(), 300);
  const sinceInstant = sinceFromDateInput(since);
  const pages = useQueryPages(api, {
    all: true,
    ...(settledUser === '' ? {} : { user: settledUser }),
    ...(status === '' ? {} : { status }),
    ...(sinceInstant === null ? {} : { since: sinceInstant }),
  });
  return (
    <section class="panel admin-queries-page" aria-labelledby="admin-queries-title">
      <h2 id="admin-queries-title">All queries</h2>
      <form class="filters" aria-label="Filter the queries" onSubmit={(event) => event.preventDefault()}>
        <label>
          Submitter
          <input
            value={user}
            maxLength={128}
            placeholder="any user"
            onInput={(event) => setUser(event.currentTarget.value)}
          />
        </label>
        <QueryStatusFilter value={status} onChange={setStatus} />
        <label>
          Submitted on or after
          <input type="date" value={since} onInput={(event) => setSince(event.currentTarget.value)} />
        </label>
      </form>
      <QueryTable pages={pages} caption="Every user's queries, newest first" showSubmitter />
    </section>
  );
}
