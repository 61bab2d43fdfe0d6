/**
 * The console dashboard's figures (PRODUCT.md §8 web console): emergency-license requests per week
 * by outcome, the median time from request to the license email being sent, and refusals by code.
 * Pure: the store gives one summary per request, the range is an input.
 */
import { addDays, parseCalendarDate, type CalendarDate } from '../dates.js';
import type { RequestStatus, RequestSummary } from '../ports.js';
import type { IssuancePorts } from './context.js';
import { fail, type Outcome, useCase } from '../outcome.js';

export const STATUSES: readonly RequestStatus[] = [
  'issued',
  'pending_approval',
  'refused',
  'failed',
  'voided',
  'rejected',
];

export type WeekRow = { week: CalendarDate } & Record<RequestStatus, number>;

export interface DashboardStats {
  from: CalendarDate;
  to: CalendarDate;
  weeks: WeekRow[];
  /** Kept for older clients: the same median in minutes (2 decimals). */
  medianMinutesToDelivery: number | null;
  /** From the request to its license email being sent, in seconds (1 decimal). */
  medianSecondsToDelivery: number | null;
  deliveredCount: number;
  refusalsByCode: Record<string, number>;
}

/** Most weeks a dashboard may ask for at once (a little over a year). */
export const MAX_STATS_DAYS = 7 * 60;

/** The Monday (UTC) of the week holding `date`. */
export function weekOf(date: CalendarDate): CalendarDate {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return addDays(date, -((day + 6) % 7));
}

/** Checks a range given as calendar dates; `to` defaults to today, `from` to 12 weeks earlier. */
export function statsRange(
  input: { from?: string | undefined; to?: string | undefined },
  today: CalendarDate,
): { from: CalendarDate; to: CalendarDate } {
  const to = input.to === undefined ? today : parseCalendarDate(input.to);
  if (!to) fail('VALIDATION_FAILED', 'to: must be a real date as YYYY-MM-DD', { field: 'to' });
  const from = input.from === undefined ? addDays(weekOf(to), -7 * 11) : parseCalendarDate(input.from);
  if (!from)
    fail('VALIDATION_FAILED', 'from: must be a real date as YYYY-MM-DD', {
      field: 'from',
    });
  if (from > to) fail('VALIDATION_FAILED', 'from: must not be after to', { field: 'from' });
  if (addDays(from, MAX_STATS_DAYS) < to)
    fail('VALIDATION_FAILED', `from: the range may span at most ${MAX_STATS_DAYS} days`, {
      field: 'from',
    });
  return { from, to };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const emptyWeek = (week: CalendarDate): WeekRow =>
  ({ week, ...Object.fromEntries(STATUSES.map((s) => [s, 0])) }) as WeekRow;

/** The figures for requests created from `from` to `to` (inclusive, UTC dates). */
export function dashboardStats(
  summaries: readonly RequestSummary[],
  range: { from: CalendarDate; to: CalendarDate },
): DashboardStats {
  const weeks = new Map<CalendarDate, WeekRow>();
  for (let w = weekOf(range.from); w <= range.to; w = addDays(w, 7)) weeks.set(w, emptyWeek(w));
  const seconds: number[] = [];
  const refusals: Record<string, number> = {};
  for (const s of summaries) {
    const day = s.createdAt.slice(0, 10) as CalendarDate;
    if (day < range.from || day > range.to) continue;
    const row = weeks.get(weekOf(day));
    if (row) row[s.status] += 1;
    if (s.status === 'refused') for (const code of s.refusalCodes) refusals[code] = (refusals[code] ?? 0) + 1;
    if (s.emailSentAt) {
      const ms = Date.parse(s.emailSentAt) - Date.parse(s.createdAt);
      if (Number.isFinite(ms) && ms >= 0) seconds.push(ms / 1000);
    }
  }
  const m = median(seconds);
  return {
    from: range.from,
    to: range.to,
    weeks: [...weeks.values()],
    medianMinutesToDelivery: m === null ? null : Math.round((m / 60) * 100) / 100,
    medianSecondsToDelivery: m === null ? null : Math.round(m * 10) / 10,
    deliveredCount: seconds.length,
    refusalsByCode: Object.fromEntries(Object.entries(refusals).sort((a, b) => b[1] - a[1])),
  };
}

/** The dashboard's figures for a range of creation dates (UTC). */
export function dashboardStatsFor(
  ports: Pick<IssuancePorts, 'store'>,
  input: { from?: string | undefined; to?: string | undefined },
  today: CalendarDate,
): Outcome<DashboardStats> {
  return useCase(async () => {
    const range = statsRange(input, today);
    const summaries = await ports.store.requestSummaries({
      createdFrom: `${range.from}T00:00:00.000Z`,
      createdTo: `${range.to}T23:59:59.999Z`,
    });
    return dashboardStats(summaries, range);
  });
}
