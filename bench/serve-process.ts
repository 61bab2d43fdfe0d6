/**
 * What the HTTP benches (bench/http.ts, bench/lookup.ts) share: the real CLI run as a child process
 * (`node bin/lifeline.js …`, compiled by `npm run build` before the bench runs) on a bench data dir,
 * a real `lifeline serve --port 0` child whose printed URL is read from its stdout, its CPU time from
 * /proc, nearest-rank percentiles, and autocannon runs whose every response time is kept.
 *
 * Robustness: every started `serve` child is killed (SIGKILL) if this process exits without having
 * stopped it, and `stop()` sends SIGTERM (the serve command finishes requests in flight and the
 * current deliveries), then SIGKILL after a timeout.
 */
import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** This file runs as dist/bench/serve-process.js: the project root is two levels up. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(REPO_ROOT, 'bin', 'lifeline.js');

/**
 * `--quick` on the command line (`npm run bench -- http --quick`; `npm run bench http --quick` reaches
 * us as npm_config_quick), or BENCH_QUICK=1: shorter runs, smaller data.
 */
export const QUICK =
  process.argv.includes('--quick') ||
  process.env['BENCH_QUICK'] === '1' ||
  process.env['npm_config_quick'] === 'true';

/**
 * A minimal environment for the children (as test/integration/helpers.ts childEnv): nothing of the
 * developer's shell (DATABASE_URL, LIFELINE_ENV, SMTP…) leaks in; no signing key is configured, so the
 * embedded default generates a development key in `$LIFELINE_DATA_DIR/keys` on first use.
 */
export function benchEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? tmpdir(),
    TZ: 'UTC',
    NO_COLOR: '1',
    LIFELINE_DATA_DIR: dataDir,
    LIFELINE_ALLOW_PINNED_DATES: 'true',
    ...extra,
  };
}

