import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { generateRequesterKey, pseudonymizeRequester } from './requester-pseudonym';

const KEY = Buffer.alloc(32, 3).toString('base64');
const siteIds = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const researcherIds = fc.string({ minLength: 1, maxLength: 128 });

/** Asserts a fast-check property over 300 generated inputs (named for the lint rule that wants an assertion). */
function expectProperty<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => boolean): void {
  fc.assert(fc.property(arbitrary, predicate), { numRuns: 300 });
}

describe('pseudonymizeRequester', () => {
  it('is stable: the same key, site and researcher always give the same pseudonym', () => {
    expect(pseudonymizeRequester(KEY, 'site-a', 'alice')).toBe(pseudonymizeRequester(KEY, 'site-a', 'alice'));
    // Pinned: a change of the derivation gives every researcher new pseudonyms, and fresh budgets, at every site.
    expect(pseudonymizeRequester(KEY, 'site-a', 'alice')).toBe(
      `r-${createHmac('sha256', Buffer.alloc(32, 3))
        .update('fq-broker/requester-pseudonym/site/v1\0site-a\0alice')
        .digest('hex')
        .slice(0, 32)}`,
    );
  });

  it('differs per site and per researcher', () => {
    expectProperty(
      fc.tuple(siteIds, siteIds, researcherIds, researcherIds),
      ([siteA, siteB, alice, bob]) =>
        (siteA === siteB) === (pseudonymizeRequester(KEY, siteA, alice) === pseudonymizeRequester(KEY, siteB, alice)) &&
        (alice === bob) === (pseudonymizeRequester(KEY, siteA, alice) === pseudonymizeRequester(KEY, siteA, bob)),
    );
  });

  it('never contains the researcher id and has the QueryPayload requester shape', () => {
    expectProperty(fc.tuple(siteIds, fc.stringMatching(/^[a-z]{6,40}$/)), ([siteId, researcher]) => {
      const pseudonym = pseudonymizeRequester(KEY, siteId, researcher);
      return /^r-[0-9a-f]{32}$/.test(pseudonym) && !pseudonym.includes(researcher);
    });
  });

  it('cannot be linked across sites without the key: another key gives unrelated pseudonyms', () => {
    // Without the broker's key a site can only guess it; a guessed key reproduces neither its own pseudonyms nor another site's.
    const otherKey = generateRequesterKey();
    expectProperty(fc.tuple(siteIds, researcherIds), ([siteId, researcher]) => {
      const real = pseudonymizeRequester(KEY, siteId, researcher);
      return pseudonymizeRequester(otherKey, siteId, researcher) !== real;
    });
    // Two sites' pseudonyms of one researcher share no more hex digits in place than unrelated values do (1/16 each).
    const sameInPlace = Array.from({ length: 2000 }, (_, i) => {
      const a = pseudonymizeRequester(KEY, 'site-a', `researcher-${i}`).slice(2);
      const b = pseudonymizeRequester(KEY, 'site-b', `researcher-${i}`).slice(2);
      return [...a].filter((digit, j) => digit === b[j]).length;
    });
    const mean = sameInPlace.reduce((sum, n) => sum + n, 0) / sameInPlace.length;
    // 32 digits × 1/16 = 2 expected; the standard error of the mean over 2000 pairs is about 0.03.
    expect(mean).toBeGreaterThan(1.85);
    expect(mean).toBeLessThan(2.15);
  });
});
