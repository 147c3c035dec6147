import { randomInt } from 'node:crypto';
import type { RegisteredSite } from '../config/config.schema';
import type { QuerySite } from '../persistence/records.schema';

/** Draws an integer in [0, max); the default is cryptographically random. */
export type RandomInt = (max: number) => number;

/**
 * Gives each site a pseudonym "Site 1" … "Site n" from a fresh random permutation, so a site's label in one query
 * says nothing about its label in another, nor about its place in the registry.
 */
export function assignSitePseudonyms(sites: readonly RegisteredSite[], random: RandomInt = randomInt): QuerySite[] {
  const numbers = sites.map((_, index) => index + 1);
  // Fisher-Yates: every permutation equally likely.
  for (let i = numbers.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [numbers[i], numbers[j]] = [numbers[j], numbers[i]];
  }
  return sites.map((site, index) => ({ siteId: site.id, name: site.name, pseudonym: `Site ${numbers[index]}` }));
}
