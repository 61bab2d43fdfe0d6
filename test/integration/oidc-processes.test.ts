/**
 * The sign-in flow lives in the database, so any process may receive the callback: two real
 * `lifeline serve` processes (the built CLI, as production runs it) share one database; a person
 * starts signing in on one, the provider's redirect reaches the other (as a load balancer may
 * send it), and the session works on both. Against a real OpenID provider on loopback.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CookieJar, send, throughProvider } from '../helpers/browse.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  freePort,
  ROLES_SETTING,
  startProvider,
  type TestProvider,
} from '../helpers/oidc-provider.js';
import { BIN, Child, childEnv, removeTempDirs, tempDir } from './helpers.js';

let provider: TestProvider | null = null;
const children: Child[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => c.exited));
  await provider?.close();
  removeTempDirs();
});

async function serve(env: NodeJS.ProcessEnv, port: number): Promise<string> {
  const child = new Child([BIN, 'serve', '--port', String(port), '--no-worker', '--no-login-link'], env);
  children.push(child);
  const line = await child.waitFor((l) => l.startsWith('Lifeline is listening on'));
  return /(http:\/\/[^\s]+)/.exec(line)?.[1] ?? '';
}

describe('OIDC across processes', { timeout: 60_000 }, () => {
  it('a flow started on one serve process is finished by another', async () => {
    const portA = await freePort();
    const publicUrl = `http://127.0.0.1:${portA}`;
    provider = await startProvider(`${publicUrl}/auth/oidc/callback`);
    const dir = tempDir('lifeline-oidc-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`, {
      LIFELINE_PUBLIC_URL: publicUrl,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_ROLES: ROLES_SETTING,
    });
    const a = await serve(env, portA);
    const b = await serve(env, 0);
    expect(a).not.toBe(b);

    const jar = new CookieJar();
    const start = await send(jar, `${a}/auth/oidc/login`);
    const { callback } = await throughProvider(
      jar,
      start.location ?? '',
      'ada',
      `${publicUrl}/auth/oidc/callback`,
    );
    // The redirect reaches process B, with the browser's cookie for the site.
    const binding = jar.get(a, 'lifeline_oidc') ?? '';
    jar.store(b, [`lifeline_oidc=${binding}`]);
    const done = await send(jar, callback.replace(publicUrl, b));
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${b}/`);
    const cookie = jar.get(b, 'lifeline_session') ?? '';
    for (const base of [a, b]) {
      const me = await fetch(`${base}/api/v1/session`, { headers: { cookie: `lifeline_session=${cookie}` } });
      expect(((await me.json()) as { user: unknown }).user).toEqual({
        name: 'ada@acme.example',
        role: 'admin',
      });
    }
  });
});
