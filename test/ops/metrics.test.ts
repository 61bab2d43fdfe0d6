/**
 * GET /metrics on SQLite and PostgreSQL: the database-derived values agree with the database whichever
 * process is scraped; the HTTP histogram counts this process's requests; LIFELINE_METRICS switches it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../../src/app.js';
import { createToken } from '../../src/adapters/store/tokens.js';
import type { CalendarDate } from '../../src/core/dates.js';
import { issueEmergencyLicense } from '../../src/core/issuance/index.js';
import { createHttpServer } from '../../src/interfaces/http/server.js';
import { drain } from '../deliveries/harness.js';
import { postgresForTests, removeTempDirs } from '../integration/helpers.js';
import { opsApp, type OpsApp } from './helpers.js';
import { unwrap } from '../../src/core/outcome.js';
import { storeOf } from '../../src/app.js';

let n = 0;
async function request(h: OpsApp, today: string) {
  n++;
  return unwrap(
    await issueEmergencyLicense(
      {
        request: {
          ticketId: `m${Date.now() % 100000}${n}`,
          requesterEmail: `ops@metrics${n}.example`,
          seats: 120,
          plan: 'premium',
          expiresAt: '2026-11-14',
          previousSeats: 100,
        },
        actor: { name: 'erin', role: 'engineer' },
        today: today as CalendarDate,
      },
      h.app.ports,
      h.app.settings,
    ),
  );
}

/** The value of one series (exact name and labels as printed), or undefined. */
function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

function metricsSuite(kind: 'sqlite' | 'postgres'): void {
  describe(`/metrics on ${kind}`, () => {
    let available = true;
    let h: OpsApp;
    let server: FastifyInstance;
    let other: { close(): Promise<void>; server: FastifyInstance };

    beforeAll(async () => {
      if (kind === 'postgres') available = await postgresForTests();
      if (!available) return;
      h = await opsApp(kind);
      server = await createHttpServer(h.app);
      // A second process's view: another app on the same database.
      const app2 = await createApp(h.app.config);
      app2.ports.clock = h.app.ports.clock;
      const server2 = await createHttpServer(app2);
      other = {
        server: server2,
        close: async () => {
          await server2.close();
          await app2.close();
        },
      };
    }, 60_000);

    afterAll(async () => {
      if (!available) return;
      await other.close();
      await server.close();
      await h.close();
      removeTempDirs();
    });

    it('answers without credentials in the Prometheus text format', async (ctx) => {
      if (!available) return ctx.skip();
      const res = await server.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toContain('# TYPE lifeline_delivery_latency_seconds histogram');
      expect(res.body).toContain('# TYPE lifeline_http_request_duration_seconds histogram');
      expect(series(res.body, 'lifeline_outbox_depth')).toBe(0);
      expect(series(res.body, 'lifeline_requests{status="issued"}')).toBe(0);
    });

    it('counts issued, refused by code, the outbox and its oldest age, from the database', async (ctx) => {
      if (!available) return ctx.skip();
      h.setNow('2026-11-28T12:00:00.000Z');
      expect((await request(h, '2026-11-28')).kind).toBe('issued');
      expect((await request(h, '2026-11-28')).kind).toBe('issued');
      expect((await request(h, '2026-11-30')).kind).toBe('refused'); // a Monday: NOT_WEEKEND
      h.setNow('2026-11-28T12:02:00.000Z');
      // Scraped from the other process: the same numbers.
      const text = (await other.server.inject({ method: 'GET', url: '/metrics' })).body;
      expect(series(text, 'lifeline_requests{status="issued"}')).toBe(2);
      expect(series(text, 'lifeline_requests{status="refused"}')).toBe(1);
      expect(series(text, 'lifeline_refusals{code="NOT_WEEKEND"}')).toBe(1);
      expect(series(text, 'lifeline_licenses_issued')).toBe(2);
      expect(series(text, 'lifeline_outbox_depth')).toBe(8);
      expect(series(text, 'lifeline_outbox_oldest_age_seconds')).toBe(120);
      expect(series(text, 'lifeline_deliveries{channel="email",status="queued"}')).toBe(2);
      expect(series(text, 'lifeline_pending_approvals')).toBe(0);
    });

    it('shows deliveries by outcome and their latency once the worker has run', async (ctx) => {
      if (!available) return ctx.skip();
      await drain(h.app);
      const text = (await server.inject({ method: 'GET', url: '/metrics' })).body;
      expect(series(text, 'lifeline_outbox_depth')).toBe(0);
      expect(series(text, 'lifeline_outbox_oldest_age_seconds')).toBe(0);
      expect(series(text, 'lifeline_deliveries{channel="email",status="sent"}')).toBe(2);
      expect(series(text, 'lifeline_delivery_latency_seconds_count{channel="email"}')).toBe(2);
      expect(series(text, 'lifeline_delivery_latency_seconds_bucket{channel="email",le="+Inf"}')).toBe(2);
      // Queued at 12:00:00, sent at 12:02:00 by the pinned clock: 120 s, inside le=120, outside le=60.
      expect(series(text, 'lifeline_delivery_latency_seconds_bucket{channel="email",le="60"}')).toBe(0);
      expect(series(text, 'lifeline_delivery_latency_seconds_bucket{channel="email",le="120"}')).toBe(2);
      expect(series(text, 'lifeline_delivery_latency_seconds_sum{channel="email"}')).toBeCloseTo(240, 3);
    });

    it('counts failed deliveries and unknown-outcome emails that need a human, until replaced', async (ctx) => {
      if (!available) return ctx.skip();
      const db = storeOf(h.app).db;
      const emails = await db
        .selectFrom('deliveries')
        .select(['id', 'request_id'])
        .where('channel', '=', 'email')
        .execute();
      const trackers = await db
        .selectFrom('deliveries')
        .select('id')
        .where('channel', '=', 'tracker')
        .execute();
      await db.updateTable('deliveries').set({ status: 'unknown' }).where('id', '=', emails[0]!.id).execute();
      await db
        .updateTable('deliveries')
        .set({ status: 'failed' })
        .where('id', '=', trackers[0]!.id)
        .execute();
      let text = (await server.inject({ method: 'GET', url: '/metrics' })).body;
      expect(series(text, 'lifeline_emails_unknown_outcome')).toBe(1);
      expect(series(text, 'lifeline_deliveries_failed_unresolved{channel="tracker"}')).toBe(1);
      expect(series(text, 'lifeline_deliveries_failed_unresolved{channel="email"}')).toBe(0);
      // A resend of that license (a newer email delivery, sent) resolves the unknown one.
      await db
        .insertInto('deliveries')
        .values({
          id: 'dlv_resend_test',
          request_id: emails[0]!.request_id,
          channel: 'email',
          purpose: 'resend',
          status: 'sent',
          recipient: 'x@y.example',
          attempts: 1,
          last_error: null,
          next_attempt_at: null,
          claimed_by: null,
          claimed_until: null,
          external_ref: null,
          created_at: '2026-11-28T13:00:00.000Z',
          updated_at: '2026-11-28T13:00:01.000Z',
        })
        .execute();
      text = (await server.inject({ method: 'GET', url: '/metrics' })).body;
      expect(series(text, 'lifeline_emails_unknown_outcome')).toBe(0);
    });

    it("records this process's HTTP latency by route pattern", async (ctx) => {
      if (!available) return ctx.skip();
      await server.inject({ method: 'GET', url: '/healthz' });
      await server.inject({ method: 'GET', url: '/healthz' });
      await server.inject({ method: 'GET', url: '/api/v1/emergency-licenses/req_nope' });
      const text = (await server.inject({ method: 'GET', url: '/metrics' })).body;
      expect(
        series(
          text,
          'lifeline_http_request_duration_seconds_count{method="GET",route="/healthz",status_code="200"}',
        ),
      ).toBe(2);
      expect(text).toContain('route="/api/v1/emergency-licenses/:id",status_code="401"');
      expect(text).not.toContain('req_nope');
    });
  });
}

