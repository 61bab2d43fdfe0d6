/**
 * Backup and restore of the embedded default's SQLite database, through SQLite's online backup API
 * (better-sqlite3 `db.backup()`): a consistent copy taken while other processes keep writing, and a
 * restore that writes pages under SQLite's own locks. PostgreSQL has pg_dump / pg_restore instead.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { LifelineError } from '../../../core/errors.js';
import type { AuditVerification } from '../../../core/ports.js';
import { openSqliteStore } from './open.js';
import { migrationProvider } from '../migrations.js';

export const POSTGRES_BACKUP_ADVICE =
  'for PostgreSQL use its own tools: pg_dump --format=custom --file=lifeline.dump "$DATABASE_URL" to back up, ' +
  'and pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" lifeline.dump to restore (see docs/deployment.md)';

import type { DatabaseFacts } from '../../../core/operations/ports.js';

const REQUIRED_TABLES = ['kysely_migration', 'requests', 'licenses', 'deliveries', 'audit_log', 'audit_head'];

/**
 * Checks that `path` is a sound Lifeline database: SQLite's integrity check passes, the Lifeline
 * tables and the migrations table are there, its migrations are ones this version knows, and its
 * audit trail verifies. Throws a coded error naming the problem.
 */
export async function inspectLifelineDatabase(path: string): Promise<DatabaseFacts> {
  if (!existsSync(path)) throw new LifelineError('USAGE', `${path} does not exist`);
  let migrations: string[];
  let requests = 0;
  let licenses = 0;
  let db: BetterSqlite3.Database | null = null;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') {
      throw new LifelineError(
        'VALIDATION_FAILED',
        `${path} fails SQLite's integrity check (${String(integrity)})`,
      );
    }
    const tables = new Set(
      (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) {
      throw new LifelineError(
        'VALIDATION_FAILED',
        `${path} is not a Lifeline database (no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''})`,
      );
    }
    migrations = (
      db.prepare('select name from kysely_migration order by name').all() as { name: string }[]
    ).map((r) => r.name);
    requests = Number((db.prepare('select count(*) as n from requests').get() as { n: number }).n);
    licenses = Number((db.prepare('select count(*) as n from licenses').get() as { n: number }).n);
  } catch (error) {
    if (error instanceof LifelineError) throw error;
    throw new LifelineError(
      'VALIDATION_FAILED',
      `${path} is not a readable SQLite database (${(error as { code?: string }).code ?? 'unreadable'})`,
    );
  } finally {
    db?.close();
  }
  const known = Object.keys(await migrationProvider.getMigrations());
  const unknown = migrations.filter((m) => !known.includes(m));
  if (unknown.length > 0) {
    throw new LifelineError(
      'VALIDATION_FAILED',
      `${path} was written by a newer Lifeline (migrations ${unknown.join(', ')} are unknown to this version)`,
    );
  }
  // The audit check goes through the store, which opens the file read-write: use a private copy.
  const audit = await verifyCopy(path);
  return { path, bytes: statSync(path).size, requests, licenses, migrations, audit };
}

async function verifyCopy(path: string): Promise<AuditVerification> {
  const dir = join(dirname(path), `.lifeline-verify-${randomBytes(6).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  try {
    const copy = join(dir, basename(path));
    const source = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
    try {
      await source.backup(copy);
    } finally {
      source.close();
    }
    const store = openSqliteStore(copy);
    try {
      return await store.verifyAudit();
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Copies the live database at `source` to `destination` with SQLite's online backup (a consistent
 * snapshot while other processes write), through a temporary file renamed into place (mode 0600).
 */
export async function backupSqlite(source: string, destination: string): Promise<void> {
  if (!existsSync(source)) {
    throw new LifelineError('USAGE', `there is no database at ${source} to back up`);
  }
  mkdirSync(dirname(destination), { recursive: true });
  const temp = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.tmp`);
  const db = new BetterSqlite3(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 15000');
    // All remaining pages in each step: the copy is taken under one read lock, so writers of other
    // processes cannot make it start over again and again.
    await db.backup(temp, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
    // It holds customers' data and license texts: readable by its owner only.
    chmodSync(temp, 0o600);
    renameSync(temp, destination);
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof LifelineError) throw error;
    throw failed('backup', error);
  } finally {
    db.close();
  }
}

/** What is at `target` now: whether it exists, how many requests and tokens it holds, whether it is open. */
export function describeTarget(target: string): { exists: boolean; rows: number; inUse: boolean } {
  if (!existsSync(target)) return { exists: false, rows: 0, inUse: false };
  // A write-ahead log next to the file exists while some process has the database open (or crashed).
  const inUse = existsSync(`${target}-wal`) && statSync(`${target}-wal`).size > 0;
  let rows = 0;
  let db: BetterSqlite3.Database | null = null;
  try {
    db = new BetterSqlite3(target, { readonly: true, fileMustExist: true });
    for (const table of ['requests', 'api_tokens']) {
      try {
        rows += Number((db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n);
      } catch {
        // no such table: nothing in it
      }
    }
  } catch {
    rows = statSync(target).size > 0 ? 1 : 0;
  } finally {
    db?.close();
  }
  return { exists: true, rows, inUse };
}

/**
 * Replaces the database at `target` with the backup at `source` through the backup API (SQLite takes
 * the target's locks, so a reader sees the old or the new database, never a mix).
 */
export async function restoreSqlite(source: string, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
  } catch (error) {
    throw failed('restore', error);
  } finally {
    db.close();
  }
}

/** A failure of SQLite's backup API, named by the driver's code (or its message). */
function failed(what: 'backup' | 'restore', error: unknown): LifelineError {
  const cause = (error as { code?: string }).code ?? (error as Error).message;
  return new LifelineError('INFRASTRUCTURE', `the ${what} failed (${cause})`, { cause: error });
}
