/**
 * Signing in with the identity provider (issue 20 item 5, PRODUCT.md §12), end to end over HTTP
 * against a REAL OpenID provider on loopback (oidc-provider): each mapped role signs in through the
 * provider's own pages (authorization code + PKCE), an unmapped person is refused without a
 * session, a replayed, forged or other browser's callback is refused, the flow is used once, and
 * logging out ends the Lifeline session only.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LIVE_FLOWS } from '../../src/adapters/store/oidc-flows.js';
import { storeOf, type App } from '../../src/app.js';
import { createHttpServer } from '../../src/interfaces/http/server.js';
import { appWith } from '../deliveries/harness.js';
import { CookieJar, send, throughProvider } from '../helpers/browse.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  freePort,
  PEOPLE,
  ROLES_SETTING,
  startProvider,
  type TestProvider,
} from '../helpers/oidc-provider.js';

let provider: TestProvider;
let app: App;
let server: FastifyInstance;
let base: string;
const errorLines: string[] = [];

async function listen(
  env: Record<string, string>,
  port = 0,
): Promise<{ app: App; server: FastifyInstance; base: string }> {
  const made = await appWith(env);
  const made_server = await createHttpServer(made, { errorLog: { write: (line) => errorLines.push(line) } });
  await made_server.listen({ host: '127.0.0.1', port });
  const address = made_server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app: made, server: made_server, base: `http://127.0.0.1:${address.port}` };
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startProvider(`${base}/auth/oidc/callback`);
  ({ app, server } = await listen(
    {
      LIFELINE_PUBLIC_URL: base,
      OIDC_ISSUER: provider.issuer,
      OIDC_NAME: 'Acme SSO',
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_ROLES: ROLES_SETTING,
    },
    port,
  ));
}, 30_000);

afterAll(async () => {
  await server?.close();
  await app?.close();
  await provider?.close();
});

const sessionCount = async () =>
  (await storeOf(app).db.selectFrom('web_sessions').selectAll().execute()).length;

/** Starts a sign-in in `jar` and walks the provider's pages as `login`; returns the callback address. */
async function toCallback(jar: CookieJar, login: string, next?: string) {
  const start = await send(jar, `${base}/auth/oidc/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  expect(start.status).toBe(303);
  expect(start.location?.startsWith(`${provider.issuer}/`)).toBe(true);
  const authorize = new URL(start.location ?? '');
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/auth/oidc/callback`);
  expect(authorize.searchParams.get('scope')).toBe('openid email profile groups');
  // The flow's binding cookie: only for /auth/oidc, Lax (the way back is a cross-site navigation).
  expect(start.setCookies.find((c) => c.startsWith('lifeline_oidc='))).toMatch(
    /Max-Age=600; Path=\/auth\/oidc; HttpOnly; Secure; SameSite=Lax/,
  );
  return throughProvider(jar, authorize.href, login, `${base}/auth/oidc/callback`);
}

async function whoAmI(jar: CookieJar) {
  return send(jar, `${base}/api/v1/session`);
}

