import { useEffect, useState } from 'preact/hooks';
import type { SavedQueryList, SavedQuerySummary } from '../api/api-types';
import type { BrokerApi } from '../api/broker-api.client';
import { useAuth } from '../auth/auth.context';
import { formatTime } from '../history/history-words';
import { useRerunQuery } from '../history/use-rerun-query';
import { QuotaNotice } from '../quota/quota-status';
import { SavedProblem } from './saved-problem';
import { describeSavedQueryProblem, type SavedQueryProblem } from './saved-query-problems';
import { openInBuilderHref } from './use-open-saved-query';
import '../styles/data-pages.css';

type Mode = 'view' | 'rename' | 'confirm-delete';

/** The signed-in user's saved queries: open one in the builder, run it again, rename it or delete it. */
export function SavedQueriesPage() {
  const { api } = useAuth();
  const [list, setList] = useState<SavedQueryList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reads, setReads] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const rerun = useRerunQuery();

  useEffect(() => {
    let current = true;
    api.listSavedQueries().then(
      (next) => current && setList(next),
      (failure: unknown) => current && setError(describeSavedQueryProblem(failure).message),
    );
    return () => {
      current = false;
    };
  }, [api, reads]);

  const changed = (sentence: string) => {
    setAnnouncement(sentence);
    setReads((count) => count + 1);
  };

  return (
    <section class="panel saved-page" aria-labelledby="saved-title">
      <h2 id="saved-title">Saved queries</h2>
      <p class="visually-hidden" role="status">
        {announcement}
      </p>
      {error !== null && (
        <p role="alert" class="problem">
          The saved queries could not be read: {error}
        </p>
      )}
      {list === null && error === null && <p role="status">Loading…</p>}
      {list !== null && (
        <>
          <p class="hint">
            {list.items.length} of at most {list.maxItems} saved. Save a query from the <a href="/">query builder</a>.
          </p>
          <QuotaNotice />
          {rerun.error !== null && (
            <p role="alert" class="problem">
              The broker did not accept the query: {rerun.error}
            </p>
          )}
          {list.items.length === 0 ? (
            <p class="empty">No saved queries yet.</p>
          ) : (
            <ul class="saved-list">
              {list.items.map((item) => (
                <SavedItem
                  key={item.id}
                  api={api}
                  item={item}
                  onChanged={changed}
                  rerunning={rerun.running}
                  rerunBlocked={rerun.blocked}
                  onRerun={async () => {
                    try {
                      const saved = await api.savedQuery(item.id);
                      await rerun.rerun(saved.query);
                    } catch (failure) {
                      setError(describeSavedQueryProblem(failure).message);
                    }
                  }}
                />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function SavedItem({
  api,
  item,
  onChanged,
  onRerun,
  rerunning,
  rerunBlocked,
}: {
  api: BrokerApi;
  item: SavedQuerySummary;
  onChanged: (sentence: string) => void;
  onRerun: () => Promise<void>;
  rerunning: boolean;
  rerunBlocked: boolean;
}) {
  const [mode, setMode] = useState<Mode>('view');
  const [name, setName] = useState(item.name);
  const [comment, setComment] = useState(item.comment ?? '');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<SavedQueryProblem | null>(null);
  const headingId = `saved-${item.id}`;

  const rename = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const updated = await api.updateSavedQuery(item.id, { name, comment: comment.trim() === '' ? null : comment });
      setMode('view');
      onChanged(`Saved as “${updated.name}”.`);
    } catch (failure) {
      setProblem(describeSavedQueryProblem(failure, name));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api.deleteSavedQuery(item.id);
      onChanged(`Deleted “${item.name}”.`);
    } catch (failure) {
      setProblem(describeSavedQueryProblem(failure));
      setBusy(false);
    }
  };

  return (
    <li class="saved-item" aria-labelledby={headingId}>
      <h3 id={headingId}>{item.name}</h3>
      {item.comment !== null && <p class="comment">{item.comment}</p>}
      <p class="hint">
        Saved <time dateTime={item.createdAt}>{formatTime(item.createdAt)}</time>
        {item.updatedAt !== item.createdAt && (
          <>
            , changed <time dateTime={item.updatedAt}>{formatTime(item.updatedAt)}</time>
          </>
        )}
      </p>
      {mode === 'view' && (
        <div class="actions">
          <a class="button-like" href={openInBuilderHref(item.id)} aria-label={`Open in the builder: ${item.name}`}>
            Open in the builder
          </a>
          <button
            type="button"
            class="primary"
            aria-label={`Run again: ${item.name}`}
            disabled={rerunning || rerunBlocked}
            onClick={() => void onRerun()}
          >
            Run again
          </button>
          <button type="button" aria-label={`Rename: ${item.name}`} onClick={() => setMode('rename')}>
            Rename
          </button>
          <button type="button" aria-label={`Delete: ${item.name}`} onClick={() => setMode('confirm-delete')}>
            Delete
          </button>
        </div>
      )}
      {mode === 'rename' && (
        <form class="saved-form" onSubmit={(event) => void rename(event)}>
          <label for={`${headingId}-name`}>New name</label>
          <input
            id={`${headingId}-name`}
            value={name}
            required
            maxLength={120}
            onInput={(event) => setName(event.currentTarget.value)}
          />
          <label for={`${headingId}-comment`}>Comment</label>
          <textarea
            id={`${headingId}-comment`}
            value={comment}
            maxLength={2000}
            onInput={(event) => setComment(event.currentTarget.value)}
          />
          <div class="actions">
            <button type="submit" class="primary" disabled={busy || name.trim() === ''}>
              Save changes
            </button>
            <button
              type="button"
              onClick={() => {
                setMode('view');
                setName(item.name);
                setComment(item.comment ?? '');
                setProblem(null);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
      {mode === 'confirm-delete' && (
        <div class="confirm" role="group" aria-label={`Confirm deleting ${item.name}`}>
          <p>Delete “{item.name}” for good? Queries already run from it stay in your history.</p>
          <div class="actions">
            <button type="button" class="primary" disabled={busy} onClick={() => void remove()}>
              Yes, delete it
            </button>
            <button type="button" onClick={() => setMode('view')}>
              Keep it
            </button>
          </div>
        </div>
      )}
      <SavedProblem problem={problem} />
    </li>
  );
}
