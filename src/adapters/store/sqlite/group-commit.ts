/**
 * SQLite's group commit: the write transactions asked for in one turn of the event loop share one
 * BEGIN IMMEDIATE … COMMIT, each in its own savepoint, so they share the commit's page writes and lock round trips.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { setDirectRunner } from '../compiled-statements.js';
import type { Db, Executor } from '../executor.js';
import { runOnSqlite } from './statement-cache.js';
import type { WalFlusher } from './wal-flush.js';

/** At most this many write transactions share one SQLite commit. */
const MAX_BATCH = 64;

/** A write transaction waiting for its SQLite batch (SqliteGroupCommit.run). */
interface QueuedWork {
  work: (db: Executor) => Promise<unknown>;
  /** Its caller awaits the WAL sync after the commit (inTransaction; not inTransactionUnsynced). */
  synced: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SqliteGroupCommit {
  private readonly batchQueue: QueuedWork[] = [];
  private batching = false;
  /** Ends the drain's wait for a running WAL sync (a work that must not wait, or a full batch). */
  private wakeDrain: (() => void) | null = null;
  /** How many batches were committed (for tests). */
  commits = 0;

  constructor(
    private readonly db: Db,
    /** The connection, on which the compiled statements run directly where they may. */
    private readonly sqlite?: BetterSqlite3.Database,
    /** The WAL sync the batch waits for while it runs (wal-flush.ts). */
    private readonly flusher?: WalFlusher,
  ) {}

  /**
   * Queues `work` for the next batch. A work that fails is rolled back alone (its savepoint) and its
   * caller gets its error; a failed COMMIT rejects every work of the batch, none of which is then
   * stored. Each caller is answered only after the batch committed. BEGIN IMMEDIATE takes the write
   * lock at once, so another process waits instead of failing when it upgrades a read lock later.
   */
  run<T>(work: (db: Executor) => Promise<T>, synced: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.batchQueue.push({ work, synced, resolve: resolve as (value: unknown) => void, reject });
      if (!synced || this.batchQueue.length >= MAX_BATCH) this.wakeDrain?.();
      if (!this.batching) {
        this.batching = true;
        setImmediate(() => void this.drainBatches());
      }
    });
  }

  private async drainBatches(): Promise<void> {
    try {
      while (this.batchQueue.length > 0) {
        // While a WAL sync runs, a commit made now would wait for the next sync anyway: the works
        // that arrive meanwhile join this batch instead (fewer, larger commits; no later answer).
        // A work answered without a sync (a rate-limit count) is committed at once.
        const syncing = this.flusher?.syncing;
        if (syncing && this.batchQueue.length < MAX_BATCH && this.batchQueue.every((w) => w.synced)) {
          await new Promise<void>((resolve) => {
            this.wakeDrain = resolve;
            void syncing.then(resolve);
          });
          this.wakeDrain = null;
        }
        await this.commitBatch(this.batchQueue.splice(0, MAX_BATCH));
      }
    } finally {
      this.batching = false;
    }
  }

  private async commitBatch(batch: QueuedWork[]): Promise<void> {
    const outcomes: (() => void)[] = [];
    try {
      await this.db.connection().execute(async (conn) => {
        // BEGIN IMMEDIATE through the executor, which waits for another process's lock.
        await sql`begin immediate`.execute(conn);
        // From here this batch holds the connection and its transaction: the compiled statements of
        // its works, and the batch's own, run on it at once (compiled-statements.ts).
        const database = this.sqlite;
        const run = (text: string): Promise<unknown> =>
          database ? Promise.resolve(runOnSqlite(database, text, [])) : sql.raw(text).execute(conn);
        if (database) setDirectRunner(conn, (text, parameters) => runOnSqlite(database, text, parameters));
        try {
          for (const item of batch) {
            if (batch.length === 1) {
              const result = await item.work(conn);
              outcomes.push(() => item.resolve(result));
              continue;
            }
            await run('savepoint lifeline_work');
            try {
              const result = await item.work(conn);
              await run('release lifeline_work');
              outcomes.push(() => item.resolve(result));
            } catch (error) {
              await run('rollback to lifeline_work');
              await run('release lifeline_work');
              outcomes.push(() => item.reject(error));
            }
          }
          await run('commit');
          this.commits++;
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        } finally {
          setDirectRunner(conn, null);
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const settle of outcomes) settle();
  }
}
