import type { Person } from '../demographics.generator';
import { type SeededRandom, WeightedTable } from '../seeded-random';

/** Which catalog entries fit a patient: female (`ff` of child-bearing age), male, other. */
export type SexKey = 'f' | 'ff' | 'm' | 'o';

/** Whether a catalog entry restricted to one sex may be drawn for a sex key. */
export function sexAllows(entrySex: 'female' | 'male' | undefined, sexKey: SexKey): boolean {
  if (entrySex === undefined) {
    return true;
  }
  return entrySex === 'female' ? sexKey === 'f' || sexKey === 'ff' : sexKey === 'm';
}

/** A weighted table of the entries kept, weighted for one age band. */
export function buildTable<T extends { weights: readonly [number, number, number] }>(
  entries: readonly T[],
  band: 0 | 1 | 2,
  keep: (entry: T) => boolean,
): WeightedTable<T> {
  const kept = entries.filter((entry) => keep(entry) && entry.weights[band] > 0);
  return new WeightedTable(
    kept,
    kept.map((entry) => entry.weights[band]),
  );
}

export const SEX_KEYS: readonly SexKey[] = ['f', 'ff', 'm', 'o'];

/** The sex key of a patient at an age. */
export function sexKeyAt(person: Person, ageYears: number): SexKey {
  switch (person.gender) {
    case 'female':
      return ageYears >= 18 && ageYears < 50 ? 'ff' : 'f';
    case 'male':
      return 'm';
    case 'other':
      return 'o';
  }
}

/** Draws `count` times and appends each item not yet in `into`. */
export function pickDistinct<T>(table: WeightedTable<T>, random: SeededRandom, count: number, into: T[]): void {
  for (let i = 0; i < count; i++) {
    const item = table.pick(random);
    if (!into.includes(item)) {
      into.push(item);
    }
  }
}
