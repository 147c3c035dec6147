/**
 * Calendar arithmetic on day numbers (days since 1970-01-01) without Date objects, so output never depends on the
 * host time zone. Clock times are German local time with the EU summer-time rule.
 */

/** Day number of a proleptic Gregorian date (Hinnant's days_from_civil). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The fixed date all ages and data windows are relative to; the wall clock is never read. */
export const REFERENCE_DATE = '2025-12-31';
export const REFERENCE_DAY = dayNumber(2025, 12, 31);
/** First day of the window in which clinical events are placed. */
export const WINDOW_START_DAY = dayNumber(2015, 1, 1);

const MINUTES_PER_DAY = 1440;

/** The calendar date of a day number packed as the integer YYYYMMDD (Hinnant's civil_from_days). */
export function civilDate(dayNo: number): number {
  const z = dayNo + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000 + m * 100 + d;
}

// Dates inside the data window are formatted over and over; a fixed-size table keeps them.
const CACHE_FIRST_DAY = WINDOW_START_DAY - 366;
const dateCache: (string | undefined)[] = new Array<string | undefined>(REFERENCE_DAY + 367 - CACHE_FIRST_DAY);

function formatCivil(civil: number): string {
  const y = Math.floor(civil / 10000);
  const m = Math.floor(civil / 100) % 100;
  const d = civil % 100;
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** `YYYY-MM-DD` for a day number (years 1000–9999). */
export function formatDate(dayNo: number): string {
  const slot = dayNo - CACHE_FIRST_DAY;
  if (slot >= 0 && slot < dateCache.length) {
    let text = dateCache[slot];
    if (text === undefined) {
      text = formatCivil(civilDate(dayNo));
      dateCache[slot] = text;
    }
    return text;
  }
  return formatCivil(civilDate(dayNo));
}

/** Calendar year of a day number. */
export function yearOf(dayNo: number): number {
  return Math.floor(civilDate(dayNo) / 10000);
}

const summerTimeCache = new Map<number, readonly [number, number]>();

/** First and last (exclusive) day of summer time in a year: last Sunday of March to last Sunday of October. */
function summerTimeDays(year: number): readonly [number, number] {
  let days = summerTimeCache.get(year);
  if (days === undefined) {
    days = [lastSunday(dayNumber(year, 3, 31)), lastSunday(dayNumber(year, 10, 31))];
    summerTimeCache.set(year, days);
  }
  return days;
}

function lastSunday(dayNo: number): number {
  // Day 0 (1970-01-01) was a Thursday; weekday 0 = Sunday.
  const weekday = (((dayNo + 4) % 7) + 7) % 7;
  return dayNo - weekday;
}

/** `YYYY-MM-DDThh:mm:ss+01:00` (or `+02:00` in summer) for local minutes since 1970-01-01T00:00. */
export function formatDateTime(localMinute: number): string {
  const dayNo = Math.floor(localMinute / MINUTES_PER_DAY);
  const minuteOfDay = localMinute - dayNo * MINUTES_PER_DAY;
  const hour = Math.floor(minuteOfDay / 60);
  const minute = minuteOfDay - hour * 60;
  const date = formatDate(dayNo);
  const [start, end] = summerTimeDays(Number(date.slice(0, 4)));
  // Switches happen at 02:00/03:00 local; the skipped and the repeated hour are mapped to one offset.
  const summer = (dayNo > start || (dayNo === start && hour >= 2)) && (dayNo < end || (dayNo === end && hour < 2));
  return `${date}T${hour < 10 ? '0' : ''}${hour}:${minute < 10 ? '0' : ''}${minute}:00${summer ? '+02:00' : '+01:00'}`;
}

/** Local minute at the given day and minute of day. */
export function atMinute(dayNo: number, minuteOfDay: number): number {
  return dayNo * MINUTES_PER_DAY + minuteOfDay;
}
