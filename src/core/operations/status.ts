/** `lifeline status` and the dashboard's "needs attention": what a human should look at now. */
import { calendarDateIn, type CalendarDate } from '../dates.js';
import type { OperationalStats, StatsReader } from './ports.js';

export interface StatusReport {
  at: string;
  stats: OperationalStats;
  failedTotal: number;
  /** What needs a human, in words (empty when nothing does). */
  attention: string[];
  today: { date: CalendarDate; timeZone: string; issued: number; refused: number };
}

export async function statusReport(
  ports: { stats: StatsReader; clock: { now(): Date } },
  settings: { supportTimeZone: string },
): Promise<StatusReport> {
  const now = ports.clock.now();
  const stats = await ports.stats.operationalStats(now);
  const date = calendarDateIn(now, settings.supportTimeZone);
  const day = await ports.stats.dayStats(date);
  const failedTotal = stats.failedNeedingHuman.reduce((n, f) => n + f.count, 0);
  const attention: string[] = [];
  if (stats.unknownEmails > 0) attention.push('unknown-outcome email');
  if (failedTotal > 0) attention.push('failed delivery');
  if (stats.pendingApprovals > 0) attention.push('pending approval');
  return {
    at: now.toISOString(),
    stats,
    failedTotal,
    attention,
    today: { date, timeZone: settings.supportTimeZone, ...day },
  };
}
