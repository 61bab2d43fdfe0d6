/** `lifeline serve`: where it listens, its limits and its signing threads. */
import { z } from 'zod';
import { integer, noWhitespace, SIGNING_THREADS_RULE, spec, type ValuesOf } from './fields.js';

export interface HttpConfig {
  http: { host: string; port: number };
  /**
   * Issue/resend calls per hour per authenticated user and per customer email (counted in the
   * database); each only when its variable is set — the HTTP server applies its defaults (60, 5).
   */
  rateLimit?: { perUser?: number; perCustomer?: number };
  /** Threads each `serve` process writes licenses on (0: on the event loop); 'auto' when unset. */
  signingThreads: number | 'auto';
}

export const HTTP = {
  HOST: spec({
    group: 'http',
    default: '127.0.0.1',
    secret: false,
    description: 'Address `lifeline serve` listens on (0.0.0.0 for every interface).',
    schema: noWhitespace('a host name or IP address').default('127.0.0.1'),
  }),
  PORT: spec({
    group: 'http',
    default: '3000',
    secret: false,
    description: 'Port `lifeline serve` listens on.',
    schema: integer(1, 65535).default(3000),
  }),
  LIFELINE_RATE_LIMIT_PER_USER: spec({
    group: 'http',
    default: '60',
    secret: false,
    description:
      'Issue and resend calls one API user (token or Zendesk agent) may make per hour; more are answered 429. Counted in the database, shared by every process.',
    schema: integer(1, 1_000_000).optional(),
  }),
  LIFELINE_SIGNING_THREADS: spec({
    group: 'http',
    default: 'auto',
    secret: false,
    description:
      'Threads each `lifeline serve` process writes licenses on (the RSA signature, about a millisecond each), so that its event loop serves other requests meanwhile: 0 (on the event loop) to 16, or auto (the CPUs the serve processes leave free, at most 4: 1 for one process on 2 CPUs, 0 for `--processes auto`). One-shot commands always sign in place.',
    schema: z
      .string()
      .regex(/^(auto|[0-9]{1,2})$/, SIGNING_THREADS_RULE)
      .transform((v) => (v === 'auto' ? ('auto' as const) : Number(v)))
      .pipe(
        z.union([z.literal('auto'), z.number().int().max(16, SIGNING_THREADS_RULE)], {
          error: SIGNING_THREADS_RULE,
        }),
      )
      .default('auto'),
  }),
  LIFELINE_RATE_LIMIT_PER_CUSTOMER: spec({
    group: 'http',
    default: '5',
    secret: false,
    description:
      'Issue and resend calls per customer email per hour, whoever makes them; more are answered 429. Counted in the database, shared by every process.',
    schema: integer(1, 1_000_000).optional(),
  }),
};

export function httpConfig(v: ValuesOf<typeof HTTP>): HttpConfig {
  const perUser = v.LIFELINE_RATE_LIMIT_PER_USER;
  const perCustomer = v.LIFELINE_RATE_LIMIT_PER_CUSTOMER;
  return {
    http: { host: v.HOST, port: v.PORT },
    signingThreads: v.LIFELINE_SIGNING_THREADS,
    ...(perUser !== undefined || perCustomer !== undefined
      ? {
          rateLimit: {
            ...(perUser !== undefined ? { perUser } : {}),
            ...(perCustomer !== undefined ? { perCustomer } : {}),
          },
        }
      : {}),
  };
}
