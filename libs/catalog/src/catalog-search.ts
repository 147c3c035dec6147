import type { CatalogEntry } from './catalog.schema';
import { TermDictionary } from './term-dictionary';
import { foldText } from './text-folding';
import { hasRank, intersectRanks, smallestKeys } from './rank-lists';

// Criteria search (decision 0015): folded words in MiniSearch's radix tree lead to entries by rank (preference
// order); an exact code comes first, then entries where every typed word starts a word of the entry, then typos.

/** What one search asks for; `contextCodes`, when given, are the codes of the wanted contexts. */
export interface CatalogSearchRequest {
  text: string;
  limit: number;
  contextCodes?: ReadonlySet<string>;
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
  /** Each context code's number, and each rank's context number, so a context filter compares integers. */
  private readonly contextNumbers = new Map<string, number>();
  private readonly contextOfRank: Uint16Array;
  /** Folded code → ranks of the entries with that code, for the exact-code tier. */
  private readonly byCode = new Map<string, number[]>();
  /** Prefixes of up to three letters → ranks of the entries with a word starting so, ascending. */
  private readonly shortPrefixes = new Map<string, Int32Array>();
  private readonly dictionary: TermDictionary;

  constructor(entries: ReadonlyMap<string, CatalogEntry>) {
    this.ranked = [...entries.values()].sort(byPreference);
    this.contextOfRank = Uint16Array.from(this.ranked, (entry) => {
      const known = this.contextNumbers.get(entry.context.code);
      if (known !== undefined) {
        return known;
      }
      this.contextNumbers.set(entry.context.code, this.contextNumbers.size);
      return this.contextNumbers.size - 1;
    });
    const wordsByRank = this.ranked.map((entry) => [
      foldText(entry.termCode.code),
      ...indexWords(`${entry.termCode.display} ${(entry.synonyms ?? []).join(' ')}`),
    ]);
    const prefixes = new Map<string, number[]>();
    wordsByRank.forEach((words, rank) => {
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
    this.dictionary = new TermDictionary(wordsByRank);
  }

  /**
   * The best `limit` matches and how many there are: an exact code first, then entries where every typed word starts
   * a word of the entry (whole words before starts of words), then, only when those are fewer than `limit`, typos.
   */
  search(request: CatalogSearchRequest): CatalogSearchHits {
    // A word typed twice asks for nothing more than once.
    const typed = [...new Set(queryWords(request.text))];
    if (typed.length === 0) {
      return { entries: [], total: 0 };
    }
    const allowed = this.contextMask(request.contextCodes);
    const accepts = (rank: number): boolean => allowed === undefined || allowed[this.contextOfRank[rank]] === 1;
    const exact = (this.byCode.get(foldText(request.text.trim())) ?? []).filter(accepts);
    // Usually no entry has the typed text as its code; then nothing needs leaving out.
    const isExact = exact.length === 0 ? undefined : new Set(exact);
    const notExact = (rank: number): boolean => isExact === undefined || !isExact.has(rank);
    const shortLists = typed.filter((w) => w.length <= SHORT_WORD).map((w) => this.shortPrefixes.get(w) ?? NO_RANKS);
    const long = typed.filter((w) => w.length > SHORT_WORD);
    const answer = (ranks: readonly number[], total: number): CatalogSearchHits => ({
      entries: [...exact, ...ranks].slice(0, request.limit).map((rank) => this.ranked[rank]),
      total,
    });

    if (long.length === 0) {
      // Only short words: their precomputed lists, already in preference order, intersected.
      const matches = shortLists.length === 1 ? shortLists[0] : intersectRanks(shortLists);
      const first: number[] = [];
      if (allowed === undefined) {
        // The list is exactly the matches: count them without a pass, take the first ones.
        for (let i = 0; i < matches.length && first.length < request.limit; i += 1) {
          if (notExact(matches[i])) {
            first.push(matches[i]);
          }
        }
        const inList = exact.filter((rank) => hasRank(matches, rank)).length;
        return answer(first, exact.length + matches.length - inList);
      }
      let total = exact.length;
      for (let i = 0; i < matches.length; i += 1) {
        if (notExact(matches[i]) && accepts(matches[i])) {
          total += 1;
          if (first.length < request.limit) {
            first.push(matches[i]);
          }
        }
      }
      return answer(first, total);
    }

    const keeps = (rank: number): boolean =>
      notExact(rank) && accepts(rank) && shortLists.every((list) => hasRank(list, rank));
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

  /** One flag per context number: set for the wanted contexts; undefined when every context is wanted. */
  private contextMask(codes: ReadonlySet<string> | undefined): Uint8Array | undefined {
    if (codes === undefined) {
      return undefined;
    }
    const mask = new Uint8Array(this.contextNumbers.size);
    for (const code of codes) {
      const number = this.contextNumbers.get(code);
      if (number !== undefined) {
        mask[number] = 1;
      }
    }
    return mask;
  }
}
