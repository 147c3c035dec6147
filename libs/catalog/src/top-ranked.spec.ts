import fc from 'fast-check';
import { smallestKeys } from './top-ranked';

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
