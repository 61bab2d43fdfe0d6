/** Operations: metrics and retention. */
import { z } from 'zod';
import { parseRetentionDays } from '../core/retention.js';
import { choice, spec, type ValuesOf } from './fields.js';

export interface OperationsConfig {
  /** GET /metrics only with an API token, or not served; unset: open to anyone who reaches the server. */
  metrics?: 'token' | 'off';
  /** Days customers' personal data is kept (`lifeline purge` without --older-than); undefined: kept. */
  retentionDays?: number;
}

export const OPERATIONS = {
  LIFELINE_METRICS: spec({
    group: 'operations',
    default: 'public',
    secret: false,
    description:
      'Prometheus metrics at GET /metrics: public (no credentials; restrict it at the network), token (any live API token as Authorization: Bearer llt_…) or off (404).',
    schema: choice(['public', 'token', 'off']).default('public'),
  }),
  LIFELINE_RETENTION_DAYS: spec({
    group: 'operations',
    default: null,
    secret: false,
    description:
      'How long customers’ personal data (emails, names, license texts, previous-license evidence) is kept: days (90), weeks (12w) or years (1y); at least LIFELINE_REPEAT_WINDOW_DAYS. `lifeline purge` redacts older requests (run it daily); unset: kept until purged by hand.',
    schema: z
      .string()
      .transform((value, ctx) => {
        const days = parseRetentionDays(value);
        if (days === null) {
          ctx.addIssue('must be a number of days (90), weeks (12w) or years (1y), from 1 day to 100 years');
          return z.NEVER;
        }
        return days;
      })
      .optional(),
  }),
};

export function operationsConfig(v: ValuesOf<typeof OPERATIONS>): OperationsConfig {
  return {
    ...(v.LIFELINE_METRICS !== 'public' ? { metrics: v.LIFELINE_METRICS } : {}),
    ...(v.LIFELINE_RETENTION_DAYS !== undefined ? { retentionDays: v.LIFELINE_RETENTION_DAYS } : {}),
  };
}
