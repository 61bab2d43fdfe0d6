/**
 * The `cookie` library is pinned to 1.x by package.json `overrides` (cookie 2 wants Node 22): the
 * session cookie still reads and writes as it must, through @fastify/cookie on a real socket and
 * through light-my-request's `cookies` option, which calls the library's stringifySetCookie.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/interfaces/http/auth.js';
import { startApi, type Api } from './helpers.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The `cookie` module as the package at `dir` resolves it. */
function cookieLibraryOf(dir: string): Record<string, unknown> {
  const require = createRequire(join(REPO_ROOT, 'node_modules', dir, 'package.json'));
  return require('cookie') as Record<string, unknown>;
}

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

async function signInOverHttp(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: api.tokens.licensing }),
  });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie') ?? '';
}

describe('the cookie library under @fastify/cookie and light-my-request', () => {
  it('exports what both call', () => {
    for (const dir of ['light-my-request', '@fastify/cookie']) {
      const lib = cookieLibraryOf(dir);
      expect(typeof lib['stringifySetCookie'], dir).toBe('function');
      expect(typeof lib['parseCookie'], dir).toBe('function');
    }
  });

  it("through inject's cookies option (light-my-request's stringifySetCookie)", async () => {
    const signIn = await api.server.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { token: api.tokens.engineer },
    });
    const value = signIn.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
    expect(value).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const me = await api.server.inject({
      method: 'GET',
      url: '/api/v1/session',
      cookies: { [SESSION_COOKIE]: value as string, other: 'a b;c' },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.role).toBe('engineer');
    // Signing out clears it: an empty value that expired in 1970.
    const out = await api.server.inject({
      method: 'POST',
      url: '/api/v1/session/logout',
      cookies: { [SESSION_COOKIE]: value as string },
      headers: { 'x-csrf-token': signIn.json().csrfToken },
    });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(
      new RegExp(`^${SESSION_COOKIE}=; .*Expires=Thu, 01 Jan 1970 00:00:00 GMT`),
    );
  });

  it('on a real socket: the session cookie is set with its attributes and read back among others', async () => {
    // Last: a Fastify instance that listened cannot inject after it is closed (afterAll closes it).
    const base = await api.server.listen({ host: '127.0.0.1', port: 0 });
    const header = await signInOverHttp(base);
    const match = new RegExp(`^${SESSION_COOKIE}=([A-Za-z0-9_-]{20,}); (.*)$`).exec(header);
    if (!match) throw new Error(`unexpected Set-Cookie: ${header}`);
    const attributes = (match[2] ?? '').split('; ').sort();
    expect(attributes).toEqual(['HttpOnly', 'Max-Age=43200', 'Path=/', 'SameSite=Lax', 'Secure']);
    // Other cookies around it, one quoted and one percent-encoded, as a browser may send them.
    const cookie = `theme="dark mode"; ${SESSION_COOKIE}=${match[1]}; x=%E2%9C%93`;
    const me = await fetch(`${base}/api/v1/session`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { role: string } }).user.role).toBe('licensing');
    const wrong = await fetch(`${base}/api/v1/session`, {
      headers: { cookie: `${SESSION_COOKIE}=${match[1]}x` },
    });
    expect(wrong.status).toBe(401);
  });
});
