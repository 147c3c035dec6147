import SearchableMap from 'minisearch/SearchableMap';

// The catalog's words in MiniSearch's radix tree (decision 0015): each folded word leads to the entries holding it,
// as ascending entry ranks, so a prefix or a typo expands to words with the library and the entries are merged as
// plain integers, never scored one object at a time.

/** How well a typed word met an entry: the whole word, the start of a word, or a word within a few edits. */
export const MatchQuality = { Word: 0, Prefix: 1, Typo: 2 } as const;

/** The entries that hold every typed word: their ranks, penalties (lower is better) and whether a typo was needed. */
export interface WordMatches {
  ranks: number[];
  penalties: number[];
  typo: boolean[];
}

/** Edit distance allowed for each typed word (0: none); at most this many similar words are taken per typed word. */
export interface TypoOptions {
  distanceOf: (word: string) => number;
  maxWords: number;
}

interface Expansion {
  ranks: Int32Array;
  penalty: number;
  typo: boolean;
}

/** Folded words to the ranks of the entries holding them, with prefix and typo lookups. */
export class TermDictionary {
  private readonly terms = new SearchableMap<Int32Array>();
  // Per-rank scratch, reused by every lookup: a stamp says which lookup (or which typed word) last touched a rank.
  private readonly lookupStamp: Int32Array;
  private readonly wordStamp: Int32Array;
  private readonly matched: Uint8Array;
  private readonly penalty: Uint16Array;
  private readonly typo: Uint8Array;
  private stamp = 0;

  /** @param wordsByRank - the folded words of each entry, in rank order */
  constructor(wordsByRank: ReadonlyArray<readonly string[]>) {
    const postings = new Map<string, number[]>();
    wordsByRank.forEach((words, rank) => {
      for (const word of words) {
        const list = postings.get(word);
        if (list === undefined) {
          postings.set(word, [rank]);
        } else if (list[list.length - 1] !== rank) {
          list.push(rank);
        }
      }
    });
    for (const [word, ranks] of postings) {
      this.terms.set(word, Int32Array.from(ranks));
    }
    const size = wordsByRank.length;
    this.lookupStamp = new Int32Array(size);
    this.wordStamp = new Int32Array(size);
    this.matched = new Uint8Array(size);
    this.penalty = new Uint16Array(size);
    this.typo = new Uint8Array(size);
  }

  /**
   * The entries holding every typed word as a whole word or the start of one, and with `typos` also as a similar word.
   * A whole word costs nothing, a start 1, a typo 2 plus its edit distance.
   */
  match(typed: readonly string[], typos?: TypoOptions): WordMatches {
    const found: WordMatches = { ranks: [], penalties: [], typo: [] };
    if (typed.length === 0 || typed.length > 255) {
      return found;
    }
    const lookup = this.nextStamp(typed.length + 1);
    for (const [index, word] of typed.entries()) {
      const wordStamp = lookup + 1 + index;
      const last = index === typed.length - 1;
      let reached = 0;
      // Better expansions come first, so the first one that reaches an entry sets its quality for this word.
      for (const expansion of this.expand(word, typos)) {
        for (const rank of expansion.ranks) {
          if (this.wordStamp[rank] === wordStamp) {
            continue;
          }
          this.wordStamp[rank] = wordStamp;
          if (index === 0) {
            this.lookupStamp[rank] = lookup;
            this.matched[rank] = 0;
            this.penalty[rank] = 0;
            this.typo[rank] = 0;
          } else if (this.lookupStamp[rank] !== lookup || this.matched[rank] !== index) {
            continue;
          }
          this.matched[rank] = index + 1;
          this.penalty[rank] += expansion.penalty;
          this.typo[rank] |= Number(expansion.typo);
          reached += 1;
          if (last) {
            found.ranks.push(rank);
            found.penalties.push(this.penalty[rank]);
            found.typo.push(this.typo[rank] === 1);
          }
        }
      }
      if (reached === 0) {
        // No entry holds every word so far: the words after this one cannot change that.
        break;
      }
    }
    return found;
  }

  /** The words a typed word stands for, best first: itself, words it starts, then (with `typos`) similar words. */
  private *expand(word: string, typos: TypoOptions | undefined): Generator<Expansion> {
    const whole = this.terms.get(word);
    if (whole !== undefined) {
      yield { ranks: whole, penalty: MatchQuality.Word, typo: false };
    }
    for (const [term, ranks] of this.terms.atPrefix(word)) {
      if (term !== word) {
        yield { ranks, penalty: MatchQuality.Prefix, typo: false };
      }
    }
    const distance = typos?.distanceOf(word) ?? 0;
    if (typos === undefined || distance === 0) {
      return;
    }
    const similar = [...this.terms.fuzzyGet(word, distance)]
      .filter(([term]) => !term.startsWith(word))
      .sort((a, b) => a[1][1] - b[1][1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, typos.maxWords);
    for (const [, [ranks, edits]] of similar) {
      yield { ranks, penalty: MatchQuality.Typo + edits, typo: true };
    }
  }

  /** Reserves `count` fresh stamps; on overflow the scratch is cleared and stamps start again. */
  private nextStamp(count: number): number {
    if (this.stamp > 0x7fffffff - count) {
      this.stamp = 0;
      this.lookupStamp.fill(0);
      this.wordStamp.fill(0);
    }
    const first = this.stamp + 1;
    this.stamp += count;
    return first;
  }
}
