import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import fc from 'fast-check';
import {
  type AgeUnit,
  MAX_DAY,
  MIN_DAY,
  civilFromDays,
  completedAge,
  daysFromCivil,
  daysInMonth,
  formatDay,
  isLeapYear,
  latestBirthForAge,
  overlaps,
  parseFhirDate,
  parseIsoDay,
  toDayRange,
} from './dates';

const day = (iso: string): number => parseIsoDay(iso);
const range = (start: string, end: string) => ({ start: day(start), end: day(end) });

/** A civil date whose day is biased towards the ends of months, where age and calendar bugs live. */
const civilDate = (minYear: number, maxYear: number) =>
  fc
    .tuple(
      fc.integer({ min: minYear, max: maxYear }),
      fc.integer({ min: 1, max: 12 }),
      fc.oneof(fc.constantFrom(1, 28, 29, 30, 31), fc.integer({ min: 1, max: 31 })),
    )
    .map(([year, month, d]) => ({ year, month, day: Math.min(d, daysInMonth(year, month)) }));

const dayNumber = (minYear: number, maxYear: number) =>
  civilDate(minYear, maxYear).map(({ year, month, day: d }) => daysFromCivil(year, month, d));

const UNITS: AgeUnit[] = ['a', 'mo', 'wk', 'd'];

/** Milliseconds of a UTC midnight through Date, which is independent of the process time zone. */
function utcMillis(year: number, month: number, d: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, d);
  return date.getTime();
}

