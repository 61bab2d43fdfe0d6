/** Authentication: every route refuses a missing, malformed, revoked, expired, wrongly signed or
 * alg-confused credential; the OpenAPI document is walked so that no route is forgotten. */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, revokeToken } from '../../src/adapters/store/tokens.js';
import { authenticate } from '../../src/interfaces/http/auth.js';
import { eligibleBody, startApi, ZENDESK_SECRET, type Api } from './helpers.js';
import { storeOf } from '../../src/app.js';

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
    ticket_id: '1001',
    iat: now(),
    exp: now() + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(key);
}

/**
 * An HS256 JWT over a payload written by hand, so that it may hold what JSON.stringify cannot
 * write (`1e400`, which every JSON reader turns into Infinity).
 */
function rawJwt(payloadJson: string): string {
  const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(payloadJson).toString('base64url');
  const signature = createHmac('sha256', ZENDESK_SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

interface Operation {
  method: 'GET' | 'POST' | 'DELETE';
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
      'GET /api/v1/session/methods',
      'GET /auth/oidc/callback',
      'GET /auth/oidc/login',
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
      // Signing in is public; without a body it is a validation error, not a 401. The identity
      // provider's routes redirect (here to the login page: none is configured).
      const expected = op.method === 'POST' ? 400 : op.url.startsWith('/auth/') ? 303 : 200;
      expect(res.statusCode, `${op.method} ${op.url}`).toBe(expected);
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
      'a JWT whose exp is 1e400 (Infinity)',
      async () => `Bearer ${rawJwt(`{"email":"a@b.example","ticket_id":"1001","iat":${now()},"exp":1e400}`)}`,
    ],
    [
      'a JWT expiring in ten years',
      async () => `Bearer ${await zendeskJwt({ exp: now() + 10 * 365 * 86_400 })}`,
    ],
    ['a JWT without a ticket claim', async () => `Bearer ${await zendeskJwt({ ticket_id: undefined })}`],
    [
      'a JWT whose email claim carries GitLab quick actions',
      async () => `Bearer ${await zendeskJwt({ email: 'agent@acme.example\n/move other/project' })}`,
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
    const { token, secret: s } = await createToken(storeOf(api.app).db, { name: 'temp', role: 'engineer' });
    expect((await api.call('GET', '/api/v1/emergency-licenses', { token: s })).statusCode).toBe(200);
    expect(await revokeToken(storeOf(api.app).db, token.id)).toBe(true);
    expect((await api.call('GET', '/api/v1/emergency-licenses', { token: s })).statusCode).toBe(401);
  });
});

