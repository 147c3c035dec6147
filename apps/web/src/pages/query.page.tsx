import { useState } from 'preact/hooks';
import { ApiProblemError } from '../api/api-problem';
import type { ProblemIssue, QueryWarning, TerminologyEntry } from '../api/api-types';
import { useAuth } from '../auth/auth.context';
import { CcdlFile } from '../builder/ccdl-file';
import {
  addCriterion,
  attachCatalogEntry,
  draftProblems,
  type DraftSection,
  EMPTY_DRAFT,
  type GroupTarget,
  newCriterionKey,
  type QueryDraft,
  toStructuredQuery,
} from '../builder/query-draft';
import { QueryBuilder } from '../builder/query-builder';
import { CriteriaSearch } from '../criteria/criteria-search';
import { entryLabel } from '../criteria/group-by-context';
import { QuotaNotice } from '../quota/quota-status';
import { useQuota } from '../quota/quota.context';
import { LiveResults } from '../results/live-results';
import { SaveQueryForm } from '../saved/save-query.form';
import { useOpenSavedQuery } from '../saved/use-open-saved-query';

/** Where an added criterion goes, as the "Add to" list offers it. */
function targetsOf(draft: QueryDraft): { value: string; label: string }[] {
  const options = (section: DraftSection, name: string, within: string) => [
    { value: `${section}:new`, label: `${name}: a new group` },
    ...draft[section].map((_group, index) => ({
      value: `${section}:${index}`,
      label: `${name} group ${index + 1} (${within})`,
    })),
  ];
  return [
    ...options('inclusion', 'Inclusion', 'as an alternative'),
    ...options('exclusion', 'Exclusion', 'all must hold'),
  ];
}

function parseTarget(value: string): { section: DraftSection; target: GroupTarget } {
  const [section, target] = value.split(':');
  return {
    section: section === 'exclusion' ? 'exclusion' : 'inclusion',
    target: target === 'new' ? 'new' : Number(target),
  };
}

/** The researcher's main page: find criteria, build the query, submit it and watch the sites answer. */
export function QueryPage() {
  const { api } = useAuth();
  const quota = useQuota();
  const [draft, setDraft] = useState<QueryDraft>(EMPTY_DRAFT);
  const [target, setTarget] = useState('inclusion:new');
  const [submitted, setSubmitted] = useState<{ id: string; warnings: QueryWarning[] } | null>(null);
  const [submitError, setSubmitError] = useState<{ message: string; issues: ProblemIssue[] } | null>(null);
  const [sending, setSending] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const opened = useOpenSavedQuery(api, (next) => {
    setDraft(next);
    setSubmitted(null);
  });
  const query = toStructuredQuery(draft);
  const problems = draftProblems(draft);

  const add = (entry: TerminologyEntry) => {
    const where = parseTarget(target);
    setDraft(
      addCriterion(draft, where.section, where.target, {
        key: newCriterionKey(),
        entryId: entry.id,
        filters: entry.filters,
        criterion: entry.criterion,
      }),
    );
    setTarget('inclusion:new');
    setAnnouncement(`Added ${entryLabel(entry)} to the ${where.section} criteria.`);
  };

  // An imported criterion gets the filters of the catalog entry with its code, when the catalog has one.
  const findCatalogEntries = async (imported: QueryDraft) => {
    for (const item of [...imported.inclusion, ...imported.exclusion].flat()) {
      const [code] = item.criterion.termCodes;
      try {
        const found = await api.searchTerminology(code.code, { context: item.criterion.context?.code, limit: 10 });
        const match = found.results.find(
          (result) => result.termCode.system === code.system && result.termCode.code === code.code,
        );
        if (match !== undefined) {
          const entry = await api.terminologyEntry(match.id);
          setDraft((current) => attachCatalogEntry(current, item.key, entry.id, entry.filters));
        }
      } catch {
        // Not in the catalog, or the catalog is unreachable: the criterion stays as imported.
      }
    }
  };

  const submit = async () => {
    if (query === null) {
      return;
    }
    setSending(true);
    setSubmitError(null);
    try {
      const answer = await api.submitQuery(query);
      quota.noteSubmission(null);
      setSubmitted({ id: answer.id, warnings: answer.warnings ?? [] });
    } catch (failure) {
      quota.noteSubmission(failure);
      setSubmitError(
        failure instanceof ApiProblemError
          ? {
              message:
                failure.retryAfterSeconds !== null
                  ? `${failure.message} (try again in ${failure.retryAfterSeconds} s)`
                  : failure.message,
              issues: failure.issues,
            }
          : { message: String(failure), issues: [] },
      );
    } finally {
      setSending(false);
    }
  };

  return (
    <div class="query-page">
      <h2>New feasibility query</h2>
      {opened !== null && <p role="status">{opened}</p>}
      <div class="columns">
        <section class="panel" aria-labelledby="find-title">
          <h3 id="find-title">Find criteria</h3>
          <CriteriaSearch
            api={api}
            label="Find a criterion"
            actions={(entry) => (
              <div class="add-row">
                <label for="add-target">Add to</label>
                <select id="add-target" value={target} onChange={(event) => setTarget(event.currentTarget.value)}>
                  {targetsOf(draft).map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
                <button type="button" class="primary" onClick={() => add(entry)}>
                  Add {entryLabel(entry)}
                </button>
              </div>
            )}
          />
          <p class="visually-hidden" role="status">
            {announcement}
          </p>
        </section>
        <section class="panel" aria-labelledby="query-title">
          <h3 id="query-title">Your query</h3>
          <label for="query-display">Title (optional)</label>
          <input
            id="query-display"
            value={draft.display}
            maxLength={200}
            onInput={(event) => setDraft({ ...draft, display: event.currentTarget.value })}
          />
          <QueryBuilder api={api} draft={draft} onChange={setDraft} />
          <div class="submit-row">
            <button
              type="button"
              class="primary"
              disabled={problems.length > 0 || sending || quota.gate.state !== 'open'}
              onClick={() => void submit()}
            >
              {sending ? 'Submitting…' : 'Submit query'}
            </button>
            {problems.length > 0 && <p class="hint">Before submitting: {problems.join('; ')}.</p>}
            <QuotaNotice />
          </div>
          {submitError !== null && (
            <div role="alert" class="problem">
              <p>The broker did not accept the query: {submitError.message}</p>
              {submitError.issues.length > 0 && (
                <ul>
                  {submitError.issues.map((issue) => (
                    <li key={issue.path + issue.code}>
                      <code>{issue.path}</code>: {issue.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <SaveQueryForm api={api} query={query} />
          <CcdlFile
            query={query}
            onImport={(imported) => {
              setDraft(imported);
              setSubmitted(null);
              void findCatalogEntries(imported);
            }}
          />
        </section>
      </div>
      {submitted !== null && <LiveResults api={api} queryId={submitted.id} warnings={submitted.warnings} />}
    </div>
  );
}
