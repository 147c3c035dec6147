import fc from 'fast-check';
import { hasRank, intersectRanks, smallestKeys } from './rank-lists';

describe('smallestKeys', () => {
  it('gives the limit smallest keys in ascending order', () => {
    expect(smallestKeys([9, 3, 7, 1, 8, 2], 3)).toEqual([1, 2, 3]);
    expect(smallestKeys([5, 4], 10)).toEqual([4, 5]);
    expect(smallestKeys([5, 4], 0)).toEqual([]);
  });

  it('agrees with sorting everything and taking the first ones', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1_000_000 })),
        fc.integer({ min: -1, max: 60 }),
        (keys, limit) => {
          const copy = [...keys];
          expect(smallestKeys(keys, limit)).toEqual([...keys].sort((a, b) => a - b).slice(0, Math.max(0, limit)));
          expect(keys).toEqual(copy);
        },
      ),
    );
  });
});

const ascending = fc
  .uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 80 })
  .map((list) => list.sort((a, b) => a - b));

describe('hasRank', () => {
  it('says whether an ascending list holds the rank', () => {
    fc.assert(
      fc.property(ascending, fc.integer({ min: -5, max: 205 }), (list, rank) => {
        expect(hasRank(Int32Array.from(list), rank)).toBe(list.includes(rank));
      }),
    );
  });
});

describe('intersectRanks', () => {
  it('gives the ranks in every list, ascending', () => {
    expect(
      intersectRanks([Int32Array.from([1, 3, 5, 7]), Int32Array.from([3, 4, 7]), Int32Array.from([0, 3, 7, 9])]),
    ).toEqual([3, 7]);
    const everyRank = Int32Array.from({ length: 200 }, (_, i) => i);
    expect(intersectRanks([everyRank, Int32Array.from([5, 150, 400])])).toEqual([5, 150]);
    expect(intersectRanks([Int32Array.from([1, 2]), Int32Array.from([3]), everyRank])).toEqual([]);
    expect(intersectRanks([])).toEqual([]);
  });

  it('agrees with filtering one list by the others', () => {
    fc.assert(
      fc.property(fc.array(ascending, { minLength: 1, maxLength: 5 }), (lists) => {
        const expected = lists[0].filter((rank) => lists.every((list) => list.includes(rank)));
        expect(intersectRanks(lists.map((list) => Int32Array.from(list)))).toEqual(expected);
      }),
    );
  });
});
