import { useEffect, useState } from 'preact/hooks';
import type { BlacklistList } from '../api/api-types';
import { useAuth } from '../auth/auth.context';
import { formatTime } from '../history/history-words';
import { AdminOnly } from './admin-only';

/** The users the weekly limit blacklisted, each with a button that lifts it (admins only). */
export function BlacklistPage() {
  return (
    <AdminOnly>
      <Blacklist />
    </AdminOnly>
  );
}

function Blacklist() {
  const { api } = useAuth();
  const [entries, setEntries] = useState<BlacklistList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [lifting, setLifting] = useState<string | null>(null);
  const [reads, setReads] = useState(0);

  useEffect(() => {
    let current = true;
    api.blacklist().then(
      (next) => {
        if (current) {
          setEntries(next);
        }
      },
      (failure: unknown) => {
        if (current) {
          setError(failure instanceof Error ? failure.message : String(failure));
        }
      },
    );
    return () => {
      current = false;
    };
  }, [api, reads]);

  const lift = async (userId: string) => {
    setLifting(userId);
    setError(null);
    try {
      await api.liftBlacklist(userId);
      setAnnouncement(`Lifted the blacklisting of ${userId}: they can submit queries again.`);
    } catch (failure) {
      setError(`${userId}: ${failure instanceof Error ? failure.message : String(failure)}`);
    } finally {
      setLifting(null);
      setReads((count) => count + 1);
    }
  };

  return (
    <section class="panel blacklist-page" aria-labelledby="blacklist-title">
      <h2 id="blacklist-title">Blacklist</h2>
      <p class="hint">
        A researcher who submits more queries than the weekly limit allows is blacklisted until an admin lifts it.
      </p>
      <p role="status">{announcement}</p>
      {error !== null && (
        <p role="alert" class="problem">
          {error}
        </p>
      )}
      {entries === null && error === null && <p role="status">Loading…</p>}
      {entries !== null &&
        (entries.length === 0 ? (
          <p class="empty">Nobody is blacklisted.</p>
        ) : (
          <table class="data">
            <caption>Blacklisted users, longest listed first</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Blacklisted</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.userId}>
                  <th scope="row">{entry.userId}</th>
                  <td>
                    <time dateTime={entry.blacklistedAt}>{formatTime(entry.blacklistedAt)}</time>
                  </td>
                  <td>
                    <button
                      type="button"
                      class="small"
                      aria-label={`Lift the blacklisting of ${entry.userId}`}
                      disabled={lifting !== null}
                      onClick={() => void lift(entry.userId)}
                    >
                      Lift
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
