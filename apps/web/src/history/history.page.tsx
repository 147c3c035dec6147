import { useState } from 'preact/hooks';
import type { QueryStatus } from '../api/api-types';
import { useAuth } from '../auth/auth.context';
import { QueryStatusFilter } from './query-status-filter';
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
        <QueryStatusFilter value={status} onChange={setStatus} />
      </div>
      <QueryTable pages={pages} caption="Your queries, newest first" />
    </section>
  );
}
