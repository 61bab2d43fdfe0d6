/** 10,000 malformed requests: only 4xx with a code, never a 5xx, nothing written, still healthy. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './helpers.js';
import { storeOf } from '../../src/app.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const ROUTES = [
  '/api/v1/eligibility',
  '/api/v1/emergency-licenses',
  '/api/v1/emergency-licenses/req_x/resend',
  '/api/v1/emergency-licenses/req_x/void',
  '/api/v1/emergency-licenses/req_x/approve',
  '/api/v1/licenses/decode',
  '/api/v1/session',
];
const FIELDS = [
  'ticketId',
  'requesterEmail',
  'seats',
  'plan',
  'expiresAt',
  'previousSeats',
  'today',
  'text',
  'to',
  'reason',
  'token',
];

const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 40 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.constant('x'.repeat(5000)),
);
const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), wrongValue, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('{', '[]', 'null', '"str"', '{"a":', '\u0000', ''),
  fc.json({ maxDepth: 3 }),
);
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  undefined,
);

async function rows(): Promise<number> {
  let total = 0;
  for (const table of ['audit_log', 'requests', 'web_sessions'] as const) {
    const r = await storeOf(api.app)
      .db.selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    total += Number(r.n);
  }
  return total;
}

describe('fuzz', () => {
  it('10,000 malformed requests get coded 4xx answers and write nothing', async () => {
    const before = await rows();
    const samples = fc.sample(fc.tuple(fc.constantFrom(...ROUTES), body, contentType), {
      numRuns: 10_000,
      seed: 42,
    });
    for (const [url, payload, type] of samples) {
      const res = await api.server.inject({
        method: 'POST',
        url,
        payload,
        headers: {
          authorization: `Bearer ${api.tokens.engineer}`,
          ...(type ? { 'content-type': type } : {}),
        },
      });
      // A decode of random text is a valid 200 answer (valid: false); the rest must be coded 4xx.
      if (res.statusCode === 200 && url.endsWith('/decode')) continue;
      expect(
        res.statusCode,
        `${url} ${payload.slice(0, 80)} → ${res.body.slice(0, 200)}`,
      ).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${url} ${payload.slice(0, 80)} → ${res.body.slice(0, 200)}`).toBeLessThan(500);
      expect(typeof (res.json() as { error: { code: string } }).error.code).toBe('string');
    }
    expect(await rows()).toBe(before);
    expect((await api.server.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  }, 120_000);

  it('2,000 random query strings on the list and stats routes: 200 or a coded 4xx, never a 5xx', async () => {
    const key = fc.constantFrom(
      'email',
      'ticket',
      'engineer',
      'status',
      'from',
      'to',
      'before',
      'limit',
      'x',
    );
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('2026-11-28', '2026-02-30', '-1', '0', '99999', '%', '%ZZ', 'x'.repeat(3000)),
    );
    const samples = fc.sample(
      fc.tuple(
        fc.constantFrom('/api/v1/emergency-licenses', '/api/v1/stats'),
        fc.array(fc.tuple(key, value), { maxLength: 4 }),
      ),
      { numRuns: 2000, seed: 7 },
    );
    for (const [path, pairs] of samples) {
      const query = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      const res = await api.server.inject({
        method: 'GET',
        url: `${path}?${query}`,
        headers: { authorization: `Bearer ${api.tokens.engineer}` },
      });
      expect(res.statusCode, `${path}?${query.slice(0, 120)} → ${res.body.slice(0, 200)}`).toBeLessThan(500);
      if (res.statusCode !== 200) expect(typeof res.json().error.code).toBe('string');
    }
  }, 120_000);
});
