/**
 * What the integration tests share: child processes running test/fixtures/issue-worker.mjs or the
 * real CLI against a temporary SQLite file or a throw-away PostgreSQL database, and the store
 * invariants checked after every race or crash.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import {
  openPostgresStore,
  openSqliteStore,
  type KyselyStore,
} from '../../src/adapters/store/kysely-store.js';
import { KEYS_DIR } from '../helpers/vectors.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = join(REPO_ROOT, 'bin', 'lifeline.js');
export const WORKER = join(REPO_ROOT, 'test', 'fixtures', 'issue-worker.mjs');
export const TEST_PUBLIC_KEY = join(KEYS_DIR, 'test_public.pem');

// ───────────────────────────── temp dirs and keys ─────────────────────────────

const tempDirs: string[] = [];

export function tempDir(prefix = 'lifeline-it-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The vectors' test private key, copied into `dir` with mode 0600 (the key loader refuses wider modes). */
export function testSigningKey(dir: string): string {
  const path = join(dir, 'signing.pem');
  copyFileSync(join(KEYS_DIR, 'test_private.pem'), path);
  chmodSync(path, 0o600);
  return path;
}

/**
 * A minimal environment for a child: no variable of the developer's shell (LIFELINE_ENV, DATABASE_URL…)
 * leaks into the test; the signing key is given, so no child generates a development key.
 */
export function childEnv(
  dataDir: string,
  databaseUrl: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? tmpdir(),
    TZ: 'UTC',
    NO_COLOR: '1',
    LIFELINE_DATA_DIR: dataDir,
    LIFELINE_ALLOW_PINNED_DATES: 'true',
    DATABASE_URL: databaseUrl,
    LIFELINE_SIGNING_KEY_FILE: testSigningKey(dataDir),
    ...extra,
  };
}

// ───────────────────────────── child processes ─────────────────────────────

/** A child process whose stdout is read line by line; `waitFor` resolves on the first matching line. */
export class Child {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcessWithoutNullStreams;
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.process = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdin.on('error', () => undefined);
    this.process.stderr.setEncoding('utf8');
    this.process.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    createInterface({ input: this.process.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    this.exited = new Promise((resolvePromise) => {
      this.process.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolvePromise(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  /** The first line (already read or still to come) for which `match` holds; fails on exit or timeout. */
  waitFor(match: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for a line\n${this.describe()}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolvePromise(line);
        },
      });
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the child exited before printing the line\n${this.describe()}`));
      });
    });
  }

  send(text: string): void {
    this.process.stdin.write(text);
  }

  endInput(): void {
    this.process.stdin.end();
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.process.kill(signal);
  }

  describe(): string {
    return `stdout:\n${this.lines.slice(-20).join('\n')}\nstderr:\n${this.stderr}`;
  }
}

export const worker = (args: readonly string[], env: NodeJS.ProcessEnv): Child =>
  new Child([WORKER, ...args], env);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/lifeline.js …args` with exactly `env`. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<CliResult> {
  const child = new Child([BIN, ...args], env);
  child.endInput();
  const timer = setTimeout(() => child.kill(), timeoutMs);
  const { code } = await child.exited;
  clearTimeout(timer);
  return { code, stdout: child.lines.map((l) => `${l}\n`).join(''), stderr: child.stderr };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ───────────────────────────── PostgreSQL ─────────────────────────────

export const POSTGRES_URL =
  process.env['LIFELINE_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const POSTGRES_REQUIRED = process.env['LIFELINE_REQUIRE_POSTGRES'] === '1';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({
    connectionString: withDatabase(POSTGRES_URL, 'postgres'),
    connectionTimeoutMillis: 3000,
  });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Whether PostgreSQL answers at POSTGRES_URL (through its `postgres` database, where tests create theirs). */
export async function probePostgres(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await adminQuery('select 1');
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      reason: `PostgreSQL is not reachable at ${POSTGRES_URL}: ${(error as Error).message}`,
    };
  }
}

/** Probes once per test file; logs why PostgreSQL tests are skipped; throws when they are required. */
export async function postgresForTests(): Promise<boolean> {
  const probe = await probePostgres();
  if (probe.ok) return true;
  if (POSTGRES_REQUIRED) throw new Error(`${probe.reason} (LIFELINE_REQUIRE_POSTGRES=1)`);
  console.warn(`skipping the PostgreSQL integration tests: ${probe.reason}`);
  return false;
}

/** A fresh database `lifeline_t_<random>`; `drop()` removes it (disconnecting whoever is left). */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `lifeline_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  return {
    url: withDatabase(POSTGRES_URL, name),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

// ───────────────────────────── the store ─────────────────────────────

export function openStore(databaseUrl: string): KyselyStore {
  return databaseUrl.startsWith('sqlite:')
    ? openSqliteStore(databaseUrl.slice('sqlite:'.length))
    : openPostgresStore({ url: databaseUrl, poolSize: 2 });
}

export async function withStore<T>(databaseUrl: string, run: (store: KyselyStore) => Promise<T>): Promise<T> {
  const store = openStore(databaseUrl);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

export interface Counts {
  requests: number;
  licenses: number;
  deliveries: number;
  audit: number;
}

async function count(store: KyselyStore, query: string): Promise<number> {
  const result = await sql<{ n: number | string }>`${sql.raw(query)}`.execute(store.db);
  return Number(result.rows[0]?.n ?? NaN);
}

export async function counts(store: KyselyStore, ticketId?: string): Promise<Counts> {
  if (ticketId !== undefined) {
    const t = `'${ticketId.replace(/'/g, "''")}'`;
    const ofTicket = `request_id in (select id from requests where ticket_id = ${t})`;
    return {
      requests: await count(store, `select count(*) as n from requests where ticket_id = ${t}`),
      licenses: await count(store, `select count(*) as n from licenses where ${ofTicket}`),
      deliveries: await count(store, `select count(*) as n from deliveries where ${ofTicket}`),
      audit: await count(store, `select count(*) as n from audit_log where ${ofTicket}`),
    };
  }
  return {
    requests: await count(store, 'select count(*) as n from requests'),
    licenses: await count(store, 'select count(*) as n from licenses'),
    deliveries: await count(store, 'select count(*) as n from deliveries'),
    audit: await count(store, 'select count(*) as n from audit_log'),
  };
}

