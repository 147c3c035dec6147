import MiniSearch from 'minisearch';
import type { CatalogEntry } from './catalog.schema';
import { foldText } from './text-folding';

// Full-text search over the entries with MiniSearch (decision 0015): prefix and fuzzy matching on folded words,
// then our own order: an exact code first, then entries whose display words start with every typed word.

interface SearchDocument {
  id: string;
  code: string;
  display: string;
  synonyms: string;
}

/** What one search asks for; `contextOf` says whether an entry is in the wanted context. */
export interface CatalogSearchRequest {
  text: string;
  limit: number;
  accept?: (entry: CatalogEntry) => boolean;
}

export interface CatalogSearchHits {
  entries: CatalogEntry[];
  total: number;
}

const SEPARATORS = /[\s,;:/()[\]{}"'!?*+|<>=&]+/u;

/** Query words: split on spaces and punctuation, keeping `-` and `.` inside a word so `4548-4` and `E11.9` stay whole. */
function queryWords(text: string): string[] {
  return foldText(text)
    .split(SEPARATORS)
    .map((word) => word.replace(/^[.-]+|[.-]+$/g, ''))
    .filter((word) => word.length > 0);
}

/** Index words: the query words, and the parts of a hyphenated or dotted word (`Vitamin-D-Mangel` → `mangel`). */
function indexWords(text: string): string[] {
  const words: string[] = [];
  for (const word of queryWords(text)) {
    words.push(word);
    if (/[.-]/.test(word)) {
      words.push(...word.split(/[.-]+/).filter((part) => part.length > 0));
    }
  }
  return words;
}

/** Edit distance allowed for a typed word: none below 4 letters (a prefix is enough), 1 up to 7, then 2. */
function fuzziness(term: string): number {
  if (term.length < 4 || /^[\d.-]+$/.test(term)) {
    return 0;
  }
  return term.length < 8 ? 1 : 2;
}

/** A search index over catalog entries. */
export class CatalogSearchIndex {
  private readonly index: MiniSearch<SearchDocument>;
  /** Folded code → entries with that code, for the exact-code tier. */
  private readonly byCode = new Map<string, CatalogEntry[]>();
  /** Folded words of each entry's code, display and synonyms, for the prefix tier. */
  private readonly words = new Map<string, string[]>();

  constructor(private readonly entries: ReadonlyMap<string, CatalogEntry>) {
    this.index = new MiniSearch<SearchDocument>({
      fields: ['code', 'display', 'synonyms'],
      storeFields: [],
      tokenize: (text, field) => (field === 'code' ? [foldText(text)] : indexWords(text)),
      processTerm: (term) => term,
      searchOptions: {
        tokenize: queryWords,
        processTerm: (term) => term,
        prefix: true,
        fuzzy: (term) => fuzziness(term),
        maxFuzzy: 2,
        combineWith: 'AND',
        boost: { code: 2, display: 1.5, synonyms: 1 },
      },
    });
    const documents: SearchDocument[] = [];
    for (const entry of entries.values()) {
      const code = foldText(entry.termCode.code);
      const synonyms = (entry.synonyms ?? []).join(' ');
      documents.push({ id: entry.id, code: entry.termCode.code, display: entry.termCode.display, synonyms });
      const list = this.byCode.get(code) ?? [];
      list.push(entry);
      this.byCode.set(code, list);
      this.words.set(entry.id, [code, ...indexWords(`${entry.termCode.display} ${synonyms}`)]);
    }
    this.index.addAll(documents);
  }

  /** The best `limit` matches and how many there are. */
  search(request: CatalogSearchRequest): CatalogSearchHits {
    const typed = queryWords(request.text);
    if (typed.length === 0) {
      return { entries: [], total: 0 };
    }
    const accept = request.accept ?? (() => true);
    const exactCode = foldText(request.text.trim());
    const ranked: Array<{ entry: CatalogEntry; tier: number; score: number }> = [];
    const seen = new Set<string>();
    for (const entry of this.byCode.get(exactCode) ?? []) {
      if (accept(entry)) {
        ranked.push({ entry, tier: 0, score: Number.POSITIVE_INFINITY });
        seen.add(entry.id);
      }
    }
    for (const hit of this.index.search(request.text)) {
      const id = String(hit.id);
      const entry = this.entries.get(id);
      if (entry === undefined || seen.has(id) || !accept(entry)) {
        continue;
      }
      ranked.push({ entry, tier: this.startsEveryWord(id, typed) ? 1 : 2, score: hit.score });
    }
    ranked.sort(
      (a, b) =>
        a.tier - b.tier ||
        b.score - a.score ||
        Number(b.entry.selectable) - Number(a.entry.selectable) ||
        a.entry.termCode.display.length - b.entry.termCode.display.length ||
        a.entry.termCode.code.localeCompare(b.entry.termCode.code),
    );
    return { entries: ranked.slice(0, request.limit).map((r) => r.entry), total: ranked.length };
  }

  /** Every typed word begins a word of the entry (its code, display or a synonym). */
  private startsEveryWord(id: string, typed: readonly string[]): boolean {
    const words = this.words.get(id) ?? [];
    return typed.every((t) => words.some((w) => w.startsWith(t)));
  }
}
