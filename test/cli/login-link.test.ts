/**
 * `lifeline login-link` prints the server's real address (issue 20 item 5): LIFELINE_PUBLIC_URL,
 * else where a running `serve` on this data folder listens (its --port is not in the
 * configuration), else the configured HOST and PORT. Real processes (needs the build in dist/).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, Child, childEnv, removeTempDirs, runCli, tempDir } from '../integration/helpers.js';

afterAll(() => removeTempDirs());

async function link(env: NodeJS.ProcessEnv): Promise<{ url: string; role: string }> {
  const result = await runCli(['login-link', '--role', 'licensing', '--name', 'lee', '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { url: string; role: string };
}

describe('lifeline login-link', { timeout: 60_000 }, () => {
  it('prints the port a running serve listens on, and the configured one once it stopped', async () => {
    const dir = tempDir('lifeline-link-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`, { PORT: '3999' });
    const serve = new Child([BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--no-worker'], env);
    try {
      const line = await serve.waitFor((l) => l.startsWith('Lifeline is listening on'));
      const port = /:(\d+)[\s/)]/.exec(line)?.[1];
      expect(port).toBeDefined();
      // serve's own link: on loopback (not 0.0.0.0), on its real port.
      const own = await serve.waitFor((l) => l.includes('/login/link?code='));
      expect(own.trim()).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/login/link\\?code=`));

      const printed = await link(env);
      expect(printed.url).toMatch(
        new RegExp(`^http://127\\.0\\.0\\.1:${port}/login/link\\?code=[A-Za-z0-9_-]{43}$`),
      );
      // The link works on that server: it signs the browser in as licensing.
      const res = await fetch(printed.url, { redirect: 'manual' });
      expect(res.status).toBe(303);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const base = printed.url.slice(0, printed.url.indexOf('/login/'));
      const me = await fetch(`${base}/api/v1/session`, { headers: { cookie } });
      expect(((await me.json()) as { user: unknown }).user).toEqual({ name: 'lee', role: 'licensing' });
    } finally {
      serve.kill('SIGTERM');
      await serve.exited;
    }
    // Stopped: the record is gone, and the configured PORT is printed.
    expect(existsSync(join(dir, 'serve-address.json'))).toBe(false);
    expect((await link(env)).url).toMatch(/^http:\/\/127\.0\.0\.1:3999\/login\/link\?code=/);
  });

  it('ignores the record of a serve that is gone', async () => {
    const dir = tempDir('lifeline-link-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`, { HOST: '127.0.0.1', PORT: '3998' });
    // A process id that cannot be running (above the kernel's pid_max).
    writeFileSync(
      join(dir, 'serve-address.json'),
      JSON.stringify({ address: 'http://127.0.0.1:1', pid: 2 ** 30 }),
    );
    expect((await link(env)).url).toMatch(/^http:\/\/127\.0\.0\.1:3998\/login\/link\?code=/);
  });

  it('LIFELINE_PUBLIC_URL wins (for serve’s own link too); --base-url wins over everything', async () => {
    const dir = tempDir('lifeline-link-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`, {
      LIFELINE_PUBLIC_URL: 'https://lifeline.example.com/',
    });
    const serve = new Child([BIN, 'serve', '--port', '0', '--no-worker'], env);
    try {
      const own = await serve.waitFor((l) => l.includes('/login/link?code='));
      expect(own.trim()).toMatch(/^https:\/\/lifeline\.example\.com\/login\/link\?code=/);
      expect((await link(env)).url).toMatch(/^https:\/\/lifeline\.example\.com\/login\/link\?code=/);
      const given = await runCli(['login-link', '--base-url', 'http://10.1.2.3:8080', '--json'], env);
      expect(JSON.parse(given.stdout).url).toMatch(/^http:\/\/10\.1\.2\.3:8080\/login\/link\?code=/);
    } finally {
      serve.kill('SIGTERM');
      await serve.exited;
    }
  });
});
