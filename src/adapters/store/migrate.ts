/**
 * Migrating a store to the latest schema, safe when several processes start at once: SQLite waits on
 * a lock file, PostgreSQL's schema is created if missing and Kysely's own lock serialises the rest.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Migrator, sql } from 'kysely';
import { LifelineError } from '../../core/errors.js';
import type { Db, Dialect } from './executor.js';
import { migrationProvider } from './migrations.js';

export interface MigrationTarget {
  db: Db;
  dialect: Dialect;
  /** PostgreSQL: the schema the store lives in, when not the default. */
  schema?: string;
  /** SQLite: a file locked while migrating. */
  migrationLockPath?: string;
  /** Called once the schema is migrated (SQLite: switches lock waits to the event loop). */
  onMigrated?: () => void;
}

/** Turns driver errors into LifelineError('INFRASTRUCTURE', retryable) without leaking SQL or values. */
function infrastructure(error: unknown, what: string): never {
  if (error instanceof LifelineError) throw error;
  const code = (error as { code?: unknown }).code;
  throw new LifelineError(
    'INFRASTRUCTURE',
    `the database failed while ${what}${code ? ` (${String(code)})` : ''}`,
    {
      retryable: true,
      cause: error,
    },
  );
}

export async function migrateStore(target: MigrationTarget): Promise<{ applied: string[] }> {
  if (target.dialect === 'sqlite' && target.migrationLockPath) {
    // Kysely takes no lock on SQLite. BEGIN IMMEDIATE on a separate lock database waits
    // (busy_timeout) while another process holds it; the OS releases it if that process dies.
    const lock = new BetterSqlite3(target.migrationLockPath);
    try {
      lock.pragma('busy_timeout = 120000');
      try {
        lock.exec('begin immediate');
      } catch (error) {
        infrastructure(error, 'waiting for another process to finish migrating');
      }
      return await migrateUnlocked(target);
    } finally {
      if (lock.inTransaction) lock.exec('rollback');
      lock.close();
    }
  }
  return migrateUnlocked(target);
}

async function migrateUnlocked({
  db,
  dialect,
  schema,
  onMigrated,
}: MigrationTarget): Promise<{ applied: string[] }> {
  let migrationTableSchema: string | undefined;
  if (dialect === 'postgres') {
    // Concurrent `create schema if not exists` may still fail on the catalog's unique index.
    if (schema) {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db).catch(async (e) => {
        const found = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db);
        if (found.rows.length === 0) infrastructure(e, 'creating the schema');
      });
    }
    // Kysely looks for its migration tables in every schema unless told which: a second schema in
    // the same database would otherwise find the first one's tables and never create its own.
    const current = await sql<{ s: string | null }>`select current_schema() as s`
      .execute(db)
      .catch((e: unknown) => infrastructure(e, 'migrating the schema'));
    migrationTableSchema = schema ?? current.rows[0]?.s ?? 'public';
  }
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // SQLite has no migration lock across processes in Kysely: when another process migrated at the
  // same moment, our attempt rolled back ("already exists"); the next attempt finds it done.
  for (let attempt = 0; error && dialect === 'sqlite' && attempt < 5; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error) infrastructure(error, 'migrating the schema');
  onMigrated?.();
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