metricsSuite('sqlite');
metricsSuite('postgres');

describe('LIFELINE_METRICS', () => {
  afterAll(() => removeTempDirs());

  it('off: /metrics is not served', async () => {
    const h = await opsApp('sqlite', { LIFELINE_METRICS: 'off' });
    const server = await createHttpServer(h.app);
    try {
      expect((await server.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await server.close();
      await h.close();
    }
  });

  it('token: /metrics needs a live API token', async () => {
    const h = await opsApp('sqlite', { LIFELINE_METRICS: 'token' });
    const server = await createHttpServer(h.app);
    try {
      const none = await server.inject({ method: 'GET', url: '/metrics' });
      expect(none.statusCode).toBe(401);
      expect(none.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      const wrong = await server.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer llt_notatoken' },
      });
      expect(wrong.statusCode).toBe(401);
      const { secret } = await createToken(storeOf(h.app).db, { name: 'prometheus', role: 'engineer' });
      const ok = await server.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('lifeline_outbox_depth 0');
    } finally {
      await server.close();
      await h.close();
    }
  });

  it('a database failure answers 503 with the coded error, not a crash', async () => {
    const h = await opsApp('sqlite');
    const server = await createHttpServer(h.app);
    try {
      await storeOf(h.app).db.destroy();
      const res = await server.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: { code: 'INFRASTRUCTURE' } });
    } finally {
      await server.close();
      await h.close().catch(() => undefined);
    }
  });

  it('an invalid value is a configuration problem naming the variable', async () => {
    await expect(opsApp('sqlite', { LIFELINE_METRICS: 'maybe' })).rejects.toThrow(
      /LIFELINE_METRICS: must be/,
    );
  });
});
