import { useState } from 'preact/hooks';
import type { BrokerApi } from '../api/broker-api.client';
import type { AttributeFilter, AttributeFilterDefinition, Criterion, TermCode, ValueFilter } from '../api/api-types';
import { CriteriaSearch } from '../criteria/criteria-search';
import { entryLabel } from '../criteria/group-by-context';
import { hasConcept, type QuantityInput, quantityFilterOf, quantityInputOf } from './filter-values';
import type { DraftCriterion } from './query-draft';
import { QuantityFields } from './quantity-fields';

type Change = (criterion: Criterion, problem?: string) => void;

function sameCode(a: TermCode, b: TermCode): boolean {
  return a.system === b.system && a.code === b.code;
}

function toggle(selected: readonly TermCode[], code: TermCode): TermCode[] {
  return hasConcept(selected, code) ? selected.filter((item) => !sameCode(item, code)) : [...selected, code];
}

/** The label of a criterion: its first term code, with more alternatives counted. */
export function criterionLabel(criterion: Criterion): string {
  const [first] = criterion.termCodes;
  const more = criterion.termCodes.length > 1 ? ` (+${criterion.termCodes.length - 1})` : '';
  return `${first.code} ${first.display ?? ''}`.trim() + more;
}

/**
 * The filters of one criterion, as the catalog says it supports them: concept selections, a quantity comparison or
 * range with units, a time restriction, attribute filters and references (a specimen's diagnosis).
 */
export function CriterionEditor({ api, item, onChange }: { api: BrokerApi; item: DraftCriterion; onChange: Change }) {
  const { criterion, filters, key } = item;
  return (
    <div class="criterion-editor">
      {filters !== null && filters.valueFilter !== null && (
        <ValueFilterFields
          idPrefix={`${key}-value`}
          legend="Value"
          definition={filters.valueFilter}
          filter={criterion.valueFilter}
          onChange={(valueFilter, problem) => {
            const { valueFilter: _old, ...rest } = criterion;
            onChange(valueFilter === undefined ? rest : { ...rest, valueFilter }, problem);
          }}
        />
      )}
      {filters?.attributeFilters.map((definition) => (
        <AttributeFields
          key={`${definition.attributeCode.system}|${definition.attributeCode.code}`}
          api={api}
          idPrefix={`${key}-attr-${definition.attributeCode.code}`}
          definition={definition}
          criterion={criterion}
          onChange={onChange}
        />
      ))}
      {(filters === null || filters.timeRestrictionAllowed) && (
        <TimeFields idPrefix={`${key}-time`} criterion={criterion} onChange={onChange} />
      )}
    </div>
  );
}

