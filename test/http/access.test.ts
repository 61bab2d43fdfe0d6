/**
 * Admins manage tokens and sessions over the API (issue 20 item 6): GET/POST /api/v1/tokens,
 * DELETE /api/v1/tokens/{id}, GET /api/v1/sessions, DELETE /api/v1/sessions/{id}. Admin only (other
 * roles 403), the CSRF token on every change made with a session cookie, 404 for what does not
 * exist, and a token's secret in the creating answer only.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './helpers.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

type Method = 'GET' | 'POST' | 'DELETE';

function call(
  method: Method,
  url: string,
  who: { token?: string | null; cookie?: string; csrf?: string } = {},
  body?: unknown,
): Promise<LightMyRequestResponse> {
  const token = who.token === undefined ? api.tokens.admin : who.token;
  return api.server.inject({
    method,
    url,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(who.cookie ? { cookie: who.cookie } : {}),
      ...(who.csrf ? { 'x-csrf-token': who.csrf } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
}

/** A console session made with `token`: its cookie header and CSRF token. */
async function consoleSession(token: string): Promise<{ cookie: string; csrf: string; token: null }> {
  const res = await call('POST', '/api/v1/session', { token: null }, { token });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'lifeline_session');
  return { cookie: `lifeline_session=${cookie?.value ?? ''}`, csrf: res.json().csrfToken, token: null };
}

