/**
 * Calendar dates without a time or zone ("YYYY-MM-DD"), the unit every rule of Lifeline works in.
 * All arithmetic is done on the proleptic Gregorian calendar through UTC midnights, so it never
 * depends on the machine's time zone.
 */
export type CalendarDate = string & { readonly __calendarDate: unique symbol };

const DAY_MS = 86_400_000;
const STRICT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Builds a date from its parts, or null when the parts name no real day (2026-02-30). */
export function calendarDateFromParts(year: number, month: number, day: number): CalendarDate | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const t = new Date(Date.UTC(year, month - 1, day));
  t.setUTCFullYear(year); // Date.UTC maps years 0..99 to 1900..1999
  if (t.getUTCFullYear() !== year || t.getUTCMonth() !== month - 1 || t.getUTCDate() !== day) return null;
  return formatUtc(t);
}

/** Parses exactly "YYYY-MM-DD" naming a real day; anything else is null. */
export function parseCalendarDate(text: string): CalendarDate | null {
  const m = STRICT.exec(text);
  if (!m) return null;
  return calendarDateFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isCalendarDate(value: unknown): value is CalendarDate {
  return typeof value === 'string' && parseCalendarDate(value) === value;
}

function toUtc(date: CalendarDate): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  t.setUTCFullYear(y);
  return t;
}

function formatUtc(t: Date): CalendarDate {
  const y = String(t.getUTCFullYear()).padStart(4, '0');
  const m = String(t.getUTCMonth() + 1).padStart(2, '0');
  const d = String(t.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${d}` as CalendarDate;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return formatUtc(new Date(toUtc(date).getTime() + days * DAY_MS));
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: CalendarDate): number {
  return toUtc(date).getUTCDay();
}

/** The calendar date at instant `now` in the IANA time zone `timeZone` (e.g. "America/New_York"). */
export function calendarDateIn(now: Date, timeZone: string): CalendarDate {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const date = parseCalendarDate(`${get('year')}-${get('month')}-${get('day')}`);
  if (!date) throw new RangeError(`cannot express ${now.toISOString()} as a date in ${timeZone}`);
  return date;
}

/** A day's distance from today in words: "today", "1 day ago", "6 days ago", "in 6 days" (`daysAgo` < 0: ahead). */
export function relativeDays(daysAgo: number): string {
  if (daysAgo === 0) return 'today';
  const n = Math.abs(daysAgo);
  const span = `${n} day${n === 1 ? '' : 's'}`;
  return daysAgo > 0 ? `${span} ago` : `in ${span}`;
}
