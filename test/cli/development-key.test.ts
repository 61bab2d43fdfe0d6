/**
 * The development key says so once, where it matters: `serve` at start and the commands that sign a
 * license (issue, approve, retry) print the warning; the others (check, lookup, status…) do not;
 * `doctor` marks it a warning (exit 0), a failure only in production.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child, BIN, removeTempDirs, runCli, tempDir } from '../integration/helpers.js';
import { ensureBuilt } from './helpers.js';

const WARNING =
  /Lifeline is signing with a DEVELOPMENT key generated in .*\/keys\. Real GitLab instances will NOT accept these licenses/g;
const warnings = (stderr: string): number => stderr.match(WARNING)?.length ?? 0;

/** The embedded default with no signing key: a development key is generated in the data dir. */
function embeddedEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dataDir,
    TZ: 'UTC',
    NO_COLOR: '1',
    LIFELINE_DATA_DIR: dataDir,
    LIFELINE_ALLOW_PINNED_DATES: 'true',
    ...extra,
  };
}

const REQUEST = [
  ...['--email', 'ops@customer.example', '--seats', '120', '--plan', 'premium'],
  ...['--expires-at', '2026-11-14', '--previous-seats', '100', '--maximum-users', '110'],
  ...['--today', '2026-11-28'],
];

let env: NodeJS.ProcessEnv;
beforeAll(() => {
  ensureBuilt();
  env = embeddedEnv(join(tempDir('lifeline-devkey-'), 'data'));
}, 180_000);
afterAll(removeTempDirs);

describe('the development key warning', () => {
  it('is not printed by check, lookup or status, which sign nothing', async () => {
    const check = await runCli(['check', '--ticket', '5001', ...REQUEST], env);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('Eligible');
    expect(warnings(check.stderr)).toBe(0);
    for (const args of [['lookup', '--ticket', '5001'], ['status']]) {
      const r = await runCli(args, env);
      expect(warnings(r.stderr), args.join(' ')).toBe(0);
    }
  });

  it('is printed once by issue, and by approve when an override is approved', async () => {
    const issued = await runCli(['issue', '--ticket', '5002', ...REQUEST, '--json'], env);
    expect(issued.code, issued.stderr).toBe(0);
    expect(JSON.parse(issued.stdout).status).toBe('issued');
    // The record says it was made from the command line.
    expect(JSON.parse(issued.stdout).madeFrom).toBe('cli');
    expect(warnings(issued.stderr)).toBe(1);

    // An engineer's override waits for licensing; approving it signs the license.
    const override = await runCli(
      [
        ...['issue', '--ticket', '5003', ...REQUEST.slice(0, -2), '--today', '2026-11-30'],
        ...['--override-reason', 'customer confirmed the renewal is in progress with sales', '--json'],
      ],
      env,
    );
    expect(override.code, override.stderr).toBe(0);
    const pending = JSON.parse(override.stdout) as { id: string; status: string };
    expect(pending.status).toBe('pending_approval');
    const approved = await runCli(['approve', pending.id, '--today', '2026-11-30', '--json'], env);
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout).status).toBe('issued');
    expect(warnings(approved.stderr)).toBe(1);
    // Looking it up afterwards still says nothing.
    expect(warnings((await runCli(['lookup', '--id', pending.id], env)).stderr)).toBe(0);
  });

  it.each([[['serve']], [['serve', '--processes', '2']]])(
    '%j prints it once at start',
    async (args) => {
      const serve = new Child([BIN, ...args, '--host', '127.0.0.1', '--port', '0', '--no-login-link'], env);
      try {
        await serve.waitFor((line) => line.startsWith('Lifeline is listening on'), 60_000);
        expect(warnings(serve.stderr)).toBe(1);
      } finally {
        serve.kill('SIGTERM');
        await serve.exited;
      }
      expect(warnings(serve.stderr)).toBe(1);
    },
    90_000,
  );
});

describe('lifeline doctor', () => {
  it('marks a development key as a warning, not a failure (exit 0)', async () => {
    const human = await runCli(['doctor'], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /^WARN {2}signing key: development key: real GitLab instances will not accept its licenses/m,
    );
    expect(human.stdout).toMatch(/^ok {4}database:/m);
    expect(warnings(human.stderr)).toBe(0);
    const json = await runCli(['doctor', '--json'], env);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      warnings: number;
      checks: { name: string; status: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.warnings).toBe(1);
    expect(report.checks.find((c) => c.name === 'signing key')?.status).toBe('warning');
    expect(report.checks.filter((c) => c.status !== 'ok').map((c) => c.name)).toEqual(['signing key']);
  });

  it('with a configured key, says ok', async () => {
    const dir = tempDir('lifeline-devkey-configured-');
    const { securePrivateKeyCopy } = await import('./helpers.js');
    const r = await runCli(
      ['doctor', '--json'],
      embeddedEnv(join(dir, 'data'), { LIFELINE_SIGNING_KEY_FILE: securePrivateKeyCopy(dir) }),
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { warnings: number; checks: { name: string; status: string }[] };
    expect(report.warnings).toBe(0);
    expect(report.checks.find((c) => c.name === 'signing key')?.status).toBe('ok');
  });
});
