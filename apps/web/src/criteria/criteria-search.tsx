import type { ComponentChildren } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import type { BrokerApi } from '../api/broker-api.client';
import type { TerminologyEntry, TerminologyEntrySummary } from '../api/api-types';
import { entryLabel, groupByContext } from './group-by-context';
import { useDebounced } from './use-debounced';

interface CriteriaSearchProps {
  api: BrokerApi;
  /** Labels the search field: "Find a criterion", "Find the specimen's diagnosis". */
  label: string;
  /** Only entries of this context code (a reference filter's target). */
  context?: string;
  /** What can be done with the chosen entry (add it to the query, pick it as a reference). */
  actions: (entry: TerminologyEntry) => ComponentChildren;
}

/**
 * Type to search the broker's criteria catalog; results are grouped by context. Choosing one shows its parents and
 * children to browse, and the caller's actions for it.
 */
export function CriteriaSearch({ api, label, context, actions }: CriteriaSearchProps) {
  const [text, setText] = useState('');
  const query = useDebounced(text.trim(), 200);
  const [results, setResults] = useState<{ q: string; items: TerminologyEntrySummary[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [entry, setEntry] = useState<TerminologyEntry | null>(null);
  // Unique per search field: a query may hold several reference filters, each with its own search.
  const id = `search-${useId()}`;

  useEffect(() => {
    if (query === '') {
      setResults(null);
      return;
    }
    let current = true;
    api.searchTerminology(query, { context, limit: 30 }).then(
      (answer) => {
        if (current) {
          setResults({ q: query, items: answer.results, total: answer.total });
          setError(null);
        }
      },
      (failure: unknown) => current && setError(failure instanceof Error ? failure.message : String(failure)),
    );
    return () => {
      current = false;
    };
  }, [api, query, context]);

  const open = (target: TerminologyEntrySummary) => {
    api
      .terminologyEntry(target.id)
      .then(setEntry, (failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  };

  return (
    <div class="criteria-search">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="search"
        autocomplete="off"
        placeholder="e.g. diab, E11, HbA1c, 4548-4"
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
        aria-describedby={`${id}-status`}
      />
      <p id={`${id}-status`} class="hint" role="status">
        {error !== null
          ? `Search failed: ${error}`
          : results === null
            ? 'Type at least one letter.'
            : `${results.total} ${results.total === 1 ? 'match' : 'matches'} for “${results.q}”`}
      </p>
      {results !== null && results.items.length > 0 && (
        <div class="search-results">
          {groupByContext(results.items).map((group) => (
            <section key={group.context} aria-label={group.context}>
              <h4>{group.context}</h4>
              <ul>
                {group.entries.map((item) => (
                  <li key={item.id}>
                    <button type="button" class="link" onClick={() => open(item)}>
                      {entryLabel(item)}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
      {entry !== null && <EntryDetails entry={entry} onOpen={open} actions={actions} />}
    </div>
  );
}

function EntryDetails({
  entry,
  onOpen,
  actions,
}: {
  entry: TerminologyEntry;
  onOpen: (target: TerminologyEntrySummary) => void;
  actions: (entry: TerminologyEntry) => ComponentChildren;
}) {
  const neighbours = (title: string, items: TerminologyEntrySummary[]) =>
    items.length > 0 && (
      <div>
        <h5>{title}</h5>
        <ul>
          {items.map((item) => (
            <li key={item.id}>
              <button type="button" class="link" onClick={() => onOpen(item)}>
                {entryLabel(item)}
              </button>
            </li>
          ))}
        </ul>
      </div>
    );
  return (
    <section class="entry-details" aria-label={`Chosen: ${entryLabel(entry)}`}>
      <h4>
        {entryLabel(entry)} <span class="context-tag">{entry.context.display}</span>
      </h4>
      <p class="hint">{entry.termCode.system}</p>
      {entry.selectable ? actions(entry) : <p>A grouping: choose one of its children.</p>}
      <div class="neighbours">
        {neighbours('Parents', entry.parents)}
        {neighbours('Children', entry.children)}
      </div>
    </section>
  );
}