describe('Zendesk signed requests (PRODUCT.md §12)', () => {
  /** The answer to a list call with this JWT: its status and, for a 401, the error message. */
  async function answer(jwt: string): Promise<{ status: number; message: string | null }> {
    const res = await api.call('GET', '/api/v1/emergency-licenses?limit=1', { token: jwt });
    return {
      status: res.statusCode,
      message: res.statusCode === 200 ? null : (res.json() as { error: { message: string } }).error.message,
    };
  }

  it('expire at most an hour ahead (+30 s): a later, infinite or non-numeric exp is refused', async () => {
    expect((await answer(await zendeskJwt({ exp: now() + 3600 }))).status).toBe(200);
    expect((await answer(await zendeskJwt({ exp: now() + 3600 + 20 }))).status).toBe(200);
    for (const exp of ['1e400', String(now() + 3600 + 90), String(now() + 10 * 365 * 86_400)]) {
      const refused = await answer(rawJwt(`{"email":"a@b.example","ticket_id":"7","exp":${exp}}`));
      expect(refused, exp).toEqual({ status: 401, message: expect.stringMatching(/exp|expir/) });
    }
    for (const exp of ['"9999999999"', 'null', 'true', '[1]']) {
      const refused = await answer(rawJwt(`{"email":"a@b.example","ticket_id":"7","exp":${exp}}`));
      expect(refused.status, exp).toBe(401);
    }
  });

  it('refuse an iat in the future beyond the 30 s tolerance', async () => {
    expect((await answer(await zendeskJwt({ iat: now() + 10 }))).status).toBe(200);
    expect(await answer(await zendeskJwt({ iat: now() + 120 }))).toEqual({
      status: 401,
      message: expect.stringMatching(/iat/),
    });
    expect(
      (await answer(rawJwt(`{"email":"a@b.example","ticket_id":"7","iat":1e400,"exp":${now() + 60}}`)))
        .status,
    ).toBe(401);
  });

  it('need a ticket claim that rule 1 accepts as a ticket id, named in a sentence when refused', async () => {
    const refused: [string, Record<string, unknown>][] = [
      ['none', { ticket_id: undefined }],
      ['blank', { ticket_id: '   ' }],
      ['over 64 characters', { ticket_id: '1'.repeat(65) }],
      ['a space', { ticket_id: '10 01' }],
      ['a newline', { ticket_id: '1001\n/close' }],
      ['zero', { ticket_id: 0 }],
      ['negative', { ticket_id: -4 }],
      ['a fraction', { ticket_id: 1.5 }],
      ['an object', { ticket_id: { id: 1001 } }],
      ['a bad context ticket', { ticket_id: undefined, context: { ticket: { id: '' } } }],
    ];
    for (const [what, claims] of refused) {
      const res = await answer(await zendeskJwt(claims));
      expect(res.status, what).toBe(401);
      expect(res.message, what).toMatch(/^the signed request's (ticket_id|context\.ticket\.id) claim .+/);
    }
    for (const [claims, ticketId] of [
      [{ ticket_id: 'ZD-1001.a_b' }, 'ZD-1001.a_b'],
      [{ ticket_id: 1001 }, '1001'],
      [{ ticket_id: ' 42 ' }, '42'],
      [{ ticket_id: undefined, context: { ticket: { id: 77 } } }, '77'],
    ] as const) {
      const { actor } = await authenticate(api.app, `Bearer ${await zendeskJwt(claims)}`);
      expect(actor.origin?.ticketId, JSON.stringify(claims)).toBe(ticketId);
    }
  });

  it('validate every claim used as rule 1 validates the engineer: an email claim with quick actions never gets in', async () => {
    const refused: [string, Record<string, unknown>][] = [
      ['email with a newline', { email: 'agent@acme.example\n/move other/project\n/unlabel ~x' }],
      ['email that is no address', { email: 'agent at acme' }],
      ['email over 100 characters', { email: `${'a'.repeat(60)}@${'b'.repeat(40)}.example` }],
      ['name with a newline', { name: 'Agent\n/close' }],
      ['name with a bidi override', { name: 'Agent \u202eevil' }],
      ['name over 100 characters', { name: 'N'.repeat(101) }],
      ['sub with a control character', { email: undefined, sub: 'agent\u0007' }],
      ['context email with a newline', { email: undefined, context: { user: { email: 'a@b.example\n/x' } } }],
    ];
    for (const [what, claims] of refused) {
      const res = await answer(await zendeskJwt(claims));
      expect(res.status, what).toBe(401);
      expect(res.message, what).toMatch(/^the signed request's (email|name|sub|context\.user\.email) claim /);
    }
    const { actor } = await authenticate(
      api.app,
      `Bearer ${await zendeskJwt({ email: ' Agent@ACME.example ', name: 'Ágnes Agent', ticket_id: '55' })}`,
    );
    expect(actor).toEqual({
      name: 'agent@acme.example',
      role: 'engineer',
      via: 'sidebar',
      origin: { via: 'zendesk', ticketId: '55', agentEmail: 'agent@acme.example', agentName: 'Ágnes Agent' },
    });
    // Without an email claim, a valid sub names the engineer.
    const bySub = await authenticate(api.app, `Bearer ${await zendeskJwt({ email: undefined, sub: 4242 })}`);
    expect(bySub.actor.name).toBe('4242');
    expect(bySub.actor.origin).toMatchObject({ ticketId: '1001', agentEmail: null });
  });
});
