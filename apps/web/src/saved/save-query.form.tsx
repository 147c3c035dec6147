import { useState } from 'preact/hooks';
import type { StructuredQuery } from '../api/api-types';
import type { BrokerApi } from '../api/broker-api.client';
import { SavedProblem } from './saved-problem';
import { describeSavedQueryProblem, type SavedQueryProblem } from './saved-query-problems';
import '../styles/data-pages.css';

// The broker's limits (libs/contracts saved-queries.schema.ts); the broker checks them again.
const NAME_MAX = 120;
const COMMENT_MAX = 2000;

/** In the builder: saves the query as it stands under a name, with an optional comment. */
export function SaveQueryForm({ api, query }: { api: BrokerApi; query: StructuredQuery | null }) {
  const [name, setName] = useState('');
  const [comment, setComment] = useState('');
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<SavedQueryProblem | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const save = async (event: Event) => {
    event.preventDefault();
    if (query === null) {
      return;
    }
    setSaving(true);
    setProblem(null);
    setSaved(null);
    try {
      const result = await api.createSavedQuery({
        name,
        ...(comment.trim() === '' ? {} : { comment }),
        query,
      });
      setSaved(result.name);
    } catch (failure) {
      setProblem(describeSavedQueryProblem(failure, name));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="saved-form" aria-labelledby="save-title">
      <h3 id="save-title">Save this query</h3>
      <form onSubmit={(event) => void save(event)}>
        <label for="saved-name">Name</label>
        <input
          id="saved-name"
          value={name}
          required
          maxLength={NAME_MAX}
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <label for="saved-comment">Comment (optional)</label>
        <textarea
          id="saved-comment"
          value={comment}
          maxLength={COMMENT_MAX}
          onInput={(event) => setComment(event.currentTarget.value)}
        />
        <div class="row">
          <button type="submit" disabled={query === null || saving || name.trim() === ''}>
            {saving ? 'Saving…' : 'Save query'}
          </button>
          {query === null && <p class="hint">Add an inclusion criterion first.</p>}
        </div>
      </form>
      <p role="status">
        {saved !== null && (
          <>
            Saved as “{saved}”. <a href="/saved">Your saved queries</a>
          </>
        )}
      </p>
      <SavedProblem problem={problem} />
    </section>
  );
}
