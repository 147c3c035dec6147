import { useEffect, useState } from 'preact/hooks';
import type { BrokerApi } from '../api/broker-api.client';
import type { QueryWarning } from '../api/api-types';
import type { LiveResult } from '../api/query-events.stream';
import { describeProgress, describeSite, describeTotal } from './result-words';

/** A submitted query's result as it arrives: progress, the total in words, one row per site, the warnings. */
export function LiveResults({ api, queryId, warnings }: { api: BrokerApi; queryId: string; warnings: QueryWarning[] }) {
  const [result, setResult] = useState<LiveResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    setResult(null);
    setError(null);
    api.query(queryId).then(
      (first) => setResult((current) => current ?? first),
      () => undefined,
    );
    api
      .queryEvents(queryId, (event) => setResult(event.result), abort.signal)
      .catch((failure: unknown) => {
        if (!abort.signal.aborted) {
          setError(failure instanceof Error ? failure.message : String(failure));
        }
      });
    return () => abort.abort();
  }, [api, queryId]);

  return (
    <section class="live-results" aria-labelledby="results-title">
      <h3 id="results-title">Result</h3>
      {warnings.length > 0 && (
        <div class="warnings" role="note" aria-label="Warnings">
          <p>The broker accepted the query with {warnings.length === 1 ? 'a warning' : 'warnings'}:</p>
          <ul>
            {warnings.map((warning) => (
              <li key={warning.path + warning.code}>
                <code>{warning.path}</code>: {warning.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {error !== null && <p role="alert">The live results stopped: {error}</p>}
      {result === null ? (
        <p role="status">Sending the query to the sites…</p>
      ) : (
        <>
          <p class="progress" role="status" aria-live="polite" data-status={result.status}>
            {describeProgress(result)}
          </p>
          <p class="total" aria-live="polite">
            <strong>Total:</strong> {describeTotal(result)}
          </p>
          <table class="sites">
            <caption>Answers per site</caption>
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Answer</th>
              </tr>
            </thead>
            <tbody>
              {result.sites.map((site) => (
                <tr key={site.site} data-status={site.status}>
                  <th scope="row">{site.site}</th>
                  <td>{describeSite(site, result)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="hint">Query {result.id}</p>
        </>
      )}
    </section>
  );
}
