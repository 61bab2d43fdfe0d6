/** Opens the embedded default: a SQLite file (WAL, group commit, lock waits on the event loop) or `:memory:`. */
import { mkdirSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { setDirectRunner } from '../compiled-statements.js';
import { KyselyStore } from '../kysely-store.js';
import type { Database } from '../schema.js';
import { SqliteGroupCommit } from './group-commit.js';
import { EventLoopLockWaitDialect, SQLITE_LOCK_WAIT_MS } from './lock-wait.js';
import { reuseStatements, runAlone } from './statement-cache.js';
import { WalFlusher } from './wal-flush.js';

export interface SqliteStoreOptions {
  /** How the group commit syncs the WAL file (tests slow it down); default: fdatasync. */
  syncWal?: (handle: FileHandle) => Promise<void>;
  /** How long a write waits for another process's lock (default SQLITE_LOCK_WAIT_MS; tests shorten it). */
  lockWaitMs?: number;
}

/**
 * Switches the file to WAL (it stays so). On a fresh file opened by several processes at the same
 * moment, SQLite can answer SQLITE_BUSY at once, without waiting for the busy timeout: try again,
 * briefly, instead of failing the start.
 */
function enableWal(database: BetterSqlite3.Database): void {
  for (let attempt = 1; ; attempt++) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 200) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 40);
    }
  }
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): KyselyStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('busy_timeout = 15000');
  enableWal(database);
  database.pragma('foreign_keys = ON');
  // A file database commits with NORMAL and is made durable by the group commit (wal-flush.ts)
  // before any write is answered; an in-memory one has nothing to sync.
  database.pragma(path === ':memory:' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  // Each work of a commit batch runs in a savepoint, whose statement journal keeps the original of
  // every page the work changes; past 64 KiB SQLite spills it to a temporary file per batch.
  database.pragma('temp_store = MEMORY');
  reuseStatements(database);
  const db = new Kysely<Database>({
    dialect: new EventLoopLockWaitDialect(database, options.lockWaitMs ?? SQLITE_LOCK_WAIT_MS),
  });
  // Outside a transaction a compiled statement runs at once; one that finds the lock taken goes
  // through the executor, which waits for it (EventLoopLockWaitDialect).
  setDirectRunner(db, (text, parameters) =>
    database.inTransaction ? null : runAlone(database, text, parameters),
  );
  const flusher = path === ':memory:' ? undefined : new WalFlusher(`${path}-wal`, options.syncWal);
  return new KyselyStore({
    db,
    dialect: 'sqlite',
    migrationLockPath: path === ':memory:' ? undefined : `${path}.migrate-lock`,
    flusher,
    groupCommit: new SqliteGroupCommit(db, database, flusher),
    // Migrating waited in SQLite's busy handler (the migrator's own transactions cannot be retried
    // statement by statement); from now on lock waits are EventLoopLockWaitDialect's.
    onMigrated: () => database.pragma('busy_timeout = 0'),
  });
}
