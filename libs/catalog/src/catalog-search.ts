import type { CatalogEntry } from './catalog.schema';
import { TermDictionary } from './term-dictionary';
import { foldText } from './text-folding';
import { smallestKeys } from './top-ranked';

// Criteria search (decision 0015): folded words in MiniSearch's radix tree lead to entries by rank (preference
// order); an exact code comes first, then entries where every typed word starts a word of the entry, then typos.

/** What one search asks for; `accept` says whether an entry is in the wanted context. */
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

/** Words up to this length are looked up in precomputed prefix lists, which are already in preference order. */
const SHORT_WORD = 3;

/** A typed word stands for at most this many similar words (the closest first), so a typo costs little. */
const MAX_TYPO_WORDS = 32;

const NO_RANKS = new Int32Array(0);

// The same order as String#localeCompare, without building a collator on every call.
const CODE_ORDER = new Intl.Collator();

/** Order of entries that match equally well: selectable first, then the shorter display, then the code. */
function byPreference(a: CatalogEntry, b: CatalogEntry): number {
  return (
    Number(b.selectable) - Number(a.selectable) ||
    a.termCode.display.length - b.termCode.display.length ||
    CODE_ORDER.compare(a.termCode.code, b.termCode.code)
  );
}

/** A search index over catalog entries. */
export class CatalogSearchIndex {
  /** The entries in preference order; an entry's rank is its position here. */
  private readonly ranked: CatalogEntry[];
  /** Folded words of each entry's code, display and synonyms, by rank. */
  private readonly words: string[][];
  /** Folded code → ranks of the entries with that code, for the exact-code tier. */
  private readonly byCode = new Map<string, number[]>();
  /** Prefixes of up to three letters → ranks of the entries with a word starting so, ascending. */
  private readonly shortPrefixes = new Map<string, Int32Array>();
  private readonly dictionary: TermDictionary;

  constructor(entries: ReadonlyMap<string, CatalogEntry>) {
    this.ranked = [...entries.values()].sort(byPreference);
    this.words = this.ranked.map((entry) => [
      foldText(entry.termCode.code),
      ...indexWords(`${entry.termCode.display} ${(entry.synonyms ?? []).join(' ')}`),
    ]);
    const prefixes = new Map<string, number[]>();
    this.words.forEach((words, rank) => {
      const code = words[0];
      const sameCode = this.byCode.get(code);
      if (sameCode === undefined) {
        this.byCode.set(code, [rank]);
      } else {
        sameCode.push(rank);
      }
      for (const word of words) {
        for (let length = 1; length <= Math.min(SHORT_WORD, word.length); length += 1) {
          const prefix = word.slice(0, length);
          const list = prefixes.get(prefix);
          if (list === undefined) {
            prefixes.set(prefix, [rank]);
          } else if (list[list.length - 1] !== rank) {
            list.push(rank);
          }
        }
      }
    });
    for (const [prefix, ranks] of prefixes) {
      this.shortPrefixes.set(prefix, Int32Array.from(ranks));
    }
    this.dictionary = new TermDictionary(this.words);
  }

  /**
   * The best `limit` matches and how many there are: an exact code first, then entries where every typed word starts
   * a word of the entry (whole words before starts of words), then, only when those are fewer than `limit`, typos.
   */
  search(request: CatalogSearchRequest): CatalogSearchHits {
    const typed = queryWords(request.text);
    if (typed.length === 0) {
      return { entries: [], total: 0 };
    }
    const accept = request.accept ?? (() => true);
    const exact = (this.byCode.get(foldText(request.text.trim())) ?? []).filter((rank) => accept(this.ranked[rank]));
    const isExact = new Set(exact);
    const short = typed.filter((w) => w.length <= SHORT_WORD);
    const long = typed.filter((w) => w.length > SHORT_WORD);
    const keeps = (rank: number): boolean =>
      !isExact.has(rank) && accept(this.ranked[rank]) && this.startsEveryWord(rank, short);
    const answer = (ranks: readonly number[], total: number): CatalogSearchHits => ({
      entries: [...exact, ...ranks].slice(0, request.limit).map((rank) => this.ranked[rank]),
      total,
    });

    if (long.length === 0) {
      // Only short words: the smallest precomputed list, already in preference order, checked against the others.
      const smallest = short
        .map((w) => this.shortPrefixes.get(w) ?? NO_RANKS)
        .reduce((a, b) => (b.length < a.length ? b : a));
      if (short.length === 1 && request.accept === undefined) {
        // The list is exactly the matches: count them without a pass, take the first ones.
        const first: number[] = [];
        for (let i = 0; i < smallest.length && first.length < request.limit; i += 1) {
          if (!isExact.has(smallest[i])) {
            first.push(smallest[i]);
          }
        }
        const inList = exact.filter((rank) => this.startsEveryWord(rank, short)).length;
        return answer(first, exact.length + smallest.length - inList);
      }
      const matches: number[] = [];
      for (const rank of smallest) {
        if (keeps(rank)) {
          matches.push(rank);
        }
      }
      return answer(matches, exact.length + matches.length);
    }

    // Sort keys: fewer words matched only by their start first, then preference (rank).
    const size = this.ranked.length;
    const prefixed = this.dictionary.match(long);
    const starts: number[] = [];
    prefixed.ranks.forEach((rank, i) => {
      if (keeps(rank)) {
        starts.push(prefixed.penalties[i] * size + rank);
      }
    });
    const typos: number[] = [];
    if (exact.length + starts.length < request.limit && long.some((w) => fuzziness(w) > 0)) {
      const similar = this.dictionary.match(long, { distanceOf: fuzziness, maxWords: MAX_TYPO_WORDS });
      similar.ranks.forEach((rank, i) => {
        if (similar.typo[i] && keeps(rank)) {
          typos.push(similar.penalties[i] * size + rank);
        }
      });
    }
    const best = smallestKeys(starts, request.limit);
    const ranks = [...best, ...smallestKeys(typos, request.limit - best.length)].map((key) => key % size);
    return answer(ranks, exact.length + starts.length + typos.length);
  }

  /** Every given word begins a word of the entry (its code, display or a synonym). */
  private startsEveryWord(rank: number, typed: readonly string[]): boolean {
    if (typed.length === 0) {
      return true;
    }
    const words = this.words[rank];
    return typed.every((t) => words.some((w) => w.startsWith(t)));
  }
}
