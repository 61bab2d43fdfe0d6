/**
 * Web console sessions: sign in with an API token or a one-time link; the cookie is Secure,
 * HTTP-only and SameSite=Lax (the CSRF token guards every change); every POST made with the cookie needs the session's CSRF token;
 * signing out or revoking the token ends the session.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginLink } from '../../src/adapters/store/sessions.js';
import { createToken, revokeToken } from '../../src/adapters/store/tokens.js';
import { eligibleBody, startApi, type Api } from './helpers.js';
import { storeOf } from '../../src/app.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

function sessionCookie(res: LightMyRequestResponse) {
  const cookie = res.cookies.find((c) => c.name === 'lifeline_session');
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  return cookie;
}

async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await api.call('POST', '/api/v1/session', {
    token: null,
    body: JSON.stringify({ token }),
    headers: { 'content-type': 'application/json' },
  });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: `lifeline_session=${sessionCookie(res).value}`, csrf: res.json().csrfToken };
}

const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({
  token: null,
  headers: { cookie, ...extra },
});

async function requestCount(): Promise<number> {
  return (await storeOf(api.app).findRequests({ limit: 500 })).length;
}

describe('web console sessions', () => {
  it('signs in with an API token: a Secure, HTTP-only, SameSite=Lax cookie and a CSRF token', async () => {
    const res = await api.call('POST', '/api/v1/session', {
      token: null,
      body: JSON.stringify({ token: api.tokens.licensing }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toEqual({ name: 'licensing-bot', role: 'licensing' });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = sessionCookie(res);
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(cookie.value).not.toBe(api.tokens.licensing);
    // Neither the cookie's secret nor the API token is stored.
    const rows = await storeOf(api.app).db.selectFrom('web_sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(cookie.value);
    expect(JSON.stringify(rows)).not.toContain(body.csrfToken);

    const me = await api.call('GET', '/api/v1/session', withCookie(`lifeline_session=${cookie.value}`));
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { role: 'licensing' }, csrfToken: body.csrfToken });
  });

  it('refuses an unknown token with 401 and sets no cookie', async () => {
    const res = await api.call('POST', '/api/v1/session', {
      token: null,
      body: JSON.stringify({ token: 'llt_' + 'B'.repeat(43) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
    expect(res.cookies).toHaveLength(0);
    const empty = await api.call('POST', '/api/v1/session', {
      token: null,
      body: JSON.stringify({}),
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.field).toBe('token');
  });

  it('a POST with the cookie but without the right CSRF token is refused and writes nothing', async () => {
    const { cookie, csrf } = await signIn(api.tokens.engineer);
    const before = await requestCount();
    const attempts: Record<string, string>[] = [
      {},
      { 'x-csrf-token': 'x'.repeat(43) },
      { 'x-csrf-token': csrf.slice(1) },
    ];
    for (const headers of attempts) {
      const res = await api.call('POST', '/api/v1/emergency-licenses', {
        ...withCookie(cookie, { 'content-type': 'application/json', ...headers }),
        body: JSON.stringify(eligibleBody()),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('CSRF_FAILED');
    }
    expect(await requestCount()).toBe(before);
    // Reads need no CSRF token; with it, the POST goes through as the signed-in engineer.
    expect((await api.call('GET', '/api/v1/emergency-licenses', withCookie(cookie))).statusCode).toBe(200);
    const ok = await api.call('POST', '/api/v1/emergency-licenses', {
      ...withCookie(cookie, { 'content-type': 'application/json', 'x-csrf-token': csrf }),
      body: JSON.stringify(eligibleBody()),
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().engineer).toBe('engineer-bot');
  });

  it('a session cannot exceed its role: an engineer session may not void', async () => {
    const { cookie, csrf } = await signIn(api.tokens.engineer);
    const issued = await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody()),
      headers: { 'content-type': 'application/json' },
    });
    const res = await api.call('POST', `/api/v1/emergency-licenses/${issued.json().id}/void`, {
      ...withCookie(cookie, { 'content-type': 'application/json', 'x-csrf-token': csrf }),
      body: JSON.stringify({ reason: 'testing roles' }),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
  });

  it('signing out ends the session and clears the cookie', async () => {
    const { cookie, csrf } = await signIn(api.tokens.admin);
    const noCsrf = await api.call('POST', '/api/v1/session/logout', withCookie(cookie));
    expect(noCsrf.statusCode).toBe(403);
    const out = await api.call(
      'POST',
      '/api/v1/session/logout',
      withCookie(cookie, { 'x-csrf-token': csrf }),
    );
    expect(out.statusCode).toBe(200);
    expect(sessionCookie(out).value).toBe('');
    const after = await api.call('GET', '/api/v1/session', withCookie(cookie));
    expect(after.statusCode).toBe(401);
  });

  it('revoking the API token ends the sessions made with it', async () => {
    const { token, secret } = await createToken(storeOf(api.app).db, {
      name: 'short-lived',
      role: 'engineer',
    });
    const { cookie } = await signIn(secret);
    expect((await api.call('GET', '/api/v1/session', withCookie(cookie))).statusCode).toBe(200);
    await revokeToken(storeOf(api.app).db, token.id);
    expect((await api.call('GET', '/api/v1/session', withCookie(cookie))).statusCode).toBe(401);
  });

  it('a garbage or forged cookie is 401, not 500', async () => {
    for (const value of ['', 'x', 'A'.repeat(43), '%00', 'a'.repeat(5000)]) {
      const res = await api.call(
        'GET',
        '/api/v1/emergency-licenses',
        withCookie(`lifeline_session=${value}`),
      );
      expect(res.statusCode, value.slice(0, 10)).toBe(401);
    }
  });

  it('a session expires after 12 hours on the app clock', async () => {
    const { cookie } = await signIn(api.tokens.engineer);
    const real = api.app.ports.clock;
    try {
      api.app.ports.clock = { now: () => new Date(real.now().getTime() + 12 * 3600_000 + 1000) };
      expect((await api.call('GET', '/api/v1/session', withCookie(cookie))).statusCode).toBe(401);
    } finally {
      api.app.ports.clock = real;
    }
  });
});

describe('one-time login links', () => {
  it('signs the browser in once, then lands on the login page', async () => {
    const { code } = await createLoginLink(
      storeOf(api.app).db,
      { name: 'admin', role: 'admin' },
      api.app.ports.clock.now(),
    );
    const first = await api.call('GET', `/login/link?code=${code}`, { token: null });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = sessionCookie(first);
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    const me = await api.call('GET', '/api/v1/session', withCookie(`lifeline_session=${cookie.value}`));
    expect(me.json().user).toEqual({ name: 'admin', role: 'admin' });

    const again = await api.call('GET', `/login/link?code=${code}`, { token: null });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/login?error=link');
    expect(again.cookies).toHaveLength(0);
  });

  it('an expired or unknown code does not sign in', async () => {
    const { code } = await createLoginLink(
      storeOf(api.app).db,
      { name: 'admin', role: 'admin' },
      new Date(api.app.ports.clock.now().getTime() - 16 * 60_000),
    );
    for (const c of [code, 'nope', '', 'A'.repeat(43)]) {
      const res = await api.call('GET', `/login/link?code=${encodeURIComponent(c)}`, { token: null });
      expect(res.headers.location).toBe('/login?error=link');
      expect(res.cookies).toHaveLength(0);
    }
    const missing = await api.call('GET', '/login/link', { token: null });
    expect(missing.headers.location).toBe('/login?error=link');
  });
});

describe('the development key in the session', () => {
  it('is false with a configured signing key, true with the generated development key, and documented', async () => {
    const signedIn = (who: Api) =>
      who.call('POST', '/api/v1/session', {
        token: null,
        body: JSON.stringify({ token: who.tokens.engineer }),
        headers: { 'content-type': 'application/json' },
      });
    expect(api.app.ports.signer.development).toBe(false);
    expect((await signedIn(api)).json().developmentKey).toBe(false);
    expect((await api.call('GET', '/api/v1/session')).json().developmentKey).toBe(false);

    // No signing key configured: the embedded default generates a development key.
    const dev = await startApi({ LIFELINE_SIGNING_KEY_FILE: '' });
    try {
      expect(dev.app.ports.signer.development).toBe(true);
      const res = await signedIn(dev);
      expect(res.json().developmentKey).toBe(true);
      const cookie = `lifeline_session=${sessionCookie(res).value}`;
      expect((await dev.call('GET', '/api/v1/session', withCookie(cookie))).json()).toMatchObject({
        developmentKey: true,
      });
      // A bearer caller (a script) learns it too.
      expect((await dev.call('GET', '/api/v1/session')).json().developmentKey).toBe(true);
    } finally {
      await dev.close();
    }

    const doc = (await api.call('GET', '/api/v1/openapi.json', { token: null })).json();
    const schema = doc.paths['/api/v1/session'].get.responses['200'].content['application/json'].schema;
    expect(schema.required).toContain('developmentKey');
    expect(schema.properties.developmentKey.type).toBe('boolean');
  });
});
