/**
 * SQLite lock waits on the event loop: SQLite's busy handler sleeps the thread, which in a server is
 * every request; this dialect instead retries a statement refused with SQLITE_BUSY after yielding.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, type CompiledQuery } from 'kysely';
import { LifelineError } from '../../../core/errors.js';

/** How long a SQLite statement waits for another process's write lock (as busy_timeout did). */
export const SQLITE_LOCK_WAIT_MS = 15_000;

/**
 * Once migrated (`busy_timeout = 0`, see openSqliteStore), a statement refused with SQLITE_BUSY
 * outside a transaction — BEGIN IMMEDIATE, or a single write — is tried again after yielding to the
 * event loop, with a short randomised pause, for up to `lockWaitMs`. Inside a transaction the lock is
 * already held (every write transaction begins IMMEDIATE), so a BUSY there is passed on as before.
 */
export class EventLoopLockWaitDialect extends SqliteDialect {
  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly lockWaitMs: number,
  ) {
    super({ database });
  }

  override createDriver(): ReturnType<SqliteDialect['createDriver']> {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    const patched = new WeakSet<object>();
    const { database, lockWaitMs } = this;
    driver.acquireConnection = async () => {
      const connection = await acquire();
      if (!patched.has(connection)) {
        const execute = connection.executeQuery.bind(connection);
        connection.executeQuery = async <R>(query: CompiledQuery) => {
          const deadline = Date.now() + lockWaitMs;
          for (let attempt = 0; ; attempt++) {
            try {
              return await execute<R>(query);
            } catch (error) {
              // SQLITE_BUSY and its transient kinds (e.g. _RECOVERY); not _SNAPSHOT, which waiting
              // cannot cure (and which only a read-then-write transaction gets: ours begin IMMEDIATE).
              const code = (error as { code?: unknown } | null)?.code;
              const busy =
                typeof code === 'string' && code.startsWith('SQLITE_BUSY') && code !== 'SQLITE_BUSY_SNAPSHOT';
              if (!busy || database.inTransaction) throw error;
              if (Date.now() >= deadline) {
                // Another process kept the lock all along (a stuck `lifeline` or a tool holding the
                // file): the API answers 503 "try again", not 500.
                throw new LifelineError(
                  'INFRASTRUCTURE',
                  `the SQLite database stayed locked by another process for ${lockWaitMs / 1000} s`,
                  { retryable: true, cause: error },
                );
              }
              await lockPause(attempt);
            }
          }
        };
        patched.add(connection);
      }
      return connection;
    };
    return driver;
  }
}

/**
 * The pause before the next try for a lock: the next turn of the event loop twice, then about a
 * millisecond, randomised so two waiting processes do not try in step. Another process holds the
 * lock for one batch, about a millisecond; longer pauses left both processes idle (docs/performance.md).
 */
function lockPause(attempt: number): Promise<void> {
  if (attempt < 2) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, 0.5 + Math.random()));
}
