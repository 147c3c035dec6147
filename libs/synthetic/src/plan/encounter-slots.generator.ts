import { REFERENCE_DAY, WINDOW_START_DAY, atMinute } from '../calendar';
import { ENCOUNTER_KIND_WEIGHTS, type EncounterKind } from '../catalogs/encounter.catalog';
import { type Person, ageBand, completedYears } from '../demographics.generator';
import { type SeededRandom, WeightedTable } from '../seeded-random';

export const MINUTES_PER_DAY = 1440;

const KIND_TABLES = [
  new WeightedTable(
    ENCOUNTER_KIND_WEIGHTS.map(([kind]) => kind),
    ENCOUNTER_KIND_WEIGHTS.map(([kind, weight]) => (kind === 'AMB' ? weight * 1.3 : weight)),
  ),
  new WeightedTable(
    ENCOUNTER_KIND_WEIGHTS.map(([kind]) => kind),
    ENCOUNTER_KIND_WEIGHTS.map(([, weight]) => weight),
  ),
  new WeightedTable(
    ENCOUNTER_KIND_WEIGHTS.map(([kind]) => kind),
    ENCOUNTER_KIND_WEIGHTS.map(([kind, weight]) => (kind === 'IMP' ? weight * 1.5 : weight)),
  ),
];

/** Length of a stay in days by encounter class. */
function stayDays(random: SeededRandom, kind: EncounterKind, ageYears: number): number {
  switch (kind) {
    case 'IMP': {
      const median = ageYears >= 65 ? 6 : 4;
      return Math.min(60, 1 + Math.floor(median * Math.exp(0.7 * random.normal())));
    }
    case 'SS':
      return random.chance(0.7) ? 0 : random.int(1, 3);
    case 'AMB':
    case 'EMER':
      return 0;
  }
}

function admissionMinute(random: SeededRandom, kind: EncounterKind, day: number): number {
  switch (kind) {
    case 'IMP':
      return atMinute(day, random.int(7 * 60, 19 * 60));
    case 'SS':
    case 'AMB':
      return atMinute(day, random.int(7 * 60 + 30, 16 * 60));
    case 'EMER':
      return atMinute(day, random.int(0, 22 * 60));
  }
}

function dischargeMinute(random: SeededRandom, kind: EncounterKind, start: number, days: number): number {
  switch (kind) {
    case 'IMP':
    case 'SS':
      return days === 0
        ? start + random.int(4 * 60, 9 * 60)
        : atMinute(Math.floor(start / MINUTES_PER_DAY) + days, random.int(9 * 60, 15 * 60));
    case 'AMB':
      return start + random.int(15, 150);
    case 'EMER':
      return start + random.int(60, 8 * 60);
  }
}

/** An encounter placed in time, before its diagnoses are drawn. */
export interface Slot {
  kind: EncounterKind;
  start: number;
  end?: number;
  newborn: boolean;
  fatal: boolean;
}

/** Places encounters in the patient's lifetime within the data window, without overlap. */
export function planSlots(random: SeededRandom, person: Person, diabetic: boolean): Slot[] {
  const firstDay = Math.max(WINDOW_START_DAY, person.birthDay);
  const lastDay = person.deathDay ?? REFERENCE_DAY;
  const lastMinute = atMinute(lastDay, MINUTES_PER_DAY - 1);
  const band = ageBand(person.ageYears);
  const extraMean = (band === 0 ? 0.45 : band === 1 ? 0.6 : 1.15) + (diabetic ? 0.4 : 0);
  const count = 1 + random.poisson(extraMean);

  const newborn = person.birthDay >= WINDOW_START_DAY && random.chance(0.5);
  const days: number[] = [];
  for (let i = newborn ? 1 : 0; i < count; i++) {
    days.push(random.int(firstDay, lastDay));
  }
  days.sort((a, b) => a - b);
  if (newborn) {
    days.unshift(person.birthDay);
  }

  const fatalStay = person.deathDay !== undefined && random.chance(0.6);
  const slots: Slot[] = [];
  let previousEnd = -Infinity;
  for (let i = 0; i < days.length; i++) {
    const isNewborn = newborn && i === 0;
    const fatal = fatalStay && i === days.length - 1;
    const ageYears = completedYears(person.birthDay, days[i]);
    const kind: EncounterKind = isNewborn || fatal ? 'IMP' : KIND_TABLES[ageBand(ageYears)].pick(random);
    const stay = isNewborn ? random.int(2, 5) : stayDays(random, kind, ageYears);
    const day = fatal ? Math.max(days[i], lastDay - stay) : days[i];
    let start = isNewborn ? atMinute(day, random.int(0, MINUTES_PER_DAY - 1)) : admissionMinute(random, kind, day);
    if (start <= previousEnd) {
      start = previousEnd + random.int(1, 20) * MINUTES_PER_DAY;
    }
    if (start >= lastMinute) {
      break;
    }
    let end: number | undefined = isNewborn
      ? start + stay * MINUTES_PER_DAY
      : dischargeMinute(random, kind, start, stay);
    if (fatal || (person.deathDay !== undefined && end > lastMinute)) {
      end = Math.max(start + 60, atMinute(lastDay, random.int(0, MINUTES_PER_DAY - 1)));
    } else if (end > lastMinute) {
      // Still in hospital at the reference date: the encounter has no end yet.
      end = undefined;
    }
    slots.push({ kind, start, ...(end === undefined ? {} : { end }), newborn: isNewborn, fatal });
    if (end === undefined) {
      break;
    }
    previousEnd = end;
  }
  return slots;
}
