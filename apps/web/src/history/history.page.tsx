import { useState } from 'preact/hooks';
import type { QueryStatus } from '../api/api-types';
import { useAuth } from '../auth/auth.context';
import { QueryTable } from './query-table';
import { useQueryPages } from './use-query-pages';

/** The signed-in user's queries, newest first, each opening its result page. */
export function HistoryPage() {
  const { api } = useAuth();
  const [status, setStatus] = useState<QueryStatus | ''>('');
  const pages = useQueryPages(api, status === '' ? {} : { status });
  return (
    <section class="panel history-page" aria-labelledby="history-title">
      <h2 id="history-title">Your queries</h2>
      <div class="filters">
        <label>
          Status
          <select value={status} onChange={(event) => setStatus(event.currentTarget.value as QueryStatus | '')}>
            <option value="">any</option>
            <option value="running">running</option>
            <option value="completed">completed</option>
            <option value="expired">expired</option>
          </select>
        </label>
      </div>
      <QueryTable pages={pages} caption="Your queries, newest first" />
    </section>
  );
}
