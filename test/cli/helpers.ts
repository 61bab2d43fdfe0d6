/**
 * Running the real `lifeline` command (bin/lifeline.js, which imports dist/) from tests.
 *
 * `ensureBuilt()` compiles dist/ when any file under src/ is newer than its compiled output, under a
 * lock so that test files running in parallel do not build at the same time. Type errors elsewhere
 * in the tree do not stop the build as long as the CLI is emitted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEYS_DIR } from '../helpers/vectors.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(REPO_ROOT, 'bin', 'lifeline.js');
const MAIN_JS = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
/** What bin/lifeline.js runs: the CLI bundled from dist/src by src/tools/bundle-cli.ts. */
const BUNDLE_JS = join(REPO_ROOT, 'dist', 'cli', 'main.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's standard input, which is then closed. */
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs `node bin/lifeline.js …args` and resolves with its exit code and output. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 90_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolvePromise({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => undefined); // the command may exit before reading everything
    child.stdin.end(options.input ?? '');
  });
}

/** Parses stdout as exactly one JSON value (fails the test otherwise). */
export function parseJsonOutput<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON value:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

function isStale(): boolean {
  if (!existsSync(MAIN_JS) || !existsSync(BUNDLE_JS)) return true;
  const bundled = statSync(BUNDLE_JS).mtimeMs;
  for (const ts of tsFiles(join(REPO_ROOT, 'src'))) {
    const js = join(REPO_ROOT, 'dist', relative(REPO_ROOT, ts)).replace(/\.ts$/, '.js');
    const changed = statSync(ts).mtimeMs;
    if (!existsSync(js) || statSync(js).mtimeMs < changed || bundled < changed) return true;
  }
  return false;
}

const sleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** Compiles dist/ (tsc -p tsconfig.build.json) and bundles the CLI unless they are up to date with src/. */
export function ensureBuilt(): void {
  if (!isStale()) return;
  const lock = join(
    tmpdir(),
    `lifeline-build-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}.lock`,
  );
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // another test file is building; a lock older than 3 minutes is left over from a crash
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmdirSync(lock);
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      sleep(200);
    }
  }
  try {
    if (!isStale()) return;
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (
      !existsSync(MAIN_JS) ||
      statSync(MAIN_JS).mtimeMs < statSync(join(REPO_ROOT, 'src/cli/main.ts')).mtimeMs
    ) {
      throw new Error(`the build did not emit ${MAIN_JS}:\n${built.stdout}${built.stderr}`);
    }
    const bundled = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/src/tools/bundle-cli.js')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (bundled.status !== 0) throw new Error(`bundling the CLI failed:\n${bundled.stdout}${bundled.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}

const tempDirs: string[] = [];

/** A fresh directory under the system temp dir, removed by `removeTempDirs()`. */
export function makeTempDir(prefix = 'lifeline-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A private copy of the vectors' test private key with mode 0600 (the shared copy is read-only with
 * whatever mode it has, which `--private-key` rightly refuses when group or others may read it).
 */
export function securePrivateKeyCopy(dir: string, mode = 0o600): string {
  const path = join(dir, 'test_private.pem');
  copyFileSync(join(KEYS_DIR, 'test_private.pem'), path);
  chmodSync(path, mode);
  return path;
}

/** Writes `value` as JSON to DIR/NAME and returns the path. */
export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

export const TEST_PUBLIC_KEY = join(KEYS_DIR, 'test_public.pem');
export const OTHER_PUBLIC_KEY = join(KEYS_DIR, 'other_public.pem');
