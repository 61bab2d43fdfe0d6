/**
 * `GET /api/v1/stats`: the console dashboard's figures, and `GET /api/v1/status`: what needs
 * attention now (any signed-in role).
 */
import { z } from 'zod';
import { calendarDateIn } from '../../../core/dates.js';
import { dashboardStatsFor } from '../../../core/issuance/index.js';
import { statusReport } from '../../../core/operations/status.js';
import { parse, type ApiRoute } from '../route.js';
import { ErrorBody } from '../schemas.js';
import { unwrap } from '../../../core/outcome.js';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .optional();
const StatsQuery = z.object({ from: date, to: date }).strict();
const count = z.number().int();
const StatsBody = z.object({
  from: z.string(),
  to: z.string(),
  weeks: z.array(
    z.object({
      week: z.string(),
      issued: count,
      pending_approval: count,
      refused: count,
      failed: count,
      voided: count,
      rejected: count,
    }),
  ),
  medianMinutesToDelivery: z.number().nullable(),
  medianSecondsToDelivery: z.number().nullable(),
  deliveredCount: count,
  refusalsByCode: z.record(z.string(), count),
});

/** What needs attention now (as `lifeline status` says it), for the dashboard. */
const StatusBody = z.object({
  at: z.string(),
  failedDeliveries: count,
  failedByChannel: z.array(z.object({ channel: z.string(), count })),
  unknownEmails: count,
  pendingApprovals: count,
  outbox: z.object({ depth: count, oldestAgeSeconds: z.number().nullable() }),
  /** What needs a human, in words (empty when nothing does). */
  attention: z.array(z.string()),
  today: z.object({ date: z.string(), timeZone: z.string(), issued: count, refused: count }),
});

export const statsRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/status',
    summary:
      'What needs attention now: deliveries needing a human, unknown-outcome emails, pending approvals, the outbox and its oldest age (as lifeline status)',
    responses: { 200: { description: 'the counts', schema: StatusBody } },
    async handler(ctx) {
      const report = await statusReport(ctx.app.ports, ctx.app.settings);
      return {
        at: report.at,
        failedDeliveries: report.failedTotal,
        failedByChannel: report.stats.failedNeedingHuman,
        unknownEmails: report.stats.unknownEmails,
        pendingApprovals: report.stats.pendingApprovals,
        outbox: {
          depth: report.stats.outbox.depth,
          oldestAgeSeconds: report.stats.outbox.oldestAgeSeconds,
        },
        attention: report.attention,
        today: report.today,
      };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/stats',
    summary: 'Dashboard figures: requests per week by outcome, median time to delivery, refusals by code',
    query: StatsQuery,
    responses: {
      200: { description: 'the figures (weeks start on Monday, UTC)', schema: StatsBody },
      400: { description: 'invalid range', schema: ErrorBody },
    },
    async handler(ctx) {
      const q = parse(StatsQuery, ctx.query, 'query');
      const today = calendarDateIn(ctx.app.ports.clock.now(), 'UTC');
      return unwrap(await dashboardStatsFor(ctx.app.ports, q, today));
    },
  },
];
