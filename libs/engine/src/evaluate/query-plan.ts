import type { AttributeFilter, Criterion, PlainAttributeFilter, ReferencedCriterion, TermCode } from '@fq/ccdl';
import type { FinalTable, PatientIndex } from '../index/patient-index';
import type { Postings } from '../index/postings';
import type { CriterionMapping } from '../mapping/mapping.schema';
import { addAttributeFilter } from './attribute-filter';
import { registerRows } from './listed-columns';
import type { CriterionDiagnostic, CriterionIssue } from './query-evaluation';
import { postedRows } from './row-sets';
import type { MatchPlanner, TableMatch } from './table-match';
import { addTimeRestriction } from './time-filter';
import { addValueFilter } from './value-filter';

/**
 * Plans criteria as table matches: term codes are resolved to mapping entries and expanded over the codes present
 * (hierarchy), their postings give the candidate rows, and each filter kind narrows the rows of its entry's table.
 */
export class QueryPlanner implements MatchPlanner {
  constructor(
    readonly index: PatientIndex,
    readonly today: number,
  ) {}

  private get catalog() {
    return this.index.plan.catalog;
  }

  /** Groups the criterion's term codes by mapping entry and compiles one table match per entry. */
  criterionMatches(
    criterion: Criterion | ReferencedCriterion,
    path: string,
    diagnostic: CriterionDiagnostic,
  ): TableMatch[] {
    const byEntry = new Map<CriterionMapping, TermCode[]>();
    for (const termCode of criterion.termCodes) {
      const resolved = this.catalog.resolve(criterion.context, termCode);
      if (resolved === null) {
        diagnostic.unknownTermCodes.push({ system: termCode.system, code: termCode.code });
        continue;
      }
      const codes = byEntry.get(resolved.entry) ?? [];
      codes.push(termCode);
      byEntry.set(resolved.entry, codes);
    }
    const matches: TableMatch[] = [];
    for (const [entry, termCodes] of byEntry) {
      const issues: CriterionIssue[] = [];
      const match = this.entryMatch(entry, termCodes, criterion, path, issues, diagnostic);
      diagnostic.issues.push(...issues);
      if (issues.length === 0) {
        matches.push(match);
      }
    }
    return matches;
  }

  private entryMatch(
    entry: CriterionMapping,
    termCodes: readonly TermCode[],
    criterion: Criterion | ReferencedCriterion,
    path: string,
    issues: CriterionIssue[],
    diagnostic: CriterionDiagnostic,
  ): TableMatch {
    const layout = this.index.plan.layout(entry);
    const table = this.index.table(layout.table);
    const match: TableMatch = {
      table,
      sources: this.codeRows(entry, table, termCodes),
      window: null,
      quantity: null,
      checks: [],
    };
    if (criterion.valueFilter !== undefined) {
      addValueFilter(this, match, layout, criterion.valueFilter, `${path}.valueFilter`, issues);
    }
    (criterion.attributeFilters ?? []).forEach((filter: AttributeFilter | PlainAttributeFilter, i) => {
      addAttributeFilter(this, match, entry, layout, filter, `${path}.attributeFilters[${i}]`, issues, diagnostic);
    });
    if (criterion.timeRestriction !== undefined) {
      addTimeRestriction(match, entry, criterion.timeRestriction, `${path}.timeRestriction`, issues);
    }
    return match;
  }

  /** Rows carrying one of the term codes (or a descendant); null when the entry reads no code (every row). */
  private codeRows(entry: CriterionMapping, table: FinalTable, termCodes: readonly TermCode[]): Uint32Array[] | null {
    const postings = table.codes;
    if (postings === undefined) {
      return null;
    }
    const dictionary = this.index.dictionary;
    registerRows(postings.rows, table.patient);
    const sources: Uint32Array[] = [];
    for (const termCode of termCodes) {
      const conjunction = entry.codeConjunctions?.[termCode.code];
      if (conjunction !== undefined) {
        sources.push(this.rowsWithAll(table, postings, conjunction));
        continue;
      }
      const system = this.catalog.normalizeSystem(termCode.system);
      const present = postings.presentBySystem.get(system) ?? [];
      for (const code of this.index.plan.hierarchy.expand(entry.context, system, termCode.code, present)) {
        const rows = postedRows(postings, dictionary.idOf(system, code));
        if (rows !== null) {
          sources.push(rows);
        }
      }
    }
    return sources;
  }

  /** Rows that carry every one of `codes` (exactly, no hierarchy). */
  private rowsWithAll(
    table: FinalTable,
    postings: Postings,
    codes: readonly { system: string; code: string }[],
  ): Uint32Array {
    // marks[row] = how many of the codes, in order, the row has shown so far.
    const marks = new Uint8Array(table.rows);
    let last: Uint32Array | null = null;
    for (let k = 0; k < codes.length; k++) {
      const system = this.catalog.normalizeSystem(codes[k].system);
      last = postedRows(postings, this.index.dictionary.idOf(system, codes[k].code));
      if (last === null) {
        return new Uint32Array(0);
      }
      for (let i = 0; i < last.length; i++) {
        if (marks[last[i]] === k) {
          marks[last[i]] = k + 1;
        }
      }
    }
    const result: number[] = [];
    for (const row of last ?? []) {
      if (marks[row] === codes.length) {
        result.push(row);
        marks[row] = 0;
      }
    }
    return Uint32Array.from(result);
  }
}
