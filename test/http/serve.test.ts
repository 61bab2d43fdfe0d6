/** `lifeline tokens …` and `lifeline serve` as real processes (needs the build in dist/). */
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, Child, childEnv, removeTempDirs, runCli, tempDir } from '../integration/helpers.js';

afterAll(() => removeTempDirs());

describe('lifeline tokens', () => {
  it('creates (secret shown once), lists (no secret) and revokes tokens', async () => {
    const dir = tempDir('lifeline-http-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`);
    const created = await runCli(['tokens', 'create', '--role', 'licensing', '--name', 'Lou', '--json'], env);
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout) as { id: string; secret: string; role: string };
    expect(token.secret).toMatch(/^llt_[A-Za-z0-9_-]{43}$/);
    expect(token.role).toBe('licensing');
    const list = await runCli(['tokens', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(token.secret);
    expect(JSON.parse(list.stdout).tokens).toHaveLength(1);
    expect((await runCli(['tokens', 'revoke', token.id], env)).code).toBe(0);
    expect((await runCli(['tokens', 'revoke', token.id], env)).code).toBe(1);
    expect((await runCli(['tokens', 'create', '--role', 'root', '--name', 'x'], env)).code).toBe(2);
  });
});

describe('lifeline serve', () => {
  it('prints the URL and a one-time admin login, answers, and exits 0 on SIGTERM', async () => {
    const dir = tempDir('lifeline-http-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`);
    const child = new Child([BIN, 'serve', '--port', '0'], env);
    try {
      const tokenLine = await child.waitFor((l) => l.includes('Bearer llt_'));
      const token = /Bearer (llt_[A-Za-z0-9_-]+)/.exec(tokenLine)?.[1] ?? '';
      const urlLine = await child.waitFor((l) => l.startsWith('Lifeline is listening on'));
      const url = /(http:\/\/[^\s]+)/.exec(urlLine)?.[1] ?? '';
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/api/v1/emergency-licenses`)).status).toBe(401);
      const list = await fetch(`${url}/api/v1/emergency-licenses`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual({ requests: [], next: null });
      child.kill('SIGTERM');
      const { code } = await child.exited;
      expect(code).toBe(0);
    } finally {
      child.kill();
    }
  });
});
