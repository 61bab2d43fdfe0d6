/**
 * Calendar-date arithmetic (src/core/dates.ts) against an independent oracle, JavaScript's own ISO
 * parsing and printing, over dates from year 1 to 9999.
 */
import { describe, expect, it } from 'vitest';
import {
  addDays,
  calendarDateFromParts,
  dayOfWeek,
  daysBetween,
  parseCalendarDate,
  relativeDays,
  type CalendarDate,
} from '../../src/core/dates.js';

const DAY_MS = 86_400_000;

/** The oracle: JavaScript's own ISO parsing and printing (years 0000 to 9999). */
const utc = (date: string): Date => new Date(`${date}T00:00:00Z`);
const format = (t: Date): string => t.toISOString().slice(0, 10);

/** A small deterministic generator (tests pin their inputs). */
function* dates(count: number, seed: number): Generator<CalendarDate> {
  let x = seed;
  const next = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  for (let i = 0; i < count; i++) {
    const date = calendarDateFromParts(1 + next(9999), 1 + next(12), 1 + next(28));
    if (date) yield date;
  }
}

describe('calendar dates', () => {
  it('addDays, daysBetween and dayOfWeek agree with Date arithmetic over 20,000 dates', () => {
    let checked = 0;
    for (const date of dates(20_000, 7)) {
      const days = (checked % 2000) - 1000;
      const expected = format(new Date(utc(date).getTime() + days * DAY_MS));
      const later = addDays(date, days);
      if (utc(expected).getUTCFullYear() >= 1 && utc(expected).getUTCFullYear() <= 9999) {
        expect(later).toBe(expected);
        expect(daysBetween(date, later)).toBe(days);
        expect(daysBetween(later, date) + days).toBe(0);
      }
      expect(dayOfWeek(date)).toBe(utc(date).getUTCDay());
      checked++;
    }
    expect(checked).toBeGreaterThan(19_000);
  });

  it('known days', () => {
    const d = (s: string) => parseCalendarDate(s) as CalendarDate;
    expect(dayOfWeek(d('2026-11-28'))).toBe(6); // a Saturday
    expect(dayOfWeek(d('1970-01-01'))).toBe(4); // a Thursday
    expect(dayOfWeek(d('1969-12-31'))).toBe(3);
    expect(dayOfWeek(d('0001-01-01'))).toBe(1); // proleptic Gregorian: a Monday
    expect(addDays(d('2028-02-28'), 1)).toBe('2028-02-29');
    expect(addDays(d('2026-03-01'), -1)).toBe('2026-02-28');
    expect(addDays(d('2026-11-28'), 0.5)).toBe('2026-11-28'); // part of a day: the same day
    expect(daysBetween(d('2026-11-14'), d('2026-11-29'))).toBe(15);
    expect(daysBetween(d('0099-12-31'), d('0100-01-01'))).toBe(1);
  });
});

describe('relativeDays', () => {
  it('says a distance from today in words, with the right number and tense', () => {
    expect([-6, -1, 0, 1, 2, 365].map(relativeDays)).toEqual([
      'in 6 days',
      'in 1 day',
      'today',
      '1 day ago',
      '2 days ago',
      '365 days ago',
    ]);
  });
});
