import type { TerminologyEntrySummary } from '../api/api-types';

/** Search results grouped by their context (Diagnose, Laboruntersuchung, …), in the order each first appears. */
export function groupByContext(
  results: readonly TerminologyEntrySummary[],
): { context: string; entries: TerminologyEntrySummary[] }[] {
  const groups = new Map<string, TerminologyEntrySummary[]>();
  for (const entry of results) {
    const name = entry.context.display;
    groups.set(name, [...(groups.get(name) ?? []), entry]);
  }
  return [...groups].map(([context, entries]) => ({ context, entries }));
}

/** "E11 Diabetes mellitus, Typ 2": the code, then what it means. */
export function entryLabel(entry: Pick<TerminologyEntrySummary, 'termCode'>): string {
  return `${entry.termCode.code} ${entry.termCode.display}`;
}
