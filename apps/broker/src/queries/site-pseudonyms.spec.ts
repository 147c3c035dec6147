import fc from 'fast-check';
import { assignSitePseudonyms } from './site-pseudonyms';

const sites = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `site-${i}`, name: `Uniklinik ${i}` }));

describe('assignSitePseudonyms', () => {
  it('gives every site a distinct label Site 1 … Site n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (n) => {
        const labels = assignSitePseudonyms(sites(n)).map((site) => site.pseudonym);
        expect([...labels].sort()).toEqual(Array.from({ length: n }, (_, i) => `Site ${i + 1}`).sort());
      }),
    );
  });

  it('keeps id and display name with each pseudonym', () => {
    const [first] = assignSitePseudonyms(sites(1));
    expect(first).toEqual({ siteId: 'site-0', name: 'Uniklinik 0', pseudonym: 'Site 1' });
  });

  it('draws a fresh permutation per call, so labels differ between queries', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      seen.add(
        assignSitePseudonyms(sites(4))
          .map((site) => site.pseudonym)
          .join(','),
      );
    }
    // 24 permutations; 40 draws landing on one would happen with probability 24^-39.
    expect(seen.size).toBeGreaterThan(1);
  });

  it('reaches every permutation with an injected random source', () => {
    const seen = new Set<string>();
    // Every combination of Fisher-Yates choices for 3 sites: j in [0,2] then [0,1].
    for (const first of [0, 1, 2]) {
      for (const second of [0, 1]) {
        const draws = [first, second];
        seen.add(
          assignSitePseudonyms(sites(3), () => draws.shift() ?? 0)
            .map((site) => site.pseudonym)
            .join(','),
        );
      }
    }
    expect(seen.size).toBe(6);
  });
});