describe('daysFromCivil and civilFromDays', () => {
  it('numbers 1970-01-01 as day 0 and count across the Gregorian leap rules', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
    expect(daysFromCivil(2000, 3, 1) - daysFromCivil(2000, 2, 28)).toBe(2);
    expect(daysFromCivil(1900, 3, 1) - daysFromCivil(1900, 2, 28)).toBe(1);
    expect(daysFromCivil(0, 1, 1)).toBe(-719528);
  });

  it('round-trips every civil date of the years -5000..10000', () => {
    fc.assert(
      fc.property(civilDate(-5000, 10000), (date) => {
        expect(civilFromDays(daysFromCivil(date.year, date.month, date.day))).toEqual(date);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every day number of the years -5000..10000 and agrees with Date in UTC', () => {
    const first = daysFromCivil(-5000, 1, 1);
    const last = daysFromCivil(10000, 12, 31);
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (n) => {
        const date = civilFromDays(n);
        expect(daysFromCivil(date.year, date.month, date.day)).toBe(n);
        expect(date.day).toBeLessThanOrEqual(daysInMonth(date.year, date.month));
        expect(utcMillis(date.year, date.month, date.day)).toBe(n * 86_400_000);
        const next = civilFromDays(n + 1);
        expect(next.day === 1 || next.day === date.day + 1).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('formats day numbers with four-digit years', () => {
    expect(formatDay(0)).toBe('1970-01-01');
    expect(formatDay(daysFromCivil(33, 2, 3))).toBe('0033-02-03');
    expect(formatDay(daysFromCivil(2024, 2, 29))).toBe('2024-02-29');
  });

  it('knows the Gregorian leap years', () => {
    expect([1900, 2000, 2023, 2024, 2100, 2400].map(isLeapYear)).toEqual([false, true, false, true, false, true]);
  });
});

describe('parseFhirDate', () => {
  it('reads a full date as one day', () => {
    expect(parseFhirDate('2024-03-15')).toEqual(range('2024-03-15', '2024-03-15'));
  });

  it('reads a year as all its days and a month as all its days', () => {
    expect(parseFhirDate('2024')).toEqual(range('2024-01-01', '2024-12-31'));
    expect(parseFhirDate('2024-02')).toEqual(range('2024-02-01', '2024-02-29'));
    expect(parseFhirDate('2023-02')).toEqual(range('2023-02-01', '2023-02-28'));
    expect(parseFhirDate('2024-04')).toEqual(range('2024-04-01', '2024-04-30'));
  });

  it('accepts 29 February only in leap years', () => {
    expect(parseFhirDate('2024-02-29')).toEqual(range('2024-02-29', '2024-02-29'));
    expect(parseFhirDate('2000-02-29')).not.toBeNull();
    expect(parseFhirDate('2023-02-29')).toBeNull();
    expect(parseFhirDate('1900-02-29')).toBeNull();
  });

  it.each(['2024-02-30', '2024-04-31', '2024-13', '2024-00', '2024-01-00', '2024-01-32'])(
    'rejects the impossible date %p',
    (value) => {
      expect(parseFhirDate(value)).toBeNull();
    },
  );

  it.each([
    '',
    '24',
    '2024-1',
    '2024-01-1',
    '2024/01/01',
    '2024-01-01T',
    '2024-01-01Z',
    '2024-01-01 10:00:00Z',
    '2024-01-01T10:00:00+0100',
    '2024-01-01T24:00:00Z',
    '2024-01-01T10:60:00Z',
    '2024-01-01T10:00:61Z',
    '2024-01-01T10:00:00+15:00',
    '2024-01-01T10:00:00+01:60',
    ' 2024-01-01',
    '2024-01-01\n',
  ])('rejects the malformed value %p', (value) => {
    expect(parseFhirDate(value)).toBeNull();
  });

  it.each([
    ['2024-01-01T00:30:00+14:00', '2024-01-01'],
    ['2024-01-01T23:30:00-12:00', '2024-01-01'],
    ['2024-12-31T23:59:59.999-11:00', '2024-12-31'],
    ['2024-01-01T00:00:00Z', '2024-01-01'],
    ['2024-06-30T23:59:60Z', '2024-06-30'],
    ['2024-01-01T10:00:00.123456789+01:00', '2024-01-01'],
    ['2024-01-01T10:00:00', '2024-01-01'],
    ['2024-01-01T10:00+01:00', '2024-01-01'],
    ['2024-01-01T10:00:00+14:00', '2024-01-01'],
  ])('keeps the calendar date written in %p', (value, date) => {
    expect(parseFhirDate(value)).toEqual(range(date, date));
  });

  it('reads the written date of any instant regardless of its offset', () => {
    fc.assert(
      fc.property(
        civilDate(1, 9999),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom('Z', '+14:00', '-12:00', '+05:30', '-00:00'),
        ({ year, month, day: d }, h, m, zone) => {
          const pad = (n: number, w = 2) => String(n).padStart(w, '0');
          const value = `${pad(year, 4)}-${pad(month)}-${pad(d)}T${pad(h)}:${pad(m)}:00${zone}`;
          const n = daysFromCivil(year, month, d);
          expect(parseFhirDate(value)).toEqual({ start: n, end: n });
        },
      ),
    );
  });
});

describe('parseIsoDay', () => {
  it('throws for a value that is not a single calendar day', () => {
    expect(() => parseIsoDay('2024-02')).toThrow(RangeError);
    expect(() => parseIsoDay('2024-02-30')).toThrow(RangeError);
  });
});

describe('toDayRange', () => {
  it('reads a date string as the days it covers', () => {
    expect(toDayRange('2024-05')).toEqual(range('2024-05-01', '2024-05-31'));
  });

  it('reads a Period from the first day of its start to the last day of its end', () => {
    expect(toDayRange({ start: '2024-01', end: '2024-02-10T08:00:00+01:00' })).toEqual(
      range('2024-01-01', '2024-02-10'),
    );
    expect(toDayRange({ start: '2024', end: '2025' })).toEqual(range('2024-01-01', '2025-12-31'));
  });

  it('leaves a missing side of a Period open', () => {
    expect(toDayRange({ start: '2024-01-10' })).toEqual({ start: day('2024-01-10'), end: MAX_DAY });
    expect(toDayRange({ end: '2024-01-10' })).toEqual({ start: MIN_DAY, end: day('2024-01-10') });
  });

  it('accepts a Period that starts and ends within the same partial date', () => {
    expect(toDayRange({ start: '2024-03-15', end: '2024-03' })).toEqual(range('2024-03-15', '2024-03-31'));
  });

  it.each([
    ['a Period without both sides', {}],
    ['a Period with an unreadable start', { start: '2024-02-30', end: '2024-03-01' }],
    ['a Period with an unreadable end', { start: '2024-01-01', end: 'soon' }],
    ['a Period with a null start', { start: null }],
    ['a Period with a numeric end', { start: '2024-01-01', end: 20240101 }],
    ['a Period whose start is after its end', { start: '2024-05-01', end: '2024-01-31' }],
    ['an array', ['2024-01-01']],
    ['null', null],
    ['a number', 20240101],
    ['a malformed string', '2024-1-1'],
  ])('reads %s as no time', (_name, value) => {
    expect(toDayRange(value)).toBeNull();
  });

  it('never returns an inverted range', () => {
    const side = fc.option(
      fc.oneof(
        civilDate(1900, 2100).map(({ year, month, day: d }) => formatDay(daysFromCivil(year, month, d))),
        fc.integer({ min: 1900, max: 2100 }).map(String),
        fc.constantFrom('2024-02', '2024-02-30', 'x'),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(side, side, (start, end) => {
        const result = toDayRange({ start, end });
        expect(result === null || result.start <= result.end).toBe(true);
      }),
    );
  });
});

describe('overlaps', () => {
  it('includes both ends of the window and of the range', () => {
    const r = range('2024-01-10', '2024-01-20');
    expect(overlaps(r, day('2024-01-20'), day('2024-01-30'))).toBe(true);
    expect(overlaps(r, day('2024-01-01'), day('2024-01-10'))).toBe(true);
    expect(overlaps(r, day('2024-01-21'), day('2024-01-30'))).toBe(false);
    expect(overlaps(r, day('2024-01-01'), day('2024-01-09'))).toBe(false);
  });

  it('treats an open Period side as reaching every window on that side', () => {
    const open = { start: MIN_DAY, end: day('2024-01-01') };
    expect(overlaps(open, day('1800-01-01'), day('1800-01-01'))).toBe(true);
    expect(overlaps({ start: day('2024-01-01'), end: MAX_DAY }, day('9999-12-31'), MAX_DAY)).toBe(true);
  });

  it('holds exactly when some day lies in both intervals', () => {
    const bound = fc.integer({ min: -20, max: 20 });
    fc.assert(
      fc.property(bound, bound, bound, bound, (a, b, c, d) => {
        const [start, end] = [Math.min(a, b), Math.max(a, b)];
        const [after, before] = [Math.min(c, d), Math.max(c, d)];
        let shared = false;
        for (let x = start; x <= end; x++) {
          shared ||= x >= after && x <= before;
        }
        expect(overlaps({ start, end }, after, before)).toBe(shared);
      }),
    );
  });
});

describe('completedAge', () => {
  const age = (birth: string, today: string, unit: AgeUnit) => completedAge(day(birth), day(today), unit);

  it('completes a year, a month, a week and a day on the anniversary, not the day before', () => {
    expect([age('1990-06-15', '2024-06-14', 'a'), age('1990-06-15', '2024-06-15', 'a')]).toEqual([33, 34]);
    expect([age('2024-01-15', '2024-03-14', 'mo'), age('2024-01-15', '2024-03-15', 'mo')]).toEqual([1, 2]);
    expect([age('2024-01-01', '2024-01-14', 'wk'), age('2024-01-01', '2024-01-15', 'wk')]).toEqual([1, 2]);
    expect([age('2024-01-01', '2024-01-01', 'd'), age('2024-01-01', '2024-01-02', 'd')]).toEqual([0, 1]);
  });

  it('lets someone born on 29 February complete a year on 1 March of a non-leap year', () => {
    expect(age('2000-02-29', '2001-02-28', 'a')).toBe(0);
    expect(age('2000-02-29', '2001-03-01', 'a')).toBe(1);
    expect(age('2000-02-29', '2003-02-28', 'a')).toBe(2);
    expect(age('2000-02-29', '2004-02-29', 'a')).toBe(4);
  });

  it('lets someone born on 29 February complete months like the years', () => {
    expect(age('2000-02-29', '2001-02-28', 'mo')).toBe(11);
    expect(age('2000-02-29', '2001-03-01', 'mo')).toBe(12);
    expect(age('2000-02-29', '2000-03-28', 'mo')).toBe(0);
    expect(age('2000-02-29', '2000-03-29', 'mo')).toBe(1);
  });

  it('completes a month from the 31st only when the later month reaches that day or ends', () => {
    expect(age('2023-01-31', '2023-02-28', 'mo')).toBe(0);
    expect(age('2023-01-31', '2023-03-01', 'mo')).toBe(1);
    expect(age('2023-01-31', '2023-04-30', 'mo')).toBe(2);
    expect(age('2023-01-31', '2023-05-31', 'mo')).toBe(4);
  });

  it('counts negative ages for a birth after the evaluation date', () => {
    expect(age('2025-06-15', '2024-06-15', 'a')).toBe(-1);
    expect(age('2025-06-16', '2024-06-15', 'a')).toBe(-2);
    expect(age('2024-01-02', '2024-01-01', 'wk')).toBe(-1);
  });

  it('agrees between years and months, and between weeks and days', () => {
    fc.assert(
      fc.property(dayNumber(-5000, 10000), dayNumber(-5000, 10000), (b, t) => {
        expect(Math.floor(completedAge(b, t, 'mo') / 12)).toBe(completedAge(b, t, 'a'));
        expect(Math.floor(completedAge(b, t, 'd') / 7)).toBe(completedAge(b, t, 'wk'));
      }),
      { numRuns: 1000 },
    );
  });

  it('never rises as the birth day moves later', () => {
    fc.assert(
      fc.property(dayNumber(1800, 2200), dayNumber(1800, 2200), fc.constantFrom(...UNITS), (b, t, unit) => {
        expect(completedAge(b + 1, t, unit)).toBeLessThanOrEqual(completedAge(b, t, unit));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('latestBirthForAge', () => {
  const n = fc.oneof(
    fc.integer({ min: -200, max: 200 }),
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.constantFrom(0, -1, 1, 1_000_000_000, -1_000_000_000),
  );

  it('has completedAge(b, t) >= n exactly when b <= latestBirthForAge(t, n)', () => {
    fc.assert(
      fc.property(dayNumber(-5000, 10000), dayNumber(-5000, 10000), n, fc.constantFrom(...UNITS), (b, t, k, unit) => {
        expect(completedAge(b, t, unit) >= k).toBe(b <= latestBirthForAge(t, k, unit));
      }),
      { numRuns: 2000 },
    );
  });

  it('has the same equivalence at the age boundary itself', () => {
    fc.assert(
      fc.property(
        dayNumber(1800, 2200),
        dayNumber(1800, 2200),
        fc.integer({ min: -2, max: 2 }),
        fc.constantFrom(...UNITS),
        (b, t, offset, unit) => {
          const k = completedAge(b, t, unit) + offset;
          const latest = latestBirthForAge(t, k, unit);
          expect(completedAge(b, t, unit) >= k).toBe(b <= latest);
          // The bound is tight: born on it, the age is reached; a day later, it is not.
          expect(completedAge(latest, t, unit)).toBeGreaterThanOrEqual(k);
          expect(completedAge(latest + 1, t, unit)).toBeLessThan(k);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('puts the latest birth for a year of age on 28 February when the evaluation date is 29 February', () => {
    expect(formatDay(latestBirthForAge(day('2024-02-29'), 1, 'a'))).toBe('2023-02-28');
    expect(formatDay(latestBirthForAge(day('2024-03-31'), 1, 'mo'))).toBe('2024-02-29');
    expect(formatDay(latestBirthForAge(day('2024-03-31'), -1, 'mo'))).toBe('2024-04-30');
  });
});

// Date code must not depend on the host's zone (HOUSE-STYLE §7): this file runs again under two distant zones.
const SECOND_ZONES = ['Pacific/Kiritimati', 'America/Los_Angeles'];
const RERUN_TITLE = 'passes again under TZ=';

/** Runs this spec file, less the re-run test, in a fresh jest process whose TZ is `zone`. */
function runInZone(zone: string): Promise<{ zone: string; status: number | null; output: string }> {
  // The child needs PATH and HOME to start; only TZ differs. This is test code, not a library.
  // eslint-disable-next-line no-restricted-properties
  const { JEST_WORKER_ID: _worker, ...inherited } = process.env;
  const args = ['--runInBand', '--ci', '--runTestsByPath', __filename, '--testNamePattern', `^(?!.*${RERUN_TITLE})`];
  const child = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...args], {
    cwd: resolve(__dirname, '../../..'),
    env: { ...inherited, TZ: zone },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done) => child.on('close', (status) => done({ zone, status, output })));
}

describe('dates in other time zones', () => {
  it(`${RERUN_TITLE}${SECOND_ZONES.join(' and ')}`, async () => {
    const runs = await Promise.all(SECOND_ZONES.map(runInZone));
    for (const run of runs) {
      expect({ zone: run.zone, status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({
        zone: run.zone,
        status: 0,
        output: '',
      });
      expect(run.output).toMatch(/Tests:\s+1 skipped, [1-9]\d* passed/);
    }
  }, 120_000);
});
