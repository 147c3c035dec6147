import type { Criterion, CriterionFilters, StructuredQuery } from '../api/api-types';

/** One criterion in the builder: the CCDL criterion and, when it came from the catalog, the filters it supports. */
export interface DraftCriterion {
  key: string;
  /** The catalog entry it was added from; null for an imported criterion the catalog was not asked about. */
  entryId: string | null;
  filters: CriterionFilters | null;
  criterion: Criterion;
  /** What is wrong with a filter as typed (the criterion keeps its last valid filters meanwhile). */
  problem?: string;
}

/** Inclusion: every group must hold (AND), one criterion of a group is enough (OR). Exclusion: any group (OR) whose
 * criteria all hold (AND) excludes the patient. */
export interface QueryDraft {
  display: string;
  inclusion: DraftCriterion[][];
  exclusion: DraftCriterion[][];
}

export type DraftSection = 'inclusion' | 'exclusion';

/** Where a criterion goes: an existing group (by index) or a new one at the end. */
export type GroupTarget = number | 'new';

export const EMPTY_DRAFT: QueryDraft = { display: '', inclusion: [], exclusion: [] };

let nextKey = 0;

/** A key unique within the page, so lists keep their focus and state when criteria move. */
export function newCriterionKey(): string {
  nextKey += 1;
  return `c${nextKey}`;
}

/** Adds `item` to a group of `section` (a new group, or as an alternative in an existing one). */
export function addCriterion(
  draft: QueryDraft,
  section: DraftSection,
  target: GroupTarget,
  item: DraftCriterion,
): QueryDraft {
  const groups = draft[section];
  const next =
    target === 'new' || target >= groups.length
      ? [...groups, [item]]
      : groups.map((group, index) => (index === target ? [...group, item] : group));
  return { ...draft, [section]: next };
}

/** Removes the criterion with `key`, and its group when it was the last one. */
export function removeCriterion(draft: QueryDraft, key: string): QueryDraft {
  const prune = (groups: DraftCriterion[][]) =>
    groups.map((group) => group.filter((item) => item.key !== key)).filter((group) => group.length > 0);
  return { ...draft, inclusion: prune(draft.inclusion), exclusion: prune(draft.exclusion) };
}

/** Replaces the CCDL criterion of the item with `key`, and its problem (none: the filters as typed are valid). */
export function updateCriterion(draft: QueryDraft, key: string, criterion: Criterion, problem?: string): QueryDraft {
  const update = (groups: DraftCriterion[][]) =>
    groups.map((group) => group.map((item) => (item.key === key ? { ...item, criterion, problem } : item)));
  return { ...draft, inclusion: update(draft.inclusion), exclusion: update(draft.exclusion) };
}

/** The CCDL structured query the draft stands for; null while it has no inclusion criterion (CCDL needs one). */
export function toStructuredQuery(draft: QueryDraft): StructuredQuery | null {
  if (draft.inclusion.length === 0) {
    return null;
  }
  const criteria = (groups: DraftCriterion[][]) => groups.map((group) => group.map((item) => item.criterion));
  return {
    version: 'http://to_be_decided.com/draft-2/schema#',
    ...(draft.display.trim() === '' ? {} : { display: draft.display.trim() }),
    inclusionCriteria: criteria(draft.inclusion),
    ...(draft.exclusion.length === 0 ? {} : { exclusionCriteria: criteria(draft.exclusion) }),
  };
}

/** How many criteria the draft holds in all. */
export function countCriteria(draft: QueryDraft): number {
  return [...draft.inclusion, ...draft.exclusion].reduce((sum, group) => sum + group.length, 0);
}

/** The problems that keep the draft from being submitted, one sentence each. */
export function draftProblems(draft: QueryDraft): string[] {
  const items = [...draft.inclusion, ...draft.exclusion].flat();
  return [
    ...(draft.inclusion.length === 0 ? ['add at least one inclusion criterion'] : []),
    ...items.flatMap((item) =>
      item.problem === undefined
        ? []
        : [`${item.criterion.termCodes[0]?.display ?? item.criterion.termCodes[0]?.code}: ${item.problem}`],
    ),
  ];
}

/** Gives the item with `key` the catalog entry it matches, so its filters can be edited (an imported criterion). */
export function attachCatalogEntry(
  draft: QueryDraft,
  key: string,
  entryId: string,
  filters: CriterionFilters,
): QueryDraft {
  const attach = (groups: DraftCriterion[][]) =>
    groups.map((group) => group.map((item) => (item.key === key ? { ...item, entryId, filters } : item)));
  return { ...draft, inclusion: attach(draft.inclusion), exclusion: attach(draft.exclusion) };
}