function ValueFilterFields({
  idPrefix,
  legend,
  definition,
  filter,
  onChange,
}: {
  idPrefix: string;
  legend: string;
  definition: NonNullable<NonNullable<DraftCriterion['filters']>['valueFilter']>;
  filter: ValueFilter | undefined;
  onChange: (filter: ValueFilter | undefined, problem?: string) => void;
}) {
  const [input, setInput] = useState<QuantityInput>(() =>
    quantityInputOf(filter, definition.type === 'quantity' ? (definition.allowedUnits[0]?.code ?? '') : ''),
  );
  const [problem, setProblem] = useState<string | null>(null);
  if (definition.type === 'concept') {
    const selected = filter?.type === 'concept' ? filter.selectedConcepts : [];
    return (
      <fieldset>
        <legend>{legend}</legend>
        <div class={definition.allowedConcepts.length > 8 ? 'concept-options long' : 'concept-options'}>
          {definition.allowedConcepts.map((concept) => (
            <label key={concept.code} class="check">
              <input
                type="checkbox"
                checked={hasConcept(selected, concept)}
                onChange={() => {
                  const next = toggle(selected, concept);
                  onChange(next.length === 0 ? undefined : { type: 'concept', selectedConcepts: next });
                }}
              />
              {concept.display}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }
  return (
    <fieldset>
      <legend>{legend}</legend>
      <QuantityFields
        idPrefix={idPrefix}
        input={input}
        units={definition.allowedUnits}
        problem={problem}
        onChange={(next) => {
          setInput(next);
          const result = quantityFilterOf(next, definition.allowedUnits);
          setProblem(result.ok ? null : result.problem);
          if (result.ok) {
            onChange(result.filter);
          } else {
            onChange(filter, result.problem);
          }
        }}
      />
    </fieldset>
  );
}

function AttributeFields({
  api,
  idPrefix,
  definition,
  criterion,
  onChange,
}: {
  api: BrokerApi;
  idPrefix: string;
  definition: AttributeFilterDefinition;
  criterion: Criterion;
  onChange: Change;
}) {
  const others = (criterion.attributeFilters ?? []).filter(
    (filter) => !sameCode(filter.attributeCode, definition.attributeCode),
  );
  const current = (criterion.attributeFilters ?? []).find((filter) =>
    sameCode(filter.attributeCode, definition.attributeCode),
  );
  const put = (filter: AttributeFilter | undefined, problem?: string) => {
    const next = filter === undefined ? others : [...others, filter];
    const { attributeFilters: _old, ...rest } = criterion;
    onChange(next.length === 0 ? rest : { ...rest, attributeFilters: next }, problem);
  };
  const legend = definition.attributeCode.display;
  if (definition.type === 'reference') {
    const chosen = current?.type === 'reference' ? current.criteria : [];
    return (
      <fieldset>
        <legend>{legend}</legend>
        <ul>
          {chosen.map((target) => (
            <li key={criterionLabel(target)}>
              {criterionLabel(target)}{' '}
              <button
                type="button"
                class="small"
                onClick={() => {
                  const rest = chosen.filter((item) => item !== target);
                  put(
                    rest.length === 0
                      ? undefined
                      : { type: 'reference', attributeCode: definition.attributeCode, criteria: rest },
                  );
                }}
              >
                Remove {criterionLabel(target)}
              </button>
            </li>
          ))}
        </ul>
        <CriteriaSearch
          // A fresh, empty search once a target was chosen.
          key={chosen.length}
          api={api}
          label={`Find the ${legend.toLowerCase()}`}
          context={definition.targetContexts[0]?.code}
          actions={(entry) => (
            <button
              type="button"
              onClick={() =>
                // A catalog criterion chosen as a reference target carries no reference of its own.
                put({
                  type: 'reference',
                  attributeCode: definition.attributeCode,
                  criteria: [...chosen, entry.criterion],
                } as AttributeFilter)
              }
            >
              Use {entryLabel(entry)}
            </button>
          )}
        />
      </fieldset>
    );
  }
  return (
    <ValueFilterFields
      idPrefix={idPrefix}
      legend={legend}
      definition={definition.type === 'concept' ? { ...definition } : { ...definition }}
      filter={current as ValueFilter | undefined}
      onChange={(filter, problem) =>
        put(filter === undefined ? undefined : { ...filter, attributeCode: definition.attributeCode }, problem)
      }
    />
  );
}

function TimeFields({ idPrefix, criterion, onChange }: { idPrefix: string; criterion: Criterion; onChange: Change }) {
  const restriction = criterion.timeRestriction ?? {};
  const set = (side: 'afterDate' | 'beforeDate', value: string) => {
    const next = { ...restriction, [side]: value === '' ? undefined : value };
    const { timeRestriction: _old, ...rest } = criterion;
    const empty = next.afterDate === undefined && next.beforeDate === undefined;
    const inverted = next.afterDate !== undefined && next.beforeDate !== undefined && next.beforeDate < next.afterDate;
    onChange(
      empty ? rest : { ...rest, timeRestriction: JSON.parse(JSON.stringify(next)) as Criterion['timeRestriction'] },
      inverted ? `the time range ends (${next.beforeDate}) before it starts (${next.afterDate})` : undefined,
    );
  };
  return (
    <fieldset class="time-fields">
      <legend>Time restriction</legend>
      <label for={`${idPrefix}-after`}>From</label>
      <input
        id={`${idPrefix}-after`}
        type="date"
        value={restriction.afterDate ?? ''}
        onChange={(event) => set('afterDate', event.currentTarget.value)}
      />
      <label for={`${idPrefix}-before`}>Until</label>
      <input
        id={`${idPrefix}-before`}
        type="date"
        value={restriction.beforeDate ?? ''}
        onChange={(event) => set('beforeDate', event.currentTarget.value)}
      />
    </fieldset>
  );
}