/** Runs `lifeline ARGS --json` and returns its JSON output; throws with its stderr on failure. */
export function runCliJson(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args, '--json'],
      { cwd: REPO_ROOT, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`lifeline ${args.join(' ')} failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as Record<string, unknown>);
        } catch {
          reject(new Error(`lifeline ${args.join(' ')} printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** `lifeline tokens create --role engineer` on the data dir of `env`; returns the secret. */
export async function createEngineerToken(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const out = await runCliJson(['tokens', 'create', '--role', 'engineer', '--name', name], env);
  const secret = out['secret'];
  if (typeof secret !== 'string' || !secret.startsWith('llt_'))
    throw new Error('tokens create printed no llt_ secret');
  return secret;
}

let clockTicks: number | null = null;

/** user + system CPU seconds from a /proc stat file (of a process or of one of its threads); null if unreadable. */
function statCpuSeconds(path: string): number | null {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, all threads) of a live process, from /proc/PID/stat; null if unreadable. */
export function processCpuSeconds(pid: number): number | null {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/**
 * CPU seconds of a live process's main thread alone (/proc/PID/task/PID/stat): in a Node process,
 * the event loop (with the garbage collector's pauses), not its signing, delivery or pool threads.
 */
export function mainThreadCpuSeconds(pid: number): number | null {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}

/** The pids of `pid`'s child processes (from /proc; empty where /proc is unavailable). */
export function childPids(pid: number): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((name) => {
        try {
          const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** `read` of a process plus `read` of each of its live children (a child that ended is not counted). */
function treeSum(pid: number, read: (pid: number) => number | null): number | null {
  const own = read(pid);
  if (own === null) return null;
  return childPids(pid).reduce((sum, child) => sum + (read(child) ?? 0), own);
}

/**
 * CPU seconds of a process and its live children (`serve --processes N`: the primary and its HTTP
 * processes). A child that ended is not counted (none end during a level).
 */
export const treeCpuSeconds = (pid: number): number | null => treeSum(pid, processCpuSeconds);

/** mainThreadCpuSeconds of a process and of its live children, added up (their event loops). */
export const treeMainThreadCpuSeconds = (pid: number): number | null => treeSum(pid, mainThreadCpuSeconds);

/** Resident memory of a live process in bytes (VmRSS), or null. */
export function processRssBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface ServeChild {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  pid: number;
  /** CPU seconds used by the serve process and its HTTP processes so far (null without /proc). */
  cpuSeconds(): number | null;
  /** CPU seconds of the main threads (event loops) of the serve process and its HTTP processes. */
  eventLoopCpuSeconds(): number | null;
  /** Everything the child wrote to stderr so far (warnings; never secrets). */
  stderr(): string;
  /** SIGTERM, wait for the graceful stop, SIGKILL after `timeoutMs`. Safe to call twice. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcessWithoutNullStreams>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: no serve child outlives the bench and no data dir stays behind, whatever happened
  // (an exception, or Ctrl-C / SIGTERM of the bench: then it exits 130 / 143 after cleaning up).
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => process.exit(code));
  }
}

/** A temporary directory, removed by `removeTempDir` or, at the latest, when this process exits. */
export function tempDataDir(prefix: string): string {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/**
 * Starts `lifeline serve --host 127.0.0.1 --port 0` (with `nodeArgs` before the script, e.g.
 * `--cpu-prof`), and resolves once it printed the address it listens on.
 */
export function startServe(
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
  timeoutMs = 60_000,
  serveArgs: readonly string[] = [],
): Promise<ServeChild> {
  installExitHook();
  // BENCH_SERVE_ARGS adds `serve` options, e.g. `--no-worker` to measure the API without deliveries.
  const extra = [
    ...serveArgs,
    ...(process.env['BENCH_SERVE_ARGS'] ?? '').split(/\s+/).filter((a) => a !== ''),
  ];
  const child = spawn(
    process.execPath,
    [...nodeArgs, BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...extra],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  let stderr = '';
  const stdout: string[] = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const stop = async (stopTimeoutMs = 20_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${message}\nstdout:\n${stdout.slice(-20).join('\n')}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(
      () => fail(`lifeline serve did not listen within ${timeoutMs / 1000} s`),
      timeoutMs,
    );
    void exited.then(({ code, signal }) => fail(`lifeline serve exited (code ${code}, signal ${signal})`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      // Keep the lines (the one-time admin token line is never kept: it carries a secret).
      if (!line.includes('Bearer')) stdout.push(line);
      const m = /listening on (https?:\/\/\S+) \(/.exec(line);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        const pid = child.pid as number;
        resolve({
          url: m[1] as string,
          pid,
          cpuSeconds: () => treeCpuSeconds(pid),
          eventLoopCpuSeconds: () => treeMainThreadCpuSeconds(pid),
          stderr: () => stderr,
          stop,
        });
      }
    });
  });
}

// ───────────────────────────── measuring ─────────────────────────────

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (as bench/deliveries.ts); null for no values. */
export function percentiles(values: readonly number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sum / sorted.length,
  };
}

export const ms = (n: number | undefined | null): string =>
  n === undefined || n === null || !Number.isFinite(n) ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1);

export interface LoadResult {
  /** Wall time of the run, in seconds (from start to autocannon's done). */
  seconds: number;
  /** Response time (ms) of every response, by status code. */
  latencyByStatus: Map<number, number[]>;
  /** Responses per status code. */
  statusCounts: Record<string, number>;
  /** Connection errors and timeouts reported by autocannon. */
  errors: number;
  timeouts: number;
  /** CPU seconds of the bench process (autocannon) during the run. */
  clientCpuSeconds: number;
}

/**
 * One autocannon run (programmatic API, in this process) against `url`. Every response time is
 * kept (autocannon's own histogram has 1 ms resolution), split by status.
 */
export function load(options: autocannon.Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencyByStatus = new Map<number, number[]>();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const instance = autocannon(options, (error, result) => {
      if (error) {
        reject(error);
        return;
      }
      const used = process.cpuUsage(cpu);
      const statusCounts: Record<string, number> = {};
      for (const [code, v] of Object.entries(result.statusCodeStats)) statusCounts[code] = Number(v.count);
      resolve({
        seconds: (performance.now() - started) / 1000,
        latencyByStatus,
        statusCounts,
        errors: result.errors,
        timeouts: result.timeouts,
        clientCpuSeconds: (used.user + used.system) / 1e6,
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      let list = latencyByStatus.get(statusCode);
      if (!list) latencyByStatus.set(statusCode, (list = []));
      list.push(responseTime);
    });
  });
}

/** `{ "201": 980, "429": 3 }` → "429 ×3" for the codes other than `ok`; "-" when none. */
export function otherStatuses(counts: Record<string, number>, ok: readonly number[]): string {
  const others = Object.entries(counts).filter(([code]) => !ok.includes(Number(code)));
  return others.length === 0 ? '0' : others.map(([code, n]) => `${code} ×${n}`).join(', ');
}
