/** `lifeline tokens …` and `lifeline serve` as real processes (needs the build in dist/). */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { childPids } from '../../bench/serve-process.js';
import { decodeLicense } from '../../src/core/license/codec.js';
import {
  BIN,
  Child,
  childEnv,
  createTestDatabase,
  postgresForTests,
  removeTempDirs,
  runCli,
  tempDir,
  withStore,
} from '../integration/helpers.js';
import { testPublicKey } from '../helpers/vectors.js';

afterAll(() => removeTempDirs());

/** The admin token and the URL a starting `serve` prints. */
async function served(child: Child): Promise<{ token: string; url: string }> {
  const tokenLine = await child.waitFor((l) => l.includes('Bearer llt_'));
  const urlLine = await child.waitFor((l) => l.startsWith('Lifeline is listening on'));
  return {
    token: /Bearer (llt_[A-Za-z0-9_-]+)/.exec(tokenLine)?.[1] ?? '',
    url: /(http:\/\/[^\s]+)/.exec(urlLine)?.[1] ?? '',
  };
}

/** An eligible issue call for a ticket and address, answered by the server at `url`. */
const issueAt = (url: string, token: string, ticketId: string, requesterEmail: string): Promise<Response> =>
  fetch(`${url}/api/v1/emergency-licenses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      ticketId,
      requesterEmail,
      seats: 120,
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: 100,
      today: '2026-11-28',
    }),
  });

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

  it('prints a one-time login link that signs a browser in once', async () => {
    const dir = tempDir('lifeline-http-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`);
    const child = new Child([BIN, 'serve', '--port', '0'], env);
    try {
      const linkLine = await child.waitFor((l) => l.includes('/login/link?code='));
      const link = /(http:\/\/\S+)/.exec(linkLine)?.[1] ?? '';
      const first = await fetch(link, { redirect: 'manual' });
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/');
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/^lifeline_session=.{43}$/);
      const me = await fetch(new URL('/api/v1/session', link), { headers: { cookie } });
      expect(((await me.json()) as { user: unknown }).user).toEqual({ name: 'admin', role: 'admin' });
      const again = await fetch(link, { redirect: 'manual' });
      expect(again.headers.get('location')).toBe('/login?error=link');
    } finally {
      child.kill();
    }
  });

  it('--processes 2: two HTTP processes on one port; one that dies is replaced; SIGTERM stops them all', async () => {
    const dir = tempDir('lifeline-http-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`);
    const child = new Child([BIN, 'serve', '--port', '0', '--processes', '2', '--no-login-link'], env);
    try {
      const tokenLine = await child.waitFor((l) => l.includes('Bearer llt_'));
      const token = /Bearer (llt_[A-Za-z0-9_-]+)/.exec(tokenLine)?.[1] ?? '';
      const urlLine = await child.waitFor((l) => l.startsWith('Lifeline is listening on'));
      expect(urlLine).toContain('in 2 HTTP processes');
      const url = /(http:\/\/[^\s]+)/.exec(urlLine)?.[1] ?? '';
      const primary = child.pid as number;
      const first = childPids(primary);
      expect(first).toHaveLength(2);
      const issue = (n: number) => issueAt(url, token, `77${n}`, `ops@proc${n}.example`);
      const statuses = await Promise.all(
        Array.from({ length: 24 }, (_, n) => issue(n).then((r) => r.status)),
      );
      expect(statuses).toEqual(Array(24).fill(201));
      // The same ticket again, from whichever process: the one stored record (200), never a second.
      expect((await issue(3)).status).toBe(200);

      process.kill(first[0] as number, 'SIGKILL');
      let now = childPids(primary);
      for (let i = 0; i < 100 && !(now.length === 2 && !now.includes(first[0] as number)); i++) {
        await new Promise((r) => setTimeout(r, 100));
        now = childPids(primary);
      }
      expect(now).toHaveLength(2);
      expect(now).not.toContain(first[0]);
      expect(child.stderr).toContain('an HTTP process exited (SIGKILL); starting another');
      expect((await issue(99)).status).toBe(201);

      child.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
      expect(now.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
      const list = (await runCli(['lookup', '--email', 'ops@proc3.example', '--json'], env)).stdout;
      expect(list).toContain('"ticketId": "773"');
    } finally {
      child.kill();
    }
  });

  it('a port already in use: a configuration error naming the address and the setting (exit 3), in one process and in --processes 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as AddressInfo).port);
    try {
      for (const extra of [[], ['--processes', '2']]) {
        const dir = tempDir('lifeline-http-');
        const env = childEnv(dir, `sqlite:${dir}/lifeline.db`);
        const result = await runCli(
          ['serve', '--host', '127.0.0.1', '--port', port, '--no-login-link', ...extra],
          env,
        );
        expect(result.code, extra.join(' ')).toBe(3);
        expect(result.stderr).toContain(
          `error [CONFIG_INVALID]: cannot listen on 127.0.0.1:${port}: the address is already in use`,
        );
        expect(result.stderr).toContain('choose another port with --port or PORT');
        expect(result.stderr).not.toContain('INTERNAL');
        if (extra.length > 0) {
          // The HTTP process ends with its own exit code, and the primary passes its kind on.
          expect(result.stderr).toContain(
            'error [CONFIG_INVALID]: an HTTP process could not start (exit code 3',
          );
        }
      }
    } finally {
      taken.close();
    }
  });

  it('delivers on a thread of its own at a lower CPU priority (nice +10), and stops it on SIGTERM', async () => {
    const dir = tempDir('lifeline-http-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`);
    const child = new Child([BIN, 'serve', '--port', '0', '--no-login-link'], env);
    try {
      const { token, url } = await served(child);
      const issued = await issueAt(url, token, '4343', 'ops@thread.example');
      expect(issued.status).toBe(201);
      const id = ((await issued.json()) as { id: string }).id;
      const statuses = async () =>
        (
          (await (
            await fetch(`${url}/api/v1/emergency-licenses/${id}`, {
              headers: { authorization: `Bearer ${token}` },
            })
          ).json()) as { deliveries: { status: string }[] }
        ).deliveries.map((d) => d.status);
      let seen: string[] = [];
      for (let i = 0; i < 100 && !(seen.length === 4 && seen.every((s) => s === 'sent')); i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = await statuses();
      }
      expect(seen).toEqual(['sent', 'sent', 'sent', 'sent']);
      // One thread of the process runs 10 nice levels below the others (field 19 of its stat).
      const niceOf = (tid: string): number =>
        Number(
          readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8')
            .replace(/^.*\) /s, '')
            .split(' ')[16],
        );
      // (Relative to the process's own, which is 0 unless the tests run under `nice`.)
      const nice = readdirSync(`/proc/${child.pid}/task`).map(niceOf);
      const base = niceOf(String(child.pid));
      const lowered = Math.min(19, base + 10);
      expect(nice.filter((n) => n === lowered)).toHaveLength(1);
      expect(nice.filter((n) => n !== base && n !== lowered)).toEqual([]);
      child.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
      expect(child.stderr).not.toMatch(/delivery thread/);
    } finally {
      child.kill();
    }
  });

  it('--no-worker answers the API but leaves the deliveries to `lifeline worker`', async () => {
    const dir = tempDir('lifeline-http-');
    const env = childEnv(dir, `sqlite:${dir}/lifeline.db`, { LIFELINE_SIGNING_THREADS: '2' });
    const child = new Child([BIN, 'serve', '--port', '0', '--no-worker', '--no-login-link'], env);
    try {
      const { token, url } = await served(child);
      const issued = await issueAt(url, token, '4242', 'ops@noworker.example');
      expect(issued.status).toBe(201);
      const id = ((await issued.json()) as { id: string }).id;
      // Written on a signing thread (LIFELINE_SIGNING_THREADS=2): valid with the server's key.
      const file = await fetch(`${url}/api/v1/emergency-licenses/${id}/license`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(file.status).toBe(200);
      const decoded = decodeLicense(await file.text(), [testPublicKey()]);
      expect(decoded.ok && decoded.value.license.licensee['Email']).toBe('ops@noworker.example');
      await new Promise((r) => setTimeout(r, 1500));
      const get = async () =>
        (await (
          await fetch(`${url}/api/v1/emergency-licenses/${id}`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as { deliveries: { status: string }[] };
      expect((await get()).deliveries.map((d) => d.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
      expect((await runCli(['worker', '--drain'], env)).code).toBe(0);
      expect((await get()).deliveries.every((d) => d.status === 'sent')).toBe(true);
    } finally {
      child.kill();
    }
  });
});

const postgres = await postgresForTests();

describe.skipIf(!postgres)('lifeline serve --processes 2 on PostgreSQL', () => {
  it('issues through two HTTP processes, keeps one record per ticket and rule 9 across them, and stops on SIGTERM', async () => {
    const db = await createTestDatabase();
    const dir = tempDir('lifeline-http-pg-');
    const env = childEnv(dir, db.url);
    const child = new Child([BIN, 'serve', '--port', '0', '--processes', '2', '--no-login-link'], env);
    try {
      const urlLine = await child.waitFor((l) => l.startsWith('Lifeline is listening on'));
      expect(urlLine).toContain('in 2 HTTP processes');
      const url = /(http:\/\/[^\s]+)/.exec(urlLine)?.[1] ?? '';
      // No login is printed on PostgreSQL: an admin makes the token.
      const made = await runCli(['tokens', 'create', '--role', 'engineer', '--name', 'pg', '--json'], env);
      expect(made.code).toBe(0);
      const token = (JSON.parse(made.stdout) as { secret: string }).secret;
      const issue = (ticketId: string, requesterEmail: string) =>
        issueAt(url, token, ticketId, requesterEmail);
      // 16 tickets at once, each asked for twice at the same moment: one record per ticket.
      const responses = await Promise.all(
        Array.from({ length: 32 }, (_, n) => issue(`88${n % 16}`, `ops@pg${n % 16}.example`)),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array<number>(16).fill(200), ...Array<number>(16).fill(201)]);
      // Rule 9 sees a license written by either process: another address at a licensed domain.
      const repeat = await issue('8899', 'someone-else@pg3.example');
      expect(repeat.status).toBe(422);
      expect(((await repeat.json()) as { error: { code: string } }).error.code).toBe(
        'RECENT_EMERGENCY_LICENSE',
      );

      child.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
      await withStore(db.url, async (store) => {
        const issued = await store.findRequests({ status: 'issued', limit: 500 });
        expect(issued).toHaveLength(16);
        expect(new Set(issued.map((r) => r.ticketId)).size).toBe(16);
        expect(await store.verifyAudit()).toMatchObject({ ok: true });
      });
    } finally {
      child.kill();
      await db.drop();
    }
  }, 60_000);
});