describe('signing in with the identity provider', { timeout: 30_000 }, () => {
  it('the login page learns of it from GET /api/v1/session/methods (public)', async () => {
    const res = await fetch(`${base}/api/v1/session/methods`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ token: true, oidc: { name: 'Acme SSO', url: '/auth/oidc/login' } });
  });

  it.each([
    ['erin', 'engineer'],
    ['lee', 'licensing'],
    ['ada', 'admin'],
  ] as const)('%s signs in through the provider and gets the role %s', async (login, role) => {
    const jar = new CookieJar();
    const { callback, pages } = await toCallback(jar, login);
    expect(pages).toEqual(['login', 'consent']);
    const done = await send(jar, callback);
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${base}/`);
    const cookie = done.setCookies.find((c) => c.startsWith('lifeline_session='));
    expect(cookie).toMatch(/Path=\/; HttpOnly; Secure; SameSite=Lax/);
    // The flow's cookie is cleared.
    expect(jar.get(base, 'lifeline_oidc')).toBeUndefined();
    const me = await whoAmI(jar);
    expect(me.status).toBe(200);
    const body = JSON.parse(me.body);
    expect(body.user).toEqual({ name: PEOPLE[login]?.email, role });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('lands where the person was going (a console path only)', async () => {
    const jar = new CookieJar();
    const { callback } = await toCallback(jar, 'erin', '/requests?ticket=50400');
    expect((await send(jar, callback)).location).toBe(`${base}/requests?ticket=50400`);
    const other = new CookieJar();
    const { callback: elsewhere } = await toCallback(other, 'erin', 'https://evil.example/');
    expect((await send(other, elsewhere)).location).toBe(`${base}/`);
  });

  it('refuses a person in no mapped group: a clear page, no session', async () => {
    const before = await sessionCount();
    const jar = new CookieJar();
    const { callback } = await toCallback(jar, 'mallory');
    const done = await send(jar, callback);
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${base}/login?error=oidc-refused`);
    expect(done.setCookies.some((c) => c.startsWith('lifeline_session='))).toBe(false);
    expect(await sessionCount()).toBe(before);
    expect((await whoAmI(jar)).status).toBe(401);
  });

  it('uses a flow once: the same callback again is refused', async () => {
    const jar = new CookieJar();
    const { callback } = await toCallback(jar, 'erin');
    expect((await send(jar, callback)).location).toBe(`${base}/`);
    const sessions = await sessionCount();
    const again = await send(jar, callback);
    expect(again.location).toBe(`${base}/login?error=oidc-failed`);
    expect(again.setCookies.some((c) => c.startsWith('lifeline_session='))).toBe(false);
    expect(await sessionCount()).toBe(sessions);
  });

  it('refuses a forged state without spending the real flow', async () => {
    const jar = new CookieJar();
    const { callback } = await toCallback(jar, 'ada');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'A'.repeat(43));
    expect((await send(jar, forged.href)).location).toBe(`${base}/login?error=oidc-failed`);
    const missing = new URL(callback);
    missing.searchParams.delete('state');
    expect((await send(jar, missing.href)).location).toBe(`${base}/login?error=oidc-failed`);
    // The flow is still there for the person's own browser: the genuine callback signs in.
    expect((await send(jar, callback)).location).toBe(`${base}/`);
  });

  it('refuses a callback finished in another browser (no login CSRF)', async () => {
    const attacker = new CookieJar();
    const { callback } = await toCallback(attacker, 'mallory');
    const victim = new CookieJar();
    const before = await sessionCount();
    expect((await send(victim, callback)).location).toBe(`${base}/login?error=oidc-failed`);
    expect(await sessionCount()).toBe(before);
  });

  it('logging out ends the Lifeline session only: the provider still knows the person', async () => {
    const jar = new CookieJar();
    const { callback } = await toCallback(jar, 'lee');
    await send(jar, callback);
    const csrf = JSON.parse((await whoAmI(jar)).body).csrfToken as string;
    const out = await send(jar, `${base}/api/v1/session/logout`, {
      method: 'POST',
      headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(200);
    expect((await whoAmI(jar)).status).toBe(401);
    // Signing in again needs no password at the provider (its session was not ended).
    const again = await toCallback(jar, 'lee');
    expect(again.pages).toEqual([]);
    expect((await send(jar, again.callback)).location).toBe(`${base}/`);
    expect(JSON.parse((await whoAmI(jar)).body).user.role).toBe('licensing');
  });

  it('with too many sign-ins in progress, says to try again later and starts none', async () => {
    const db = storeOf(app).db;
    const until = new Date(Date.now() + 60_000).toISOString();
    const rows = Array.from({ length: MAX_LIVE_FLOWS }, (_, i) => ({
      state_hash: `flood-${i}`,
      binding_hash: 'x',
      sealed: 'x',
      return_to: '/',
      created_at: until,
      expires_at: until,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('oidc_flows')
        .values(rows.slice(i, i + 500))
        .execute();
    try {
      const res = await send(new CookieJar(), `${base}/auth/oidc/login`);
      expect(res.location).toBe(`${base}/login?error=oidc-busy`);
      expect(res.setCookies.some((c) => c.startsWith('lifeline_oidc='))).toBe(false);
    } finally {
      await db.deleteFrom('oidc_flows').where('state_hash', 'like', 'flood-%').execute();
    }
  });

  it('keeps no flow, state or verifier once signed in', async () => {
    const jar = new CookieJar();
    const { callback } = await toCallback(jar, 'erin');
    const state = new URL(callback).searchParams.get('state') ?? '';
    await send(jar, callback);
    const rows = await storeOf(app).db.selectFrom('oidc_flows').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(state);
  });
});

describe('without a reachable or configured provider', { timeout: 30_000 }, () => {
  it('an unreachable issuer lands on the login page with a sentence, and the fault is logged', async () => {
    const closed = await freePort();
    const down = await listen({
      LIFELINE_PUBLIC_URL: 'http://127.0.0.1:3999',
      OIDC_ISSUER: `http://127.0.0.1:${closed}`,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_ROLES: ROLES_SETTING,
    });
    try {
      errorLines.length = 0;
      const res = await send(new CookieJar(), `${down.base}/auth/oidc/login`);
      expect(res.location).toBe(`${down.base}/login?error=oidc-unavailable`);
      expect(errorLines).toHaveLength(1);
      expect(JSON.parse(errorLines[0] ?? '{}')).toMatchObject({
        route: '/auth/oidc/login',
        status: 303,
        code: 'INFRASTRUCTURE',
      });
      expect(errorLines[0]).not.toContain(CLIENT_SECRET);
    } finally {
      await down.server.close();
      await down.app.close();
    }
  });

  it('not configured: the routes say so and the methods offer tokens only', async () => {
    const off = await listen({});
    try {
      expect((await send(new CookieJar(), `${off.base}/auth/oidc/login`)).location).toBe(
        `${off.base}/login?error=oidc-off`,
      );
      expect((await send(new CookieJar(), `${off.base}/auth/oidc/callback?state=x&code=y`)).location).toBe(
        `${off.base}/login?error=oidc-off`,
      );
      const methods = await fetch(`${off.base}/api/v1/session/methods`);
      expect(await methods.json()).toEqual({ token: true, oidc: null });
    } finally {
      await off.server.close();
      await off.app.close();
    }
  });
});
