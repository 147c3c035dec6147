/** Calendar arithmetic on day numbers (days since 1970-01-01, proleptic Gregorian), independent of the time zone. */

/** Open interval ends: a Period without start or end. */
export const MIN_DAY = -2147483648;
export const MAX_DAY = 2147483647;

/** A closed interval of days; a point in time is an interval of one day, a partial date covers its year or month. */
export interface DayRange {
  start: number;
  end: number;
}

/** Days since 1970-01-01 of a civil date (Hinnant's days_from_civil; no Date, so years below 100 work). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

// FHIR date / dateTime / instant: the calendar date is taken as written, before any time or offset.
// Seconds and offset may be missing, but a time or offset that names no real moment (T24:00, +15:00) is no dateTime.
const TEMPORAL =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(?:[01]\d|2[0-3])(?::[0-5]\d(?::(?:[0-5]\d|60)(?:\.\d+)?)?)?(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?)?)?)?$/;

/** The days a FHIR date, dateTime or instant string covers, or null if it is not one. */
export function parseFhirDate(value: string): DayRange | null {
  const m = TEMPORAL.exec(value);
  if (m === null) {
    return null;
  }
  const year = Number(m[1]);
  if (m[2] === undefined) {
    return { start: daysFromCivil(year, 1, 1), end: daysFromCivil(year, 12, 31) };
  }
  const month = Number(m[2]);
  if (month < 1 || month > 12) {
    return null;
  }
  if (m[3] === undefined) {
    return { start: daysFromCivil(year, month, 1), end: daysFromCivil(year, month, daysInMonth(year, month)) };
  }
  const day = Number(m[3]);
  if (day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  const d = daysFromCivil(year, month, day);
  return { start: d, end: d };
}

/** Parses a CCDL `YYYY-MM-DD` date into a day number (the schema has validated the format). */
export function parseIsoDay(value: string): number {
  const range = parseFhirDate(value);
  if (range === null || range.start !== range.end) {
    throw new RangeError(`not a calendar date: ${value}`);
  }
  return range.start;
}

/** Formats a day number as `YYYY-MM-DD`. */
export function formatDay(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The days a clinical time element covers: a date string is a point (or its year/month), a Period
 * spans start..end with a missing side open. Anything else, a Period without both sides, or one that
 * ends before it starts (FHIR invariant per-1), is null.
 */
export function toDayRange(value: unknown): DayRange | null {
  if (typeof value === 'string') {
    return parseFhirDate(value);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return null;
  }
  const period = value as { start?: unknown; end?: unknown };
  const start = typeof period.start === 'string' ? parseFhirDate(period.start) : null;
  const end = typeof period.end === 'string' ? parseFhirDate(period.end) : null;
  if ((period.start !== undefined && start === null) || (period.end !== undefined && end === null)) {
    return null;
  }
  if ((start === null && end === null) || (start !== null && end !== null && start.start > end.end)) {
    return null;
  }
  return { start: start?.start ?? MIN_DAY, end: end?.end ?? MAX_DAY };
}

/** Whether a day range overlaps the closed interval [after, before]. */
export function overlaps(range: DayRange, after: number, before: number): boolean {
  return range.start <= before && range.end >= after;
}

export type AgeUnit = 'a' | 'mo' | 'wk' | 'd';

/** Completed whole units of age at `today` for someone born on `birth` (both day numbers). */
export function completedAge(birth: number, today: number, unit: AgeUnit): number {
  if (unit === 'd') {
    return today - birth;
  }
  if (unit === 'wk') {
    return Math.floor((today - birth) / 7);
  }
  const b = civilFromDays(birth);
  const t = civilFromDays(today);
  if (unit === 'a') {
    const notYet = t.month < b.month || (t.month === b.month && t.day < b.day);
    return t.year - b.year - (notYet ? 1 : 0);
  }
  return (t.year - b.year) * 12 + (t.month - b.month) - (t.day < b.day ? 1 : 0);
}

/**
 * The latest birth day at which someone has completed at least `n` units of age on `today`;
 * completedAge(b, today) >= n exactly when b <= latestBirthForAge(today, n).
 */
export function latestBirthForAge(today: number, n: number, unit: AgeUnit): number {
  if (unit === 'd') {
    return today - n;
  }
  if (unit === 'wk') {
    return today - 7 * n;
  }
  const t = civilFromDays(today);
  const totalMonths = t.year * 12 + (t.month - 1) - (unit === 'a' ? 12 * n : n);
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths - year * 12 + 1;
  return daysFromCivil(year, month, Math.min(t.day, daysInMonth(year, month)));
}
