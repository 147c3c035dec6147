import fc from 'fast-check';
import { TermDictionary, type WordMatches } from './term-dictionary';

/** Levenshtein distance, the slow obvious way: the oracle for the radix tree's typo lookup. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** What `match` must find, entry by entry: each typed word's best quality (whole 0, start 1, typo 2 + edits). */
function expected(
  words: string[][],
  typed: string[],
  distance: number,
): Map<number, { penalty: number; typo: boolean }> {
  const found = new Map<number, { penalty: number; typo: boolean }>();
  words.forEach((entryWords, rank) => {
    let penalty = 0;
    let typo = false;
    for (const t of typed) {
      const costs = entryWords.map((w) => {
        if (w === t) {
          return 0;
        }
        if (w.startsWith(t)) {
          return 1;
        }
        const edits = editDistance(t, w);
        return distance > 0 && edits <= distance ? 2 + edits : Infinity;
      });
      const best = Math.min(Infinity, ...costs);
      if (best === Infinity) {
        return;
      }
      penalty += best;
      typo ||= best >= 2;
    }
    found.set(rank, { penalty, typo });
  });
  return found;
}

const asMap = (m: WordMatches) =>
  new Map(m.ranks.map((rank, i) => [rank, { penalty: m.penalties[i], typo: m.typo[i] }] as const));

const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), minLength: 1, maxLength: 6 });

describe('TermDictionary.match', () => {
  const dictionary = new TermDictionary([
    ['e11', 'diabetes', 'mellitus', 'typ', '2'],
    ['e10', 'diabetes', 'mellitus', 'typ', '1'],
    ['4548-4', 'hamoglobin', 'a1c', 'hba1c'],
    ['z00', 'diabetesschulung'],
  ]);

  it('finds entries by a whole word or the start of one, whole words costing less', () => {
    expect(asMap(dictionary.match(['diabetes']))).toEqual(
      new Map([
        [0, { penalty: 0, typo: false }],
        [1, { penalty: 0, typo: false }],
        [3, { penalty: 1, typo: false }],
      ]),
    );
  });

  it('needs every typed word (AND) and adds up their costs', () => {
    expect(asMap(dictionary.match(['diab', 'mellitus']))).toEqual(
      new Map([
        [0, { penalty: 1, typo: false }],
        [1, { penalty: 1, typo: false }],
      ]),
    );
    expect(dictionary.match(['diab', 'hamo']).ranks).toEqual([]);
  });

  it('looks for typos only when asked, within the allowed edits', () => {
    expect(dictionary.match(['diabtes']).ranks).toEqual([]);
    const typos = dictionary.match(['diabtes'], { distanceOf: () => 1, maxWords: 10 });
    expect(asMap(typos)).toEqual(
      new Map([
        [0, { penalty: 3, typo: true }],
        [1, { penalty: 3, typo: true }],
      ]),
    );
    expect(dictionary.match(['dxabtes'], { distanceOf: () => 1, maxWords: 10 }).ranks).toEqual([]);
  });

  it('takes at most maxWords similar words, the closest first', () => {
    const close = new TermDictionary([['abcd'], ['abce'], ['abxx']]);
    const found = close.match(['abcf'], { distanceOf: () => 2, maxWords: 2 });
    expect(found.ranks.sort()).toEqual([0, 1]);
  });

  it('agrees with a brute-force reading on random vocabularies and queries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(word, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.array(word, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(0, 1, 2),
        (words, queries, distance) => {
          const subject = new TermDictionary(words);
          // Several lookups on one dictionary: the scratch of one must not leak into the next.
          for (const typed of queries) {
            const typos = distance === 0 ? undefined : { distanceOf: () => distance, maxWords: 10_000 };
            const found = subject.match(typed, typos);
            expect(new Set(found.ranks).size).toBe(found.ranks.length);
            expect(asMap(found)).toEqual(expected(words, typed, distance));
          }
        },
      ),
    );
  });
});
