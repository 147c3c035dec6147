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

/** Words up to this length are looked up in precomputed prefix lists; a search index prefix query on them is slow. */
const SHORT_WORD = 3;

/** Order of entries that match equally well: selectable first, then the shorter display, then the code. */
function byPreference(a: CatalogEntry, b: CatalogEntry): number {
  return (
    Number(b.selectable) - Number(a.selectable) ||
    a.termCode.display.length - b.termCode.display.length ||
    a.termCode.code.localeCompare(b.termCode.code)
  );
}

/** A search index over catalog entries. */
export class CatalogSearchIndex {
  private readonly index: MiniSearch<SearchDocument>;
  /** Folded code → entries with that code, for the exact-code tier. */
  private readonly byCode = new Map<string, CatalogEntry[]>();
  /** Folded words of each entry's code, display and synonyms, for checking short words. */
  private readonly words = new Map<string, string[]>();
  /** Prefixes of up to three letters → the entries with a word starting so, in preference order. */
  private readonly shortPrefixes = new Map<string, CatalogEntry[]>();

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
        maxFuzzy: 2,
        combineWith: 'AND',
        boost: { code: 2, display: 1.5, synonyms: 1 },
      },
    });
    const documents: SearchDocument[] = [];
    for (const entry of [...entries.values()].sort(byPreference)) {
      const code = foldText(entry.termCode.code);
      const synonyms = (entry.synonyms ?? []).join(' ');
      documents.push({ id: entry.id, code: entry.termCode.code, display: entry.termCode.display, synonyms });
      this.byCode.set(code, [...(this.byCode.get(code) ?? []), entry]);
      const words = [code, ...indexWords(`${entry.termCode.display} ${synonyms}`)];
      this.words.set(entry.id, words);
      const prefixes = new Set(words.flatMap((w) => [1, 2, 3].map((n) => w.slice(0, n))));
      for (const prefix of prefixes) {
        const list = this.shortPrefixes.get(prefix);
        if (list === undefined) {
          this.shortPrefixes.set(prefix, [entry]);
        } else {
          list.push(entry);
        }
      }
    }
    this.index.addAll(documents);
  }

  /**
   * The best `limit` matches and how many there are: an exact code first, then entries where every typed word starts
   * a word of the entry (by score), then, only when those are fewer than `limit`, fuzzy matches (typos).
   */
  search(request: CatalogSearchRequest): CatalogSearchHits {
    const typed = queryWords(request.text);
    if (typed.length === 0) {
      return { entries: [], total: 0 };
    }
    const accept = request.accept ?? (() => true);
    const exact = (this.byCode.get(foldText(request.text.trim())) ?? []).filter(accept);
    const found = new Set(exact.map((e) => e.id));
    const short = typed.filter((w) => w.length <= SHORT_WORD);
    const long = typed.filter((w) => w.length > SHORT_WORD);
    const keeps = (entry: CatalogEntry): boolean =>
      !found.has(entry.id) && accept(entry) && this.startsEveryWord(entry.id, short);

    if (long.length === 0) {
      // Only short words: the smallest precomputed list, already in preference order, checked against the others.
      const lists = short.map((w) => this.shortPrefixes.get(w) ?? []);
      const smallest = lists.reduce((a, b) => (b.length < a.length ? b : a));
      if (short.length === 1 && request.accept === undefined) {
        // The list is exactly the matches: count them without a pass, take the first ones.
        const first: CatalogEntry[] = [];
        for (let i = 0; i < smallest.length && first.length < request.limit; i += 1) {
          if (!found.has(smallest[i].id)) {
            first.push(smallest[i]);
          }
        }
        const inList = exact.filter((entry) => this.startsEveryWord(entry.id, short)).length;
        return {
          entries: [...exact, ...first].slice(0, request.limit),
          total: exact.length + smallest.length - inList,
        };
      }
      const matches = smallest.filter(keeps);
      return { entries: [...exact, ...matches].slice(0, request.limit), total: exact.length + matches.length };
    }
    const text = long.join(' ');
    const ranked = this.scored(text, false, keeps);
    ranked.forEach((hit) => found.add(hit.entry.id));
    if (exact.length + ranked.length < request.limit && long.some((w) => fuzziness(w) > 0)) {
      ranked.push(...this.scored(text, true, keeps));
    }
    const top = ranked.slice(0, request.limit * 2);
    top.sort((a, b) => a.tier - b.tier || b.score - a.score || byPreference(a.entry, b.entry));
    const entries = [...exact, ...top.map((hit) => hit.entry)].slice(0, request.limit);
    return { entries, total: exact.length + ranked.length };
  }

  /** Search index hits as entries with their score; `fuzzy` hits only (tier 2) or prefix and word hits (tier 1). */
  private scored(
    text: string,
    fuzzy: boolean,
    keeps: (entry: CatalogEntry) => boolean,
  ): Array<{ entry: CatalogEntry; tier: number; score: number }> {
    const hits: Array<{ entry: CatalogEntry; tier: number; score: number }> = [];
    for (const hit of this.index.search(text, fuzzy ? { fuzzy: (term) => fuzziness(term) } : {})) {
      const entry = this.entries.get(String(hit.id));
      if (entry !== undefined && keeps(entry)) {
        hits.push({ entry, tier: fuzzy ? 2 : 1, score: hit.score });
      }
    }
    return hits;
  }

  /** Every given word begins a word of the entry (its code, display or a synonym). */
  private startsEveryWord(id: string, typed: readonly string[]): boolean {
    if (typed.length === 0) {
      return true;
    }
    const words = this.words.get(id) ?? [];
    return typed.every((t) => words.some((w) => w.startsWith(t)));
  }
}
