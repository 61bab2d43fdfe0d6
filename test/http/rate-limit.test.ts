/**
 * Rate limits on issue and resend: per authenticated user and per customer email, over a fixed
 * one-hour window on the app's clock (pinned here); the N+1th call is 429 with Retry-After.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/adapters/store/tokens.js';
import { FixedWindowLimiter, IssuanceRateLimits } from '../../src/interfaces/http/rate-limit.js';
import { eligibleBody, startApi, type Api } from './helpers.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const HOUR = 60 * 60 * 1000;

let api: Api | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** An API with the given limits and a clock the test moves by hand. */
async function limitedApi(perUser: number, perCustomer: number) {
  const started = await startApi({
    LIFELINE_RATE_LIMIT_PER_USER: String(perUser),
    LIFELINE_RATE_LIMIT_PER_CUSTOMER: String(perCustomer),
  });
  api = started;
  const clock = { at: Date.parse('2026-11-28T10:00:00Z') };
  started.app.ports.clock = { now: () => new Date(clock.at) };
  const issue = (body: Record<string, unknown>, token?: string) =>
    started.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(body),
      headers: JSON_TYPE,
      ...(token ? { token } : {}),
    });
  const resend = (id: string, token?: string) =>
    started.call('POST', `/api/v1/emergency-licenses/${id}/resend`, {
      body: '{}',
      headers: JSON_TYPE,
      ...(token ? { token } : {}),
    });
  return { api: started, clock, issue, resend };
}

function expectLimited(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  expect(res.statusCode).toBe(429);
  const body = res.json() as { error: { code: string; message: string; requestId: string } };
  expect(body.error.code).toBe('RATE_LIMITED');
  expect(body.error.message).toMatch(/too many/);
  expect(body.error.requestId).toBe(res.headers['x-request-id']);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(3600);
  return retryAfter;
}

describe('rate limits on POST /api/v1/emergency-licenses', () => {
  it('per user: the N+1th call is 429 with Retry-After; another user is not affected; the next window works', async () => {
    const t = await limitedApi(3, 1000);
    for (let i = 0; i < 3; i++) expect((await t.issue(eligibleBody())).statusCode).toBe(201);
    t.clock.at += 10 * 60 * 1000; // 10 minutes into the window
    expect(expectLimited(await t.issue(eligibleBody()))).toBe(50 * 60);

    const other = (await createToken(t.api.app.store.db, { name: 'other-engineer', role: 'engineer' }))
      .secret;
    expect((await t.issue(eligibleBody(), other)).statusCode).toBe(201);
    // Same name, another role: another user.
    expect((await t.issue(eligibleBody(), t.api.tokens.licensing)).statusCode).toBe(201);

    t.clock.at += 50 * 60 * 1000; // the window has ended
    expect((await t.issue(eligibleBody())).statusCode).toBe(201);
  });

  it('per customer email (case-insensitive), whoever calls; other customers are not affected', async () => {
    const t = await limitedApi(1000, 2);
    const email = 'ops@bigbank.example';
    // Every call counts, also a repeat for a ticket that already has its license (200 existing).
    const first = eligibleBody({ requesterEmail: email });
    expect((await t.issue(first)).statusCode).toBe(201);
    expect((await t.issue(first, t.api.tokens.licensing)).statusCode).toBe(200);
    const third = await t.issue(eligibleBody({ requesterEmail: 'OPS@BigBank.example' }), t.api.tokens.admin);
    expectLimited(third);
    expect((await t.issue(eligibleBody())).statusCode).toBe(201);

    // Nothing was stored for the refused call.
    const stored = await t.api.app.store.db
      .selectFrom('requests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(2);

    t.clock.at += HOUR;
    // The limit no longer applies; the rules still do (this customer had a license an hour ago).
    const later = await t.issue(eligibleBody({ requesterEmail: email }));
    expect(later.statusCode).toBe(422);
    expect((later.json() as { error: { code: string } }).error.code).toBe('RECENT_EMERGENCY_LICENSE');
  });

  it('does not count calls refused by validation', async () => {
    const t = await limitedApi(1, 1000);
    for (let i = 0; i < 5; i++) {
      const bad = await t.issue({ ticketId: 'x' });
      expect(bad.statusCode).toBe(400);
    }
    expect((await t.issue(eligibleBody())).statusCode).toBe(201);
    expectLimited(await t.issue(eligibleBody()));
  });
});

describe('rate limits on POST /api/v1/emergency-licenses/:id/resend', () => {
  it('per customer (the record’s requester) and per user, with Retry-After; the next window works', async () => {
    const t = await limitedApi(1000, 3);
    const created = await t.issue(eligibleBody({ requesterEmail: 'Admin@Resend.example' }));
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    // The issue call counted for this customer: two resends are left.
    expect((await t.resend(id)).statusCode).toBe(200);
    expect((await t.resend(id, t.api.tokens.licensing)).statusCode).toBe(200);
    expectLimited(await t.resend(id, t.api.tokens.admin));
    // Another customer's record is not affected.
    const other = await t.issue(eligibleBody());
    expect((await t.resend((other.json() as { id: string }).id)).statusCode).toBe(200);

    t.clock.at += HOUR;
    expect((await t.resend(id)).statusCode).toBe(200);
  });

  it('per user: issue and resend share the user’s budget; unknown ids count for the user', async () => {
    const t = await limitedApi(3, 1000);
    const created = await t.issue(eligibleBody());
    const id = (created.json() as { id: string }).id;
    expect((await t.resend(id)).statusCode).toBe(200);
    expect((await t.resend('no-such-request')).statusCode).toBe(404);
    expectLimited(await t.resend(id));
    expect((await t.resend(id, t.api.tokens.licensing)).statusCode).toBe(200);
  });
});

describe('the limiter', () => {
  it('is a fixed window per key', () => {
    const limiter = new FixedWindowLimiter(2, 1000);
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 100).allowed).toBe(true);
    expect(limiter.take('a', 400)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b', 400).allowed).toBe(true);
    expect(limiter.take('a', 1000).allowed).toBe(true);
  });

  it('a call refused by one limit uses up nothing of the other', () => {
    const limits = new IssuanceRateLimits({ perUser: 1, perCustomer: 5 });
    const erin = { name: 'erin', role: 'engineer' };
    expect(limits.take(erin, 'a@x.example', 0).allowed).toBe(true);
    for (let i = 0; i < 10; i++) expect(limits.take(erin, 'b@x.example', 0).allowed).toBe(false);
    const sam = { name: 'sam', role: 'engineer' };
    for (let i = 0; i < 5; i++)
      expect(limits.take({ ...sam, name: `sam${i}` }, 'b@x.example', 0).allowed).toBe(true);
    expect(limits.take(sam, 'b@x.example', 0).allowed).toBe(false);
  });

  it('defaults to 60 per user and 5 per customer per hour', () => {
    const limits = new IssuanceRateLimits();
    expect(limits.perUser.limit).toBe(60);
    expect(limits.perCustomer.limit).toBe(5);
    expect(limits.perUser.windowMs).toBe(HOUR);
  });
});
