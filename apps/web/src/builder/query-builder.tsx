import type { BrokerApi } from '../api/broker-api.client';
import { CriterionEditor, criterionLabel } from './criterion-editor';
import {
  type DraftCriterion,
  type DraftSection,
  type QueryDraft,
  removeCriterion,
  updateCriterion,
} from './query-draft';

const SECTIONS: { section: DraftSection; title: string; hint: string; join: string; within: string }[] = [
  {
    section: 'inclusion',
    title: 'Inclusion criteria',
    hint: 'A patient must meet every group; within a group, one criterion is enough.',
    join: 'AND',
    within: 'OR',
  },
  {
    section: 'exclusion',
    title: 'Exclusion criteria',
    hint: 'A patient who meets all criteria of any group is left out.',
    join: 'OR',
    within: 'AND',
  },
];

/** The query as groups of criteria, each criterion with the filters it supports and a way to remove it. */
export function QueryBuilder({
  api,
  draft,
  onChange,
}: {
  api: BrokerApi;
  draft: QueryDraft;
  onChange: (draft: QueryDraft) => void;
}) {
  return (
    <div class="query-builder">
      {SECTIONS.map(({ section, title, hint, join, within }) => (
        <section key={section} aria-labelledby={`${section}-title`} class={`draft-section ${section}`}>
          <h3 id={`${section}-title`}>{title}</h3>
          <p class="hint">{hint}</p>
          {draft[section].length === 0 ? (
            <p class="empty">None yet: find a criterion and add it here.</p>
          ) : (
            <ol class="groups">
              {draft[section].map((group, groupIndex) => (
                <li key={group[0]?.key ?? groupIndex} class="group">
                  {groupIndex > 0 && <span class="join">{join}</span>}
                  <h4 class="group-title">Group {groupIndex + 1}</h4>
                  <ul class="criteria">
                    {group.map((item, index) => (
                      <CriterionItem
                        key={item.key}
                        api={api}
                        item={item}
                        separator={index > 0 ? within : null}
                        draft={draft}
                        onChange={onChange}
                      />
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          )}
        </section>
      ))}
    </div>
  );
}

function CriterionItem({
  api,
  item,
  separator,
  draft,
  onChange,
}: {
  api: BrokerApi;
  item: DraftCriterion;
  separator: string | null;
  draft: QueryDraft;
  onChange: (draft: QueryDraft) => void;
}) {
  const label = criterionLabel(item.criterion);
  return (
    <li class="criterion">
      {separator !== null && <span class="join">{separator}</span>}
      <div class="criterion-head">
        <strong>{label}</strong>
        {item.criterion.context?.display !== undefined && (
          <span class="context-tag">{item.criterion.context.display}</span>
        )}
        <button type="button" class="small" onClick={() => onChange(removeCriterion(draft, item.key))}>
          Remove {label}
        </button>
      </div>
      <CriterionEditor
        api={api}
        item={item}
        onChange={(criterion, problem) => onChange(updateCriterion(draft, item.key, criterion, problem))}
      />
    </li>
  );
}
