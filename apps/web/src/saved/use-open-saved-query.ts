import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import type { BrokerApi } from '../api/broker-api.client';
import { importCcdl } from '../builder/ccdl-import';
import type { QueryDraft } from '../builder/query-draft';
import { describeSavedQueryProblem } from './saved-query-problems';

/** The builder's address for opening a saved query in it. */
export function openInBuilderHref(savedQueryId: string): string {
  return `/?saved=${encodeURIComponent(savedQueryId)}`;
}

/**
 * Loads the saved query named by the builder's `?saved=` parameter into the draft (as a CCDL file would be imported);
 * returns a sentence saying what happened, for a status line.
 */
export function useOpenSavedQuery(api: BrokerApi, onDraft: (draft: QueryDraft) => void): string | null {
  const { query } = useLocation();
  const id = query.saved;
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    if (id === undefined || id === '') {
      return;
    }
    let current = true;
    setNote('Opening the saved query…');
    api.savedQuery(id).then(
      (saved) => {
        if (!current) {
          return;
        }
        const draft = importCcdl(JSON.stringify(saved.query));
        if (draft.ok) {
          onDraft(draft.value);
          setNote(`Opened the saved query “${saved.name}”.`);
        } else {
          setNote(`The saved query “${saved.name}” cannot be shown in the builder: ${draft.error[0]?.message ?? ''}`);
        }
      },
      (failure: unknown) => {
        if (current) {
          setNote(describeSavedQueryProblem(failure).message);
        }
      },
    );
    return () => {
      current = false;
    };
    // onDraft is the page's state setter; the query opens again only when the id changes.
  }, [api, id]);

  return note;
}
