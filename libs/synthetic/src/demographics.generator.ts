import { REFERENCE_DAY, WINDOW_START_DAY, civilDate, formatDate } from './calendar';
import { type SeededRandom, WeightedTable } from './seeded-random';

export type Gender = 'female' | 'male' | 'other';

/** Who a synthetic patient is: sex, birth and (for some) death, all as day numbers. */
export interface Person {
  gender: Gender;
  /** German administrative gender for `other`: D (divers) or X (unbestimmt). */
  genderAmtlich?: 'D' | 'X';
  birthDay: number;
  /** Completed years at the reference date (deceased patients keep ageing, as the engine counts age). */
  ageYears: number;
  /** `Patient.birthDate` as written: full date, year-month, year only, or absent. */
  birthDateText?: string;
  deathDay?: number;
}

// German population by 5-year age group (thousands, Destatis 2023, rounded); the last group is 100–104.
const AGE_GROUP_WEIGHTS = [
  3900, 3950, 3900, 3900, 4400, 4800, 5600, 5500, 5200, 4950, 6050, 6900, 6200, 5400, 4350, 3550, 3600, 1750, 700, 150,
  20,
];
const AGE_GROUPS = new WeightedTable(
  AGE_GROUP_WEIGHTS.map((_, i) => i * 5),
  AGE_GROUP_WEIGHTS,
);
const DAYS_PER_YEAR = 365.2425;

/** Share of deaths in the data window by age at the reference date (hospital patients, 2015–2025). */
function deathProbability(age: number): number {
  if (age < 40) {
    return 0.004;
  }
  if (age < 60) {
    return 0.02;
  }
  if (age < 70) {
    return 0.05;
  }
  if (age < 80) {
    return 0.1;
  }
  if (age < 90) {
    return 0.22;
  }
  return 0.4;
}

/** Women outnumber men from about 60 on. */
function femaleShare(age: number): number {
  if (age < 60) {
    return 0.49;
  }
  if (age < 80) {
    return 0.53;
  }
  if (age < 90) {
    return 0.62;
  }
  return 0.72;
}

/** Completed years between two day numbers, by calendar date. */
export function completedYears(birthDay: number, atDay: number): number {
  // With dates packed as YYYYMMDD the difference counts whole years directly.
  return Math.floor((civilDate(atDay) - civilDate(birthDay)) / 10000);
}

/** Draws sex, birth date (German age pyramid) and an optional death date. */
export function drawPerson(random: SeededRandom): Person {
  const groupStart = AGE_GROUPS.pick(random);
  const daysBack = Math.floor((groupStart + random.next() * 5) * DAYS_PER_YEAR);
  const birthDay = REFERENCE_DAY - daysBack;
  const ageYears = completedYears(birthDay, REFERENCE_DAY);

  let gender: Gender;
  let genderAmtlich: Person['genderAmtlich'];
  if (random.chance(0.003)) {
    gender = 'other';
    genderAmtlich = random.chance(0.7) ? 'D' : 'X';
  } else {
    gender = random.chance(femaleShare(ageYears)) ? 'female' : 'male';
  }

  const full = formatDate(birthDay);
  const form = random.next();
  // Rare partial or missing birth dates exercise the engine's age edge cases.
  const birthDateText =
    form < 0.002 ? undefined : form < 0.012 ? full.slice(0, 4) : form < 0.015 ? full.slice(0, 7) : full;

  const person: Person = { gender, birthDay, ageYears, ...(birthDateText === undefined ? {} : { birthDateText }) };
  if (genderAmtlich !== undefined) {
    person.genderAmtlich = genderAmtlich;
  }
  if (random.chance(deathProbability(ageYears))) {
    const first = Math.max(birthDay + 1, WINDOW_START_DAY);
    if (first < REFERENCE_DAY) {
      person.deathDay = random.int(first, REFERENCE_DAY - 1);
    }
  }
  return person;
}

/** Catalog age band: 0 children (< 18), 1 adults (18–64), 2 seniors (≥ 65). */
export function ageBand(ageYears: number): 0 | 1 | 2 {
  return ageYears < 18 ? 0 : ageYears < 65 ? 1 : 2;
}