/** Ids of rows matching `query` (its first column), for readable failures. */
async function ids(store: KyselyStore, query: string): Promise<string[]> {
  const result = await sql<{ id: string }>`${sql.raw(query)}`.execute(store.db);
  return result.rows.map((r) => String(r.id));
}

/**
 * The all-or-nothing invariants of an issue, as a list of violations (empty when all hold):
 * every issued request has exactly one license, exactly four deliveries and at least one audit entry;
 * every license, delivery and audit entry belongs to an existing request; only a holding status holds
 * a ticket; the audit chain verifies; and issued requests and licenses are equally many.
 */
export async function invariantViolations(store: KyselyStore): Promise<string[]> {
  const problems: string[] = [];
  const check = async (what: string, query: string): Promise<void> => {
    const bad = await ids(store, query);
    if (bad.length > 0) problems.push(`${what}: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`);
  };
  await check(
    'issued request without exactly one license',
    `select r.id from requests r where r.status = 'issued' and (select count(*) from licenses l where l.request_id = r.id) <> 1`,
  );
  await check(
    'issued request without exactly four deliveries',
    `select r.id from requests r where r.status = 'issued' and (select count(*) from deliveries d where d.request_id = r.id) <> 4`,
  );
  await check(
    'issued request without an audit entry',
    `select r.id from requests r where r.status = 'issued' and not exists (select 1 from audit_log a where a.request_id = r.id)`,
  );
  await check(
    'license without its request',
    'select l.id from licenses l where not exists (select 1 from requests r where r.id = l.request_id)',
  );
  await check(
    'license of a request that is not issued',
    `select l.id from licenses l join requests r on r.id = l.request_id where r.status not in ('issued', 'voided')`,
  );
  await check(
    'delivery without its request',
    'select d.id from deliveries d where not exists (select 1 from requests r where r.id = d.request_id)',
  );
  await check(
    'audit entry of a request that does not exist',
    'select a.id from audit_log a where a.request_id is not null and not exists (select 1 from requests r where r.id = a.request_id)',
  );
  await check(
    'request holding a ticket without a holding status',
    `select id from requests where ticket_claim is not null and status not in ('issued', 'pending_approval', 'voided')`,
  );
  await check(
    'request in a holding status that does not hold its ticket',
    `select id from requests where status in ('issued', 'pending_approval', 'voided') and (ticket_claim is null or ticket_claim <> ticket_id)`,
  );
  const audit = await store.verifyAudit();
  if (!audit.ok) problems.push(`audit chain broken at ${audit.brokenAt?.seq}: ${audit.brokenAt?.reason}`);
  const issued = await count(store, `select count(*) as n from requests where status = 'issued'`);
  const licenses = await count(store, 'select count(*) as n from licenses');
  if (issued !== licenses) problems.push(`${issued} issued requests but ${licenses} licenses`);
  return problems;
}
