import { promises as fs } from 'node:fs';
import type { TerminologyEntry, TerminologyEntrySummary, TerminologySearchResponse } from '@fq/contracts';
import { DEFAULT_MAPPING } from '@fq/engine';
import { err, formatIssuePath, ok, type Result } from '@fq/result';
import { type CatalogEntry, CatalogFile } from './catalog.schema';
import { CatalogSearchIndex } from './catalog-search';
import { criterionOf } from './criterion-of';
import { termCodeKey } from './entry-id';
import { CatalogError, CatalogErrorCode, type CatalogIssue } from './errors';
import { foldText } from './text-folding';

/** What a catalog search asks for: the text, a context (its code or display, any case) and how many results. */
export interface CatalogSearchParams {
  q: string;
  context?: string;
  limit: number;
}

/**
 * Options of a catalog: legacy code system URLs and the ones entries use instead (default: the engine's, e.g. the old
 * DIMDI ICD-10-GM URL counts as the BfArM one).
 */
export interface CriteriaCatalogOptions {
  systemAliases?: Readonly<Record<string, string>>;
}

/** A loaded criteria catalog: entries by id and by term code, their hierarchy, and a search index over them. */
export class CriteriaCatalog {
  private readonly byTermCode = new Map<string, CatalogEntry[]>();
  private readonly searchIndex: CatalogSearchIndex;
  private readonly contextList: Array<CatalogEntry['context']>;

  private constructor(
    readonly name: string,
    private readonly entries: ReadonlyMap<string, CatalogEntry>,
    private readonly systemAliases: Readonly<Record<string, string>>,
  ) {
    for (const entry of entries.values()) {
      const key = termCodeKey(entry.termCode);
      this.byTermCode.set(key, [...(this.byTermCode.get(key) ?? []), entry]);
    }
    this.searchIndex = new CatalogSearchIndex(entries);
    this.contextList = this.contexts();
  }

  /** Builds a catalog from a parsed file; every duplicate id and every parent or child that is not an entry is an issue. */
  static fromFile(file: CatalogFile, options: CriteriaCatalogOptions = {}): Result<CriteriaCatalog, CatalogError> {
    const entries = new Map<string, CatalogEntry>();
    const issues: CatalogIssue[] = [];
    file.entries.forEach((entry, i) => {
      if (entries.has(entry.id)) {
        issues.push({
          path: formatIssuePath(['entries', i, 'id']),
          code: CatalogErrorCode.EntryDuplicate,
          message: `entry id ${entry.id} is used twice`,
        });
      }
      entries.set(entry.id, entry);
    });
    file.entries.forEach((entry, i) => {
      for (const field of ['parentIds', 'childIds'] as const) {
        entry[field].forEach((id, j) => {
          if (!entries.has(id)) {
            issues.push({
              path: formatIssuePath(['entries', i, field, j]),
              code: CatalogErrorCode.LinkUnknown,
              message: `no entry has the id ${id}`,
            });
          }
        });
      }
    });
    if (issues.length > 0) {
      return err(new CatalogError(CatalogErrorCode.FileInvalid, describeIssues('the catalog', issues), issues));
    }
    return ok(new CriteriaCatalog(file.name, entries, options.systemAliases ?? DEFAULT_MAPPING.systemAliases));
  }

  /** Number of entries. */
  get size(): number {
    return this.entries.size;
  }

  /** The contexts the entries belong to, each once, by display. */
  contexts(): Array<CatalogEntry['context']> {
    const found = new Map<string, CatalogEntry['context']>();
    for (const entry of this.entries.values()) {
      found.set(termCodeKey(entry.context), entry.context);
    }
    return [...found.values()].sort((a, b) => a.display.localeCompare(b.display));
  }