describe('API tokens (admin)', () => {
  it('lists every token with its role and first characters, never a secret', async () => {
    const res = await call('GET', '/api/v1/tokens');
    expect(res.statusCode).toBe(200);
    const { tokens } = res.json() as { tokens: Record<string, unknown>[] };
    expect(tokens.map((t) => [t.name, t.role, t.revokedAt])).toEqual(
      expect.arrayContaining([
        ['engineer-bot', 'engineer', null],
        ['licensing-bot', 'licensing', null],
        ['admin-bot', 'admin', null],
      ]),
    );
    for (const t of tokens) {
      expect(Object.keys(t).sort()).toEqual(['createdAt', 'id', 'name', 'prefix', 'revokedAt', 'role']);
      expect(t.prefix).toMatch(/^llt_[A-Za-z0-9_-]{6}$/);
    }
    for (const secret of Object.values(api.tokens)) expect(res.body).not.toContain(secret);
  });

  it('creates a token whose secret is answered once and works at once', async () => {
    const res = await call('POST', '/api/v1/tokens', {}, { name: 'ci-bot', role: 'licensing' });
    expect(res.statusCode).toBe(201);
    const { token, secret } = res.json() as { token: { id: string; role: string }; secret: string };
    expect(secret).toMatch(/^llt_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({
      name: 'ci-bot',
      role: 'licensing',
      revokedAt: null,
      prefix: secret.slice(0, 10),
    });
    const me = await call('GET', '/api/v1/session', { token: secret });
    expect(me.json().user).toEqual({ name: 'ci-bot', role: 'licensing' });
    // Never listed again.
    const list = await call('GET', '/api/v1/tokens');
    expect(list.body).toContain(token.id);
    expect(list.body).not.toContain(secret);
  });

  it.each([
    [{ name: 'x', role: 'owner' }, 400, 'VALIDATION_FAILED', 'role'],
    [{ role: 'engineer' }, 400, 'VALIDATION_FAILED', 'name'],
    [{ name: 'x', role: 'engineer', admin: true }, 400, 'VALIDATION_FAILED', 'admin'],
    [{ name: '', role: 'engineer' }, 422, 'INPUT_INVALID', 'name'],
    [{ name: 'tab\there', role: 'engineer' }, 422, 'INPUT_INVALID', 'name'],
    [{ name: 'n'.repeat(101), role: 'engineer' }, 422, 'INPUT_INVALID', 'name'],
  ])('refuses %j (%i %s naming the field %s), and creates nothing', async (body, status, code, field) => {
    const before = (await call('GET', '/api/v1/tokens')).json().tokens.length;
    const res = await call('POST', '/api/v1/tokens', {}, body);
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toMatchObject({ code, field });
    expect((await call('GET', '/api/v1/tokens')).json().tokens.length).toBe(before);
  });

  it('revokes a token: it stops working, and revoking again or an unknown id is 404', async () => {
    const { token, secret } = (
      await call('POST', '/api/v1/tokens', {}, { name: 'short-lived', role: 'engineer' })
    ).json();
    const res = await call('DELETE', `/api/v1/tokens/${token.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: token.id, revoked: true });
    expect((await call('GET', '/api/v1/session', { token: secret })).statusCode).toBe(401);
    const listed = (await call('GET', '/api/v1/tokens'))
      .json()
      .tokens.find((t: { id: string }) => t.id === token.id);
    expect(listed.revokedAt).toEqual(expect.any(String));
    expect((await call('DELETE', `/api/v1/tokens/${token.id}`)).json().error.code).toBe('NOT_FOUND');
    expect((await call('DELETE', '/api/v1/tokens/tok_nope')).statusCode).toBe(404);
    // Too long for an id: refused in the one error envelope, naming the parameters.
    for (const length of [65, 300]) {
      const long = await call('DELETE', `/api/v1/tokens/${'x'.repeat(length)}`);
      expect(long.statusCode).toBe(400);
      expect(long.json().error).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: expect.stringMatching(/^(id|params)$/),
      });
    }
  });
});

describe('console sessions (admin)', () => {
  it('lists the live sessions and marks the caller’s own', async () => {
    const admin = await consoleSession(api.tokens.admin);
    await consoleSession(api.tokens.engineer);
    const res = await call('GET', '/api/v1/sessions', admin);
    expect(res.statusCode).toBe(200);
    const { sessions } = res.json() as { sessions: { user: { name: string }; current: boolean }[] };
    expect(sessions.filter((s) => s.current)).toEqual([
      expect.objectContaining({ user: { name: 'admin-bot', role: 'admin' }, current: true }),
    ]);
    expect(sessions.some((s) => s.user.name === 'engineer-bot' && !s.current)).toBe(true);
    // Never a cookie's secret.
    expect(res.body).not.toContain(admin.cookie.split('=')[1]);
    // With a bearer token, no session is the caller's.
    const bearer = (await call('GET', '/api/v1/sessions')).json().sessions as { current: boolean }[];
    expect(bearer.every((s) => !s.current)).toBe(true);
  });

  it('ends another person’s session at once; an unknown one is 404', async () => {
    const admin = await consoleSession(api.tokens.admin);
    const engineer = await consoleSession(api.tokens.engineer);
    const mine = (await call('GET', '/api/v1/session', engineer)).json();
    expect(mine.user.role).toBe('engineer');
    const { sessions } = (await call('GET', '/api/v1/sessions', admin)).json();
    const target = sessions.find((s: { user: { name: string } }) => s.user.name === 'engineer-bot');
    const res = await call('DELETE', `/api/v1/sessions/${target.id}`, admin);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: target.id, ended: true });
    expect((await call('GET', '/api/v1/session', engineer)).statusCode).toBe(401);
    expect((await call('DELETE', `/api/v1/sessions/${target.id}`, admin)).statusCode).toBe(404);
  });
});

describe('who may', () => {
  const ROUTES: [Method, string, unknown?][] = [
    ['GET', '/api/v1/tokens'],
    ['POST', '/api/v1/tokens', { name: 'sneaky', role: 'admin' }],
    ['DELETE', '/api/v1/tokens/tok_any'],
    ['GET', '/api/v1/sessions'],
    ['DELETE', '/api/v1/sessions/ses_any'],
  ];

  it.each(ROUTES)('%s %s: engineer and licensing get 403, nobody gets 401', async (method, url, body) => {
    for (const role of ['engineer', 'licensing'] as const) {
      const res = await call(method, url, { token: api.tokens[role] }, body);
      expect(res.statusCode, `${role}: ${res.body}`).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
    expect((await call(method, url, { token: null }, body)).statusCode).toBe(401);
  });

  it('no token is made by a refused call', async () => {
    const names = (await call('GET', '/api/v1/tokens')).json().tokens.map((t: { name: string }) => t.name);
    expect(names).not.toContain('sneaky');
  });

  it('with a session cookie, every change needs the CSRF token (a GET does not)', async () => {
    const admin = await consoleSession(api.tokens.admin);
    const noCsrf = { cookie: admin.cookie, token: null };
    expect((await call('GET', '/api/v1/tokens', noCsrf)).statusCode).toBe(200);
    for (const [method, url, body] of ROUTES.filter(([m]) => m !== 'GET')) {
      const res = await call(method, url, noCsrf, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('CSRF_FAILED');
      const wrong = await call(method, url, { ...noCsrf, csrf: 'x'.repeat(43) }, body);
      expect(wrong.json().error.code).toBe('CSRF_FAILED');
    }
    const created = await call('POST', '/api/v1/tokens', admin, { name: 'from-console', role: 'engineer' });
    expect(created.statusCode).toBe(201);
    expect((await call('DELETE', `/api/v1/tokens/${created.json().token.id}`, admin)).statusCode).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  it('documents the routes with their methods, parameters and full schemas', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json', { token: null })).json();
    const tokens = doc.paths['/api/v1/tokens'];
    expect(Object.keys(tokens).sort()).toEqual(['get', 'post']);
    expect(tokens.post.requestBody.content['application/json'].schema.properties.role.enum).toEqual([
      'engineer',
      'licensing',
      'admin',
    ]);
    expect(tokens.post.responses['201'].content['application/json'].schema.required).toEqual([
      'token',
      'secret',
    ]);
    const revoke = doc.paths['/api/v1/tokens/{id}'].delete;
    expect(revoke.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(Object.keys(revoke.responses).sort()).toEqual(['200', '401', '403', '404']);
    expect(
      doc.paths['/api/v1/sessions'].get.responses['200'].content['application/json'].schema.properties
        .sessions,
    ).toBeDefined();
    expect(doc.paths['/api/v1/sessions/{id}'].delete.operationId).toBe('deleteApiV1SessionsId');
    const methods = doc.paths['/api/v1/session/methods'].get;
    expect(methods.security).toEqual([]);
    expect(methods.responses['200'].content['application/json'].schema.properties.oidc).toBeDefined();
  });
});
