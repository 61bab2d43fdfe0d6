/**
 * SQLite lock waits happen on the event loop (sqlite/lock-wait.ts EventLoopLockWaitDialect): while
 * another process holds the write lock, a write waits without stopping this process's other work,
 * then goes through.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/adapters/store/kysely-store.js';
import { openSqliteStore, type SqliteStoreOptions } from '../../../src/adapters/store/sqlite/open.js';
import { LifelineError } from '../../../src/core/errors.js';
import { request } from './contract.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const open: { store: KyselyStore; other: BetterSqlite3.Database }[] = [];

async function lockedFile(
  options: SqliteStoreOptions = {},
): Promise<{ store: KyselyStore; other: BetterSqlite3.Database }> {
  const path = join(mkdtempSync(join(tmpdir(), 'lifeline-lockwait-')), 'lifeline.db');
  const store = openSqliteStore(path, options);
  await store.migrate();
  // Another process's connection, holding the write lock.
  const other = new BetterSqlite3(path);
  other.exec('begin immediate');
  open.push({ store, other });
  return { store, other };
}

afterEach(async () => {
  for (const { store, other } of open.splice(0)) {
    if (other.inTransaction) other.exec('rollback');
    other.close();
    await store.close();
  }
});

describe('waiting for the write lock of another process', () => {
  for (const [what, write] of [
    ['a write transaction', (s: KyselyStore) => s.transaction((tx) => tx.insertRequest(request()))],
    [
      'a single write',
      (s: KyselyStore) =>
        s.db.insertInto('rate_windows').values({ key: 'k', window_start: 1, count: 1, lim: 5 }).execute(),
    ],
  ] as const) {
    it(`${what} waits on the event loop, not in SQLite's sleeping busy handler, then succeeds`, async () => {
      const { store, other } = await lockedFile();
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      try {
        let done = false;
        const writing = (write(store) as Promise<unknown>).then(() => {
          done = true;
        });
        await sleep(400);
        expect(done).toBe(false);
        // The event loop kept turning while the write waited (a sleeping busy handler would block it).
        expect(ticks).toBeGreaterThan(25);
        other.exec('commit');
        await writing;
        expect(done).toBe(true);
      } finally {
        clearInterval(timer);
      }
    });
  }

  it('gives up after the lock wait (15 s; here 300 ms): 503-kind INFRASTRUCTURE, retryable, nothing written', async () => {
    const { store, other } = await lockedFile({ lockWaitMs: 300 });
    const made = [request(), request(), request()];
    const started = Date.now();
    const results = await Promise.allSettled(made.map((r) => store.transaction((tx) => tx.insertRequest(r))));
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(300);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as LifelineError;
      expect(error).toBeInstanceOf(LifelineError);
      expect(error.code).toBe('INFRASTRUCTURE');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe('the SQLite database stayed locked by another process for 0.3 s');
    }
    other.exec('commit');
    for (const r of made) expect(await store.getRequest(r.id)).toBeNull();
    // Once the lock is free, the same write goes through.
    await store.transaction((tx) => tx.insertRequest(made[0]!));
    expect(await store.getRequest(made[0]!.id)).toEqual(made[0]);
  });
});
