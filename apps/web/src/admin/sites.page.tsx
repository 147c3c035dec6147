import { useEffect, useState } from 'preact/hooks';
import type { SiteStateList } from '../api/api-types';
import { useAuth } from '../auth/auth.context';
import { formatTime } from '../history/history-words';
import { AdminOnly } from './admin-only';
import { describeAge, describeSiteState } from './admin-words';

/** Heartbeats arrive every few seconds; the table follows them at this pace. */
const REFRESH_MS = 5000;

/** The network's sites, whether each is online and when its last heartbeat came (admins only). */
export function SitesPage() {
  return (
    <AdminOnly>
      <Sites />
    </AdminOnly>
  );
}

function Sites() {
  const { api } = useAuth();
  const [sites, setSites] = useState<SiteStateList | null>(null);
  const [readAt, setReadAt] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const read = () =>
      api.sites().then(
        (next) => {
          if (current) {
            setSites(next);
            setReadAt(Date.now());
            setError(null);
          }
        },
        (failure: unknown) => {
          if (current) {
            setError(failure instanceof Error ? failure.message : String(failure));
          }
        },
      );
    void read();
    const timer = setInterval(() => void read(), REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [api]);

  const online = sites?.filter((site) => site.online).length ?? 0;
  return (
    <section class="panel sites-page" aria-labelledby="sites-title">
      <h2 id="sites-title">Sites</h2>
      {error !== null && (
        <p role="alert" class="problem">
          The sites could not be read: {error}
        </p>
      )}
      {sites === null && error === null && <p role="status">Loading…</p>}
      {sites !== null && (
        <>
          <p class="hint">
            {online} of {sites.length} {sites.length === 1 ? 'site' : 'sites'} online; read{' '}
            {formatTime(new Date(readAt).toISOString())}, again every {REFRESH_MS / 1000} s.
          </p>
          <table class="data">
            <caption>Registered sites and their heartbeats</caption>
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">State</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Data loaded</th>
                <th scope="col">Agent version</th>
              </tr>
            </thead>
            <tbody>
              {sites.map((site) => (
                <tr key={site.id} data-online={String(site.online)}>
                  <th scope="row">
                    {site.name} <span class="hint">({site.id})</span>
                  </th>
                  <td class={site.online ? 'online' : 'offline'}>{describeSiteState(site, readAt)}</td>
                  <td>
                    {site.lastHeartbeat === null ? (
                      'never'
                    ) : (
                      <time dateTime={site.lastHeartbeat}>{describeAge(site.lastHeartbeat, readAt)}</time>
                    )}
                  </td>
                  <td>
                    {site.dataFreshness === null ? (
                      'unknown'
                    ) : (
                      <time dateTime={site.dataFreshness}>{formatTime(site.dataFreshness)}</time>
                    )}
                  </td>
                  <td>{site.agentVersion ?? 'unknown'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
