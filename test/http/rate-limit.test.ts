/**
 * Rate limits on issue and resend: per authenticated user and per customer email, over a fixed
 * one-hour window on the app's clock (pinned here); the N+1th call is 429 with Retry-After.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { openPostgresStore } from '../../src/adapters/store/postgres/open.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/open.js';
import { StoreRateLimits } from '../../src/adapters/store/rate-limits.js';
import { createToken } from '../../src/adapters/store/tokens.js';
import { createHttpServer } from '../../src/interfaces/http/server.js';
import { dropSchema, POSTGRES_URL, postgresProblem, uniqueSchemaName } from '../helpers/postgres.js';
import { eligibleBody, startApi, ZENDESK_SECRET, type Api } from './helpers.js';
import { storeOf } from '../../src/app.js';

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

    const other = (await createToken(storeOf(t.api.app).db, { name: 'other-engineer', role: 'engineer' }))
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
    // A repeat for a ticket that already has its license (200 existing) writes nothing: it does not count.
    const first = eligibleBody({ requesterEmail: email });
    expect((await t.issue(first)).statusCode).toBe(201);
    expect((await t.issue(first, t.api.tokens.licensing)).statusCode).toBe(200);
    // A valid call that the rules refuse counts (rule 9: the same customer).
    const second = await t.issue(eligibleBody({ requesterEmail: 'OPS@BigBank.example' }), t.api.tokens.admin);
    expect(second.statusCode).toBe(422);
    const third = await t.issue(eligibleBody({ requesterEmail: email }), t.api.tokens.admin);
    expectLimited(third);
    expect((await t.issue(eligibleBody())).statusCode).toBe(201);

    // Nothing was stored for the refused call.
    const stored = await storeOf(t.api.app)
      .db.selectFrom('requests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(3);

    t.clock.at += HOUR;
    // The limit no longer applies; the rules still do (this customer had a license an hour ago).
    const later = await t.issue(eligibleBody({ requesterEmail: email }));
    expect(later.statusCode).toBe(422);
    expect((later.json() as { error: { code: string } }).error.code).toBe('RECENT_EMERGENCY_LICENSE');
  });

  it('a signed request counts against its ticket claim: varying the agent claims does not escape the limit', async () => {
    const t = await limitedApi(2, 1000);
    const at = Math.floor(t.clock.at / 1000);
    const signed = (ticketId: unknown, email: string, name: string) =>
      new SignJWT({ ticket_id: ticketId, email, name, iat: at, exp: at + 3600 })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(ZENDESK_SECRET));
    const body = eligibleBody();
    const ticket = body['ticketId'];
    expect((await t.issue(body, await signed(ticket, 'one@acme.example', 'One'))).statusCode).toBe(201);
    const record = (await storeOf(t.api.app).findRequests({ limit: 5 }))[0];
    expect(
      (await t.resend(record?.id ?? '', await signed(ticket, 'two@acme.example', 'Two'))).statusCode,
    ).toBe(200);
    // A third agent (as the sidebar's code could claim any): the ticket's window is used up.
    expectLimited(await t.resend(record?.id ?? '', await signed(ticket, 'three@acme.example', 'Three')));
    // Another ticket has a window of its own, whoever claims to call; so has an API token.
    const other = eligibleBody();
    expect(
      (await t.issue(other, await signed(other['ticketId'], 'three@acme.example', 'Three'))).statusCode,
    ).toBe(201);
    expect((await t.issue(eligibleBody())).statusCode).toBe(201);
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

  it('per user: issue and resend share the user’s budget; unknown ids do not count', async () => {
    const t = await limitedApi(3, 1000);
    const created = await t.issue(eligibleBody());
    const id = (created.json() as { id: string }).id;
    expect((await t.resend(id)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await t.resend('no-such-request')).statusCode).toBe(404);
    expect((await t.resend(id)).statusCode).toBe(200);
    expectLimited(await t.resend(id));
    expect((await t.resend(id, t.api.tokens.licensing)).statusCode).toBe(200);
  });

  it('refused calls do not use up the customer’s budget: four 403 resends, then licensing’s resend works', async () => {
    const t = await limitedApi(1000, 2);
    const created = await t.issue(eligibleBody({ requesterEmail: 'ops@budget.example' }));
    const id = (created.json() as { id: string }).id;
    const elsewhere = (token: string) =>
      t.api.call('POST', `/api/v1/emergency-licenses/${id}/resend`, {
        body: JSON.stringify({ to: 'cto@budget.example' }),
        headers: JSON_TYPE,
        token,
      });
    for (let i = 0; i < 4; i++) expect((await elsewhere(t.api.tokens.engineer)).statusCode).toBe(403);
    const bad = await t.api.call('POST', `/api/v1/emergency-licenses/${id}/resend`, {
      body: JSON.stringify({ to: 'not-an-email' }),
      headers: JSON_TYPE,
      token: t.api.tokens.licensing,
    });
    expect(bad.statusCode).toBe(422);
    expect((await elsewhere(t.api.tokens.licensing)).statusCode).toBe(200);
    expectLimited(await elsewhere(t.api.tokens.licensing));
  });
});

const sqlitePath = join(mkdtempSync(join(tmpdir(), 'lifeline-rl-')), 'rl.db');
async function openSqlite(): Promise<KyselyStore> {
  const store = openSqliteStore(sqlitePath);
  await store.migrate();
  return store;
}

const pgSchema = uniqueSchemaName();
async function openPg(): Promise<KyselyStore> {
  const store = openPostgresStore({ url: POSTGRES_URL, schema: pgSchema });
  await store.migrate();
  return store;
}
afterAll(async () => {
  if (!postgresProblem) await dropSchema(pgSchema);
});

for (const [name, open, skip] of [
  ['SQLite', openSqlite, null],
  ['PostgreSQL', openPg, postgresProblem],
] as const) {
  describe.skipIf(skip !== null)(`the limiter in the database (${name})`, () => {
    let store: KyselyStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    const erin = () => ({ name: `erin-${Math.random()}`, role: 'engineer' });

    it('is a fixed window per key', async () => {
      const limits = new StoreRateLimits(store, { perUser: 2, perCustomer: 100 }, 1000);
      const a = erin();
      const b = erin();
      expect((await limits.take(a, null, 0)).allowed).toBe(true);
      expect((await limits.take(a, null, 100)).allowed).toBe(true);
      expect(await limits.take(a, null, 400)).toEqual({ allowed: false, retryAfterSeconds: 1 });
      expect(await limits.take(a, null, 500)).toEqual({ allowed: false, retryAfterSeconds: 1 });
      expect((await limits.take(b, null, 400)).allowed).toBe(true);
      expect((await limits.take(a, null, 1000)).allowed).toBe(true);
      expect((await limits.take(a, null, 1100)).allowed).toBe(true);
      expect((await limits.take(a, null, 1200)).allowed).toBe(false);
    });

    it('a call refused by one limit uses up nothing of the other', async () => {
      const limits = new StoreRateLimits(store, { perUser: 1, perCustomer: 5 });
      const e = erin();
      const b = `b-${Math.random()}@x.example`;
      expect((await limits.take(e, `a-${Math.random()}@x.example`, 0)).allowed).toBe(true);
      for (let i = 0; i < 10; i++) expect((await limits.take(e, b, 0)).allowed).toBe(false);
      const sams = Array.from({ length: 6 }, erin);
      for (const sam of sams.slice(0, 5))
        expect((await limits.take(sam, b.toUpperCase(), 0)).allowed).toBe(true);
      // The customer is now at its limit: a sixth user is refused, and keeps its own call.
      const last = sams[5]!;
      expect((await limits.take(last, b, 0)).allowed).toBe(false);
      expect((await limits.take(last, null, 0)).allowed).toBe(true);
    });

    it('counts exactly under concurrent calls from two limiters (two processes) on one database', async () => {
      const other = await open();
      try {
        const one = new StoreRateLimits(store, { perUser: 1000, perCustomer: 7 });
        const two = new StoreRateLimits(other, { perUser: 1000, perCustomer: 7 });
        const customer = `busy-${Math.random()}@x.example`;
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).take(erin(), customer, 5)),
        );
        expect(results.filter((r) => r.allowed)).toHaveLength(7);
      } finally {
        await other.close();
      }
    });

    it('forgets ended windows when swept', async () => {
      const limits = new StoreRateLimits(store, { perUser: 1 }, 1000);
      const e = erin();
      await limits.take(e, null, 0);
      await limits.sweep(5000);
      const left = await store.db
        .selectFrom('rate_windows')
        .select('key')
        .where('key', 'like', `%${e.name}%`)
        .execute();
      expect(left).toEqual([]);
    });

    it('defaults to 60 per user and 5 per customer per hour', () => {
      const limits = new StoreRateLimits(store);
      expect(limits.perUser).toBe(60);
      expect(limits.perCustomer).toBe(5);
      expect(limits.windowMs).toBe(HOUR);
    });
  });
}

describe('two API servers on one database', () => {
  it('share the per-customer limit', async () => {
    const first = await startApi({
      LIFELINE_RATE_LIMIT_PER_USER: '1000',
      LIFELINE_RATE_LIMIT_PER_CUSTOMER: '2',
    });
    api = first;
    const second = await createApp(first.app.config);
    const server = await createHttpServer(second);
    try {
      const { secret } = await createToken(storeOf(second).db, { name: 'other', role: 'engineer' });
      const customer = 'shared@limits.example';
      const call = (target: 'first' | 'second') =>
        (target === 'first' ? first.server : server).inject({
          method: 'POST',
          url: '/api/v1/emergency-licenses',
          headers: {
            ...JSON_TYPE,
            authorization: `Bearer ${target === 'first' ? first.tokens.engineer : secret}`,
          },
          payload: JSON.stringify(eligibleBody({ requesterEmail: customer })),
        });
      expect((await call('first')).statusCode).not.toBe(429);
      expect((await call('second')).statusCode).not.toBe(429);
      expectLimited(await call('first'));
      expectLimited(await call('second'));
    } finally {
      await server.close();
      await second.close();
    }
  });
});
