/**
 * `lifeline evidence read` as a real process: exit codes (0 read, 1 nothing read or refused, 2
 * usage), the JSON shape, the human text; run with the network unreachable (its own network
 * namespace where `unshare -n` works, and a preload that makes every fetch/socket/DNS call throw,
 * in worker threads too) and in an empty directory that it must leave empty (nothing cached); and
 * the command's module is not loaded when another command runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, loadManifest, type Expected } from '../../bench/evidence-fixtures.js';
import {
  BIN,
  REPO_ROOT,
  ensureBuilt,
  makeTempDir,
  parseJsonOutput,
  removeTempDirs,
  runCli,
  type CliResult,
} from './helpers.js';

const manifest = loadManifest();
const fixture = (pattern: string): { path: string; expected: Expected } => {
  const f = manifest.readable.find((x) => x.file.includes(pattern));
  if (!f) throw new Error(`no fixture ${pattern}`);
  return { path: join(FIXTURES_DIR, f.file), expected: f.expected };
};
const bad = (name: string): string => join(FIXTURES_DIR, 'images', name);
const NO_NETWORK = join(REPO_ROOT, 'test', 'fixtures', 'no-network.cjs');
const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;

/** Runs the CLI offline: in a network namespace of its own when possible, and with the preload. */
function runOffline(args: string[], cwd: string, log: string): Promise<CliResult> {
  const node = [process.execPath, '--require', NO_NETWORK, BIN, ...args];
  const [command, ...rest] = canUnshare ? ['unshare', '-n', ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, rest, {
      cwd,
      env: { ...process.env, LIFELINE_NO_NETWORK_LOG: log, LIFELINE_ALLOW_PINNED_DATES: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Field {
  value: unknown;
  confidence: number;
  text: string;
  box: { x0: number; y0: number; x1: number; y1: number };
  image?: number;
}
interface Output {
  evidence: Record<string, Field | null> & { licensee: Record<string, Field | null>; pages: string[] };
  missing: string[];
  images: (
    | { file: string; ok: true; page: string; evidence: Record<string, Field | null> }
    | { file: string; ok: false; error: { code: string; message: string } }
  )[];
}

beforeAll(() => ensureBuilt(), 180_000);
afterAll(() => removeTempDirs());

describe('lifeline evidence read, offline', () => {
  it('reads a subscription page and a dashboard with no network, caching nothing', async () => {
    const dir = makeTempDir('lifeline-ocr-offline-');
    const log = join(makeTempDir('lifeline-ocr-log-'), 'network.log');
    const sub = fixture('subscription-dark-100-inter');
    const dash = fixture('dashboard-light-100-inter');
    const result = await runOffline(['evidence', 'read', sub.path, dash.path, '--json'], dir, log);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = parseJsonOutput<Output>(result);
    expect(out.evidence.plan).toMatchObject({ value: sub.expected.plan, image: 0 });
    expect(out.evidence.expiresAt).toMatchObject({ value: sub.expected.expiresAt, image: 0 });
    expect(out.evidence.previousSeats).toMatchObject({ value: sub.expected.previousSeats, image: 0 });
    expect(out.evidence.licensee.email).toMatchObject({ value: sub.expected.licensee.email, image: 0 });
    expect(out.evidence.activeUsers).toMatchObject({ value: dash.expected.activeUsers, image: 1 });
    expect(out.evidence.gitlabVersion).toMatchObject({ value: dash.expected.gitlabVersion, image: 1 });
    expect(out.evidence.pages).toEqual(['subscription', 'dashboard']);
    expect(out.missing).toEqual([]);
    expect(out.images.map((i) => i.ok && i.page)).toEqual(['subscription', 'dashboard']);
    expect(readdirSync(dir)).toEqual([]); // tesseract.js writes ./eng.traineddata unless told not to
    expect(existsSync(log)).toBe(false); // nothing even tried to reach the network
  }, 240_000);

  it('the guard it runs under does stop the network, in worker threads too', () => {
    const log = join(makeTempDir('lifeline-ocr-log-'), 'network.log');
    const probe = spawnSync(
      process.execPath,
      [
        '--require',
        NO_NETWORK,
        '-e',
        `const { Worker } = require('node:worker_threads');
         try { fetch('http://127.0.0.1:9'); } catch (e) { console.log(e.message); }
         new Worker("try { require('node:https').get('https://127.0.0.1:9'); } catch (e) { console.log(e.message); }", { eval: true });`,
      ],
      { env: { ...process.env, LIFELINE_NO_NETWORK_LOG: log }, encoding: 'utf8' },
    );
    expect(probe.stdout).toContain('network disabled by the test: fetch');
    expect(probe.stdout).toContain('network disabled by the test: https.get');
  });
});

describe('lifeline evidence read: exit codes and output', () => {
  it('prints the fields for people, marks the unsure ones, and names the missing screenshot', async () => {
    const lic = fixture('license-light-100-inter');
    const result = await runCli(['evidence', 'read', lic.path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('License page (older GitLab) (PNG 1440×');
    expect(result.stdout).toMatch(/Users in subscription\s+500 {3}\(0\.\d\d; read "500"\)/);
    expect(result.stdout).toMatch(/Expires\s+2026-11-21 {3}\(0\.\d\d; read "Nov 21, 2026"\)/);
    expect(result.stdout).toContain('Missing screenshot: dashboard.');
  }, 120_000);

  it('exits 1 when nothing is read, and 1 with the code for a refused image', async () => {
    const blank = await runCli(['evidence', 'read', bad('blank.png'), '--json']);
    expect(blank.code).toBe(1);
    const out = parseJsonOutput<Output>(blank);
    expect(out.images).toMatchObject([{ ok: true, page: 'unknown' }]);
    expect(out.evidence.plan).toBeNull();
    expect(out.missing).toEqual(['dashboard', 'subscription']);

    const pdf = await runCli(['evidence', 'read', bad('document.pdf.png')]);
    expect(pdf.code).toBe(1);
    expect(pdf.stderr).toContain(
      'document.pdf.png: refused [IMAGE_UNSUPPORTED] The file is a PDF document; only PNG, JPEG and WebP screenshots are read.',
    );
    expect(pdf.stderr).toContain('error: no field could be read from the image(s).');
    const huge = parseJsonOutput<Output>(await runCli(['evidence', 'read', bad('huge-50mp.png'), '--json']));
    expect(huge.images).toMatchObject([{ ok: false, error: { code: 'IMAGE_TOO_LARGE' } }]);
  }, 120_000);

  it('--keep keeps the read, and issue --evidence-id records it with the request', async () => {
    const dir = makeTempDir();
    const env = { LIFELINE_DATA_DIR: dir, LIFELINE_ALLOW_PINNED_DATES: 'true' };
    const sub = fixture('subscription-light-100-inter');
    const kept = await runCli(['evidence', 'read', sub.path, '--keep', '--engineer', 'erin', '--json'], {
      env,
      cwd: dir,
    });
    expect(kept.code, kept.stderr).toBe(0);
    const view = parseJsonOutput<{ evidenceId: string; missing: string[]; actor: string }>(kept);
    expect(view).toMatchObject({ missing: ['dashboard'], actor: 'erin' });
    const request = [
      ...['--ticket', '5101', '--email', 'ops@kept.example', '--seats', '300', '--plan', 'premium'],
      ...['--expires-at', '2026-11-14', '--previous-seats', String(sub.expected.previousSeats)],
      ...['--today', '2026-11-28', '--json'],
    ];
    const issued = await runCli(['issue', ...request, '--no-deliver', '--evidence-id', view.evidenceId], {
      env,
      cwd: dir,
    });
    expect(issued.code, issued.stderr).toBe(0);
    const record = parseJsonOutput<{ screenshots: { changed: { field: string }[] } }>(issued);
    // Maximum and billable users were read but not sent: changed too.
    expect(record.screenshots.changed.map((c) => c.field)).toEqual([
      'expiresAt',
      'maximumUsers',
      'billableUsers',
    ]);
    const lookup = await runCli(['lookup', '--ticket', '5101'], { env, cwd: dir });
    expect(lookup.stdout).toContain(
      `read from screenshots (${view.evidenceId}): plan premium, expires ${sub.expected.expiresAt}`,
    );
    expect(lookup.stdout).toContain(
      `changed by the engineer: expires (read ${sub.expected.expiresAt}, sent 2026-11-14)`,
    );
    const unknown = await runCli(['check', ...request, '--evidence-id', 'evd_nope'], { env, cwd: dir });
    expect(unknown.code).toBe(1);
    expect(parseJsonOutput<{ refusals: { field?: string }[] }>(unknown).refusals).toEqual([
      expect.objectContaining({ code: 'INPUT_INVALID', field: 'evidenceId' }),
    ]);
    // A refused image refuses the kept read, with its code.
    const pdf = await runCli(['evidence', 'read', bad('document.pdf.png'), '--keep'], { env, cwd: dir });
    expect(pdf.code).toBe(1);
    expect(pdf.stderr).toContain('IMAGE_UNSUPPORTED');
  }, 120_000);

  it('exits 2 for a missing file (before reading any image) or a bad --timeout', async () => {
    const missing = await runCli(['evidence', 'read', bad('blank.png'), '/nonexistent/shot.png', '--json']);
    expect(missing.code).toBe(2);
    expect(parseJsonOutput(missing)).toEqual({
      error: { code: 'USAGE', message: 'cannot read the image /nonexistent/shot.png: no such file.' },
    });
    const timeout = await runCli(['evidence', 'read', bad('blank.png'), '--timeout', 'soon']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout must be a number of seconds');
    expect((await runCli(['evidence', 'read'])).code).toBe(2);
  });

  it('a refused file larger than the limit is not read whole', async () => {
    const dir = makeTempDir();
    const big = join(dir, 'big.png');
    writeFileSync(big, Buffer.alloc(11 * 1024 * 1024, 0x89));
    const out = parseJsonOutput<Output>(await runCli(['evidence', 'read', big, '--json']));
    expect(out.images).toMatchObject([{ ok: false, error: { code: 'IMAGE_TOO_LARGE' } }]);
  });

  it('is loaded lazily: running another command does not load tesseract.js or sharp', () => {
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module';
         process.argv = [process.argv[0], 'lifeline', '--version'];
         await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))});
         const loaded = Object.keys(createRequire(import.meta.url).cache);
         console.log(JSON.stringify(loaded.filter((p) => /tesseract|sharp/.test(p))));`,
      ],
      { encoding: 'utf8', cwd: REPO_ROOT },
    );
    expect(probe.stdout.trim().split('\n').pop()).toBe('[]');
  });
});
