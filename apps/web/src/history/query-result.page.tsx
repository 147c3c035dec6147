import { useRoute } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { ApiProblemError } from '../api/api-problem';
import type { QueryResult } from '../api/api-types';
import { useAuth } from '../auth/auth.context';
import { QuotaNotice } from '../quota/quota-status';
import { LiveResults } from '../results/live-results';
import { formatTime } from './history-words';
import { useRerunQuery } from './use-rerun-query';

/**
 * One query of the history: its title and criteria, status, total and per-site rows (live while it runs), and a
 * button that submits it again.
 */
export function QueryResultPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const { api } = useAuth();
  const [query, setQuery] = useState<QueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const { rerun, running, error: rerunError, blocked } = useRerunQuery();

  useEffect(() => {
    let current = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    setError(null);
    api.query(id).then(
      (result) => {
        if (current) {
          setQuery(result);
        }
      },
      (failure: unknown) => {
        if (!current) {
          return;
        }
        // The broker limits how often a researcher reads one result; the live rows below do not need this read.
        if (failure instanceof ApiProblemError && failure.status === 429 && failure.retryAfterSeconds !== null) {
          retry = setTimeout(() => setAttempt((count) => count + 1), failure.retryAfterSeconds * 1000);
          return;
        }
        setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
    return () => {
      current = false;
      clearTimeout(retry);
    };
  }, [api, id, attempt]);

  const title = query?.query.display?.trim() || 'Untitled query';
  return (
    <div class="query-result-page">
      <h2>{query === null ? 'Query' : title}</h2>
      <p>
        <a href="/queries">Back to your queries</a>
      </p>
      {error !== null && (
        <p role="alert" class="problem">
          This query cannot be shown: {error}
        </p>
      )}
      {query !== null && (
        <section class="panel" aria-labelledby="query-facts-title">
          <h3 id="query-facts-title">The query</h3>
          <p>Submitted {formatTime(query.createdAt)}.</p>
          <div class="submit-row actions">
            <button type="button" class="primary" disabled={running || blocked} onClick={() => void rerun(query.query)}>
              {running ? 'Submitting…' : 'Run this query again'}
            </button>
          </div>
          <QuotaNotice />
          {rerunError !== null && (
            <p role="alert" class="problem">
              The broker did not accept the query: {rerunError}
            </p>
          )}
          <details>
            <summary>CCDL JSON</summary>
            <pre class="json" tabIndex={0} aria-label="CCDL JSON of this query">
              {JSON.stringify(query.query, null, 2)}
            </pre>
          </details>
        </section>
      )}
      {error === null && <LiveResults key={id} api={api} queryId={id} warnings={[]} />}
    </div>
  );
}
