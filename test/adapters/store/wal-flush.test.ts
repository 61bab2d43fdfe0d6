/**
 * The group commit: concurrent flushes share fdatasync calls, a flush asked for while a sync runs
 * waits for a later one (its commit may be newer than that sync), a replaced WAL is reopened, a
 * missing one needs nothing; and the SQLite store awaits it after every write.
 */
import { mkdtempSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/open.js';
import { WalFlusher } from '../../../src/adapters/store/sqlite/wal-flush.js';

const dir = () => mkdtempSync(join(tmpdir(), 'lifeline-wal-'));

function slowSync(log: { start: number; end: number; inode: number }[], ms = 30) {
  return async (handle: FileHandle) => {
    const start = performance.now();
    const inode = (await handle.stat()).ino;
    await sleep(ms);
    log.push({ start, end: performance.now(), inode });
  };
}

describe('WalFlusher', () => {
  it('twenty concurrent flushes share at most two syncs', async () => {
    const path = join(dir(), 'x-wal');
    writeFileSync(path, 'frames');
    const log: { start: number; end: number; inode: number }[] = [];
    const flusher = new WalFlusher(path, slowSync(log));
    await Promise.all(Array.from({ length: 20 }, () => flusher.flush()));
    expect(log.length).toBeGreaterThanOrEqual(1);
    expect(log.length).toBeLessThanOrEqual(2);
    expect(flusher.syncs).toBe(log.length);
    await flusher.close();
  });

  it('a flush asked for while a sync runs resolves only after a sync that started after it', async () => {
    const path = join(dir(), 'x-wal');
    writeFileSync(path, 'frames');
    const log: { start: number; end: number; inode: number }[] = [];
    const flusher = new WalFlusher(path, slowSync(log, 50));
    const first = flusher.flush();
    await sleep(10); // the first sync is running now
    const askedAt = performance.now();
    let resolvedAt = 0;
    const second = flusher.flush().then(() => (resolvedAt = performance.now()));
    await Promise.all([first, second]);
    expect(log).toHaveLength(2);
    expect(log[1]!.start).toBeGreaterThanOrEqual(askedAt);
    expect(resolvedAt).toBeGreaterThanOrEqual(log[1]!.end);
    await flusher.close();
  });

  it('reopens a WAL that was replaced, and needs nothing when there is none', async () => {
    const d = dir();
    const path = join(d, 'x-wal');
    const log: { start: number; end: number; inode: number }[] = [];
    const flusher = new WalFlusher(path, slowSync(log, 1));
    await flusher.flush(); // no file: nothing to sync
    expect(log).toHaveLength(0);
    writeFileSync(path, 'one');
    await flusher.flush();
    writeFileSync(join(d, 'other'), 'two');
    renameSync(join(d, 'other'), path); // a new inode at the same path
    await flusher.flush();
    expect(log.map((l) => l.inode)).toEqual([log[0]!.inode, statSync(path).ino]);
    expect(log[0]!.inode).not.toBe(log[1]!.inode);
    await flusher.close();
  });
});

describe('the SQLite store', () => {
  it('syncs the WAL after its writes, and concurrent transactions share syncs', async () => {
    const store = openSqliteStore(join(dir(), 'lifeline.db'));
    await store.migrate();
    const before = store.walSyncs;
    await store.inTransaction(async (db) => {
      await db.insertInto('rate_windows').values({ key: 'k0', window_start: 0, count: 1, lim: 1 }).execute();
    });
    expect(store.walSyncs).toBe(before + 1);
    const n = 40;
    const start = store.walSyncs;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        store.inTransaction(async (db) => {
          await db
            .insertInto('rate_windows')
            .values({ key: `k${i + 1}`, window_start: 0, count: 1, lim: 1 })
            .execute();
        }),
      ),
    );
    const used = store.walSyncs - start;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(n);
    const rows = await store.db.selectFrom('rate_windows').select('key').execute();
    expect(rows).toHaveLength(n + 1);
    await store.close();
  });
});
