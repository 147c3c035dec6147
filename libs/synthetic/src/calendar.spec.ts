import { civilDate, dayNumber, formatDate, formatDateTime, yearOf } from './calendar';
import { completedYears } from './demographics.generator';

const MS_PER_DAY = 86_400_000;
const isoOf = (dayNo: number): string => new Date(dayNo * MS_PER_DAY).toISOString().slice(0, 10);

describe('calendar', () => {
  it('formats every day from 1900 to 2100 as the proleptic Gregorian date, inside and outside the cache', () => {
    const wrong: string[] = [];
    for (let day = dayNumber(1900, 1, 1); day <= dayNumber(2100, 12, 31); day++) {
      // Twice: the second call inside the data window is served from the cache.
      if (formatDate(day) !== isoOf(day) || formatDate(day) !== isoOf(day)) {
        wrong.push(isoOf(day));
      }
    }
    expect(wrong).toEqual([]);
  });

  it('packs dates as YYYYMMDD and reads their year', () => {
    expect(civilDate(dayNumber(2024, 2, 29))).toBe(20240229);
    expect(yearOf(dayNumber(1969, 12, 31))).toBe(1969);
  });

  it('writes German local time with the summer-time offset', () => {
    expect(formatDateTime(dayNumber(2024, 1, 15) * 1440 + 8 * 60)).toBe('2024-01-15T08:00:00+01:00');
    expect(formatDateTime(dayNumber(2024, 7, 15) * 1440 + 8 * 60 + 5)).toBe('2024-07-15T08:05:00+02:00');
  });
});

describe('completedYears', () => {
  it('counts a year only once the birthday is reached', () => {
    const birth = dayNumber(1962, 5, 24);
    expect(completedYears(birth, dayNumber(2025, 5, 23))).toBe(62);
    expect(completedYears(birth, dayNumber(2025, 5, 24))).toBe(63);
  });

  it('lets a 29 February birthday count on 1 March in common years', () => {
    const birth = dayNumber(2000, 2, 29);
    expect(completedYears(birth, dayNumber(2025, 2, 28))).toBe(24);
    expect(completedYears(birth, dayNumber(2025, 3, 1))).toBe(25);
  });
});
