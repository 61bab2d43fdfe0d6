/** `GET /api/v1/stats`: the console dashboard's figures (any signed-in role). */
import { z } from 'zod';
import { calendarDateIn } from '../../../core/dates.js';
import { dashboardStatsFor } from '../../../core/issuance/index.js';
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
  deliveredCount: count,
  refusalsByCode: z.record(z.string(), count),
});

export const statsRoutes: ApiRoute[] = [
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