  /** The entries matching a text, best first (exact code, then display words starting with the text, then fuzzy). */
  search(params: CatalogSearchParams): TerminologySearchResponse {
    const context = params.context === undefined ? undefined : foldText(params.context.trim());
    const contextCodes =
      context === undefined
        ? undefined
        : new Set(
            this.contextList
              .filter((c) => foldText(c.code) === context || foldText(c.display) === context)
              .map((c) => c.code),
          );
    const hits = this.searchIndex.search({
      text: params.q,
      limit: params.limit,
      contextCodes,
    });
    return { results: hits.entries.map((entry) => this.summarize(entry)), total: hits.total };
  }

  /** An entry with its parents, children, filters and bare criterion; undefined for an unknown id. */
  entry(id: string): TerminologyEntry | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) {
      return undefined;
    }
    const linked = (ids: readonly string[]): TerminologyEntrySummary[] =>
      ids.flatMap((linkedId) => {
        const other = this.entries.get(linkedId);
        return other === undefined ? [] : [this.summarize(other)];
      });
    return {
      ...this.summarize(entry),
      parents: linked(entry.parentIds),
      children: linked(entry.childIds),
      filters: entry.filters,
      criterion: criterionOf(entry),
    };
  }

  /** Whether some entry has this term code (system and code; a legacy system URL counts as its current one). */
  knowsTermCode(termCode: { system: string; code: string }): boolean {
    const system = this.systemAliases[termCode.system] ?? termCode.system;
    return this.byTermCode.has(termCodeKey({ system, code: termCode.code }));
  }

  private summarize(entry: CatalogEntry): TerminologyEntrySummary {
    return {
      id: entry.id,
      termCode: entry.termCode,
      context: entry.context,
      selectable: entry.selectable,
      hasChildren: entry.childIds.length > 0,
    };
  }
}

/** One line for a list of issues: how many, and the first few. */
export function describeIssues(what: string, issues: readonly CatalogIssue[]): string {
  const first = issues
    .slice(0, 3)
    .map((i) => `${i.file === undefined ? '' : `${i.file} `}${i.path}: ${i.message}`)
    .join('; ');
  const more = issues.length > 3 ? `; and ${issues.length - 3} more` : '';
  return `${what} is invalid: ${issues.length} issue${issues.length === 1 ? '' : 's'}: ${first}${more}`;
}

/** Parses a catalog file's JSON, listing every shape problem with its JSON path. */
export function parseCatalogFile(json: unknown): Result<CatalogFile, CatalogError> {
  const parsed = CatalogFile.safeParse(json);
  if (parsed.success) {
    return ok(parsed.data);
  }
  const issues: CatalogIssue[] = parsed.error.issues.map((issue) => ({
    path: formatIssuePath(issue.path),
    code: CatalogErrorCode.FileInvalid,
    message: issue.message,
  }));
  return err(new CatalogError(CatalogErrorCode.FileInvalid, describeIssues('the catalog file', issues), issues));
}

/** Reads a JSON file; an unreadable file or a syntax error is an error value naming the file. */
export async function readJsonFile(path: string): Promise<Result<unknown, CatalogError>> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return err(new CatalogError(CatalogErrorCode.FileUnreadable, `cannot read ${path}: ${reason}`, [], { cause }));
  }
  try {
    return ok(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return err(new CatalogError(CatalogErrorCode.JsonInvalid, `${path} is not valid JSON: ${reason}`, [], { cause }));
  }
}

/** Loads a catalog file (as `broker catalog import` writes it) into a searchable catalog. */
export async function loadCatalogFile(
  path: string,
  options: CriteriaCatalogOptions = {},
): Promise<Result<CriteriaCatalog, CatalogError>> {
  const json = await readJsonFile(path);
  if (!json.ok) {
    return json;
  }
  const file = parseCatalogFile(json.value);
  if (!file.ok) {
    return err(new CatalogError(file.error.code, `${path}: ${file.error.message}`, file.error.issues));
  }
  return CriteriaCatalog.fromFile(file.value, options);
}
