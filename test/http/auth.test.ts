/** Authentication: every route refuses a missing, malformed, revoked, expired, wrongly signed or
 * alg-confused credential; the OpenAPI document is walked so that no route is forgotten. */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, revokeToken } from '../../src/adapters/store/tokens.js';
import { eligibleBody, startApi, ZENDESK_SECRET, type Api } from './helpers.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const secret = new TextEncoder().encode(ZENDESK_SECRET);
const now = () => Math.floor(Date.now() / 1000);

function zendeskJwt(claims: Record<string, unknown> = {}, key: Uint8Array = secret): Promise<string> {
  return new SignJWT({
    email: 'agent@acme.example',
    iss: 'https://acme.zendesk.com',
    sub: '12345',
    iat: now(),
    exp: now() + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(key);
}

interface Operation {
  method: 'GET' | 'POST';
  url: string;
}

async function operations(): Promise<{ secured: Operation[]; open: Operation[] }> {
  const doc = (await api.call('GET', '/api/v1/openapi.json', { token: null })).json() as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  const secured: Operation[] = [];
  const open: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const entry = {
        method: method.toUpperCase() as Operation['method'],
        url: path.replace('{id}', 'req_x'),
      };
      (Array.isArray(op.security) && op.security.length === 0 ? open : secured).push(entry);
    }
  }
  return { secured, open };
}

describe('authentication', () => {
  it('the OpenAPI document lists every operation; all but the public ones answer 401 without credentials', async () => {
    const { secured, open } = await operations();
    expect(secured.length).toBeGreaterThanOrEqual(12);
    expect(open.map((o) => `${o.method} ${o.url}`).sort()).toEqual([
      'GET /api/v1/openapi.json',
      'GET /healthz',
      'GET /readyz',
      'POST /api/v1/session',
    ]);
    for (const op of secured) {
      const res = await api.call(op.method, op.url, {
        token: null,
        ...(op.method === 'POST'
          ? { body: JSON.stringify(eligibleBody()), headers: { 'content-type': 'application/json' } }
          : {}),
      });
      expect(res.statusCode, `${op.method} ${op.url}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      expect(res.headers['x-request-id']).toBeTruthy();
    }
    for (const op of open) {
      const res = await api.call(op.method, op.url, { token: null });
      // Signing in is public; without a body it is a validation error, not a 401.
      expect(res.statusCode, `${op.method} ${op.url}`).toBe(op.method === 'POST' ? 400 : 200);
    }
  });

  it('a percent-encoded or doubled-slash path to an API route still needs credentials', async () => {
    for (const url of [
      '/%61pi/v1/emergency-licenses',
      '/api/v1/%65mergency-licenses',
      '/api//v1/emergency-licenses',
    ]) {
      const res = await api.call('GET', url, { token: null });
      expect(res.statusCode, url).toBe(401);
    }
  });

  const badCredentials: [string, () => Promise<string>][] = [
    ['a malformed header', async () => 'Basic dXNlcjpwYXNz'],
    ['an unknown API token', async () => 'Bearer llt_' + 'A'.repeat(43)],
    ['garbage', async () => 'Bearer not-a-token'],
    ['an expired JWT', async () => `Bearer ${await zendeskJwt({ exp: now() - 120 })}`],
    [
      'a JWT without exp',
      async () =>
        `Bearer ${await new SignJWT({ email: 'a@b.example' }).setProtectedHeader({ alg: 'HS256' }).sign(secret)}`,
    ],
    [
      'a JWT signed with another secret',
      async () =>
        `Bearer ${await zendeskJwt({}, new TextEncoder().encode('other-secret-0123456789-abcdefghij'))}`,
    ],
    [
      'an alg:none JWT',
      async () =>
        `Bearer ${new UnsecuredJWT({ email: 'a@b.example' }).setExpirationTime(now() + 300).encode()}`,
    ],
    [
      'an RS256 JWT (algorithm confusion)',
      async () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return `Bearer ${await new SignJWT({ email: 'a@b.example' })
          .setProtectedHeader({ alg: 'RS256' })
          .setExpirationTime(now() + 300)
          .sign(privateKey)}`;
      },
    ],
    [
      'an HS512 JWT with the right secret',
      async () =>
        `Bearer ${await new SignJWT({ email: 'a@b.example' })
          .setProtectedHeader({ alg: 'HS512' })
          .setExpirationTime(now() + 300)
          .sign(new TextEncoder().encode(ZENDESK_SECRET + ZENDESK_SECRET))}`,
    ],
  ];
  for (const [what, make] of badCredentials) {
    it(`refuses ${what} on every secured route`, async () => {
      const header = await make();
      const { secured } = await operations();
      for (const op of secured) {
        const res = await api.call(op.method, op.url, { token: null, headers: { authorization: header } });
        expect(res.statusCode, `${op.method} ${op.url}`).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHENTICATED');
      }
    });
  }

  it('accepts a valid Zendesk signed request as an engineer named by the email claim', async () => {
    const body = eligibleBody();
    const jwt = await zendeskJwt({ ticket_id: body['ticketId'] });
    const res = await api.call('POST', '/api/v1/emergency-licenses', {
      token: jwt,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().engineer).toBe('agent@acme.example');
    // an engineer: licensing-only routes are refused
    const audit = await api.call('GET', '/api/v1/audit/verify', { token: jwt });
    expect(audit.statusCode).toBe(403);
  });

  it('tolerates 30 s of clock skew on exp, not more', async () => {
    expect(
      (await api.call('GET', '/api/v1/emergency-licenses', { token: await zendeskJwt({ exp: now() - 10 }) }))
        .statusCode,
    ).toBe(200);
    expect(
      (await api.call('GET', '/api/v1/emergency-licenses', { token: await zendeskJwt({ exp: now() - 60 }) }))
        .statusCode,
    ).toBe(401);
  });

  it('refuses JWTs altogether when ZENDESK_APP_SECRET is not set', async () => {
    const other = await startApi({ ZENDESK_APP_SECRET: '' });
    try {
      const res = await other.call('GET', '/api/v1/emergency-licenses', { token: await zendeskJwt() });
      expect(res.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('a revoked token stops working at once', async () => {
    const { token, secret: s } = await createToken(api.app.store.db, { name: 'temp', role: 'engineer' });
    expect((await api.call('GET', '/api/v1/emergency-licenses', { token: s })).statusCode).toBe(200);
    expect(await revokeToken(api.app.store.db, token.id)).toBe(true);
    expect((await api.call('GET', '/api/v1/emergency-licenses', { token: s })).statusCode).toBe(401);
  });
});
