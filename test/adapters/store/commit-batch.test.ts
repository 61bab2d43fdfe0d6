/**
 * SQLite commit batching (KyselyStore.sqliteTransaction): write transactions asked for together share
 * one commit, each in its own savepoint. One that fails is rolled back alone; a failed COMMIT stores
 * none of them and rejects every one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/adapters/store/kysely-store.js';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/open.js';
import { license, request } from './contract.js';

const stores: KyselyStore[] = [];
let path = '';
async function fresh(): Promise<KyselyStore> {
  path = join(mkdtempSync(join(tmpdir(), 'lifeline-batch-')), 'lifeline.db');
  const store = openSqliteStore(path);
  await store.migrate();
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('write transactions asked for together', () => {
  it('commit together; the one that fails is rolled back alone and gets its own error', async () => {
    const store = await fresh();
    const made = Array.from({ length: 12 }, () => request());
    let committedBeforeTheLast = -1;
    const results = await Promise.allSettled(
      made.map((r, i) =>
        store.transaction(async (tx) => {
          await tx.insertRequest(r);
          await tx.insertLicense(license(r.id));
          if (i === 5) throw new Error('work 5 changed its mind');
          if (i === made.length - 1) {
            // Another connection sees none of the earlier works yet: they are in this same transaction.
            const other = new BetterSqlite3(path, { readonly: true });
            committedBeforeTheLast = (
              other.prepare('select count(*) as n from requests').get() as { n: number }
            ).n;
            other.close();
          }
          return r.id;
        }),
      ),
    );
    expect(committedBeforeTheLast).toBe(0);
    expect(results.map((x) => x.status)).toEqual(made.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    expect((results[5] as PromiseRejectedResult).reason).toEqual(new Error('work 5 changed its mind'));
    expect((results[0] as PromiseFulfilledResult<string>).value).toBe(made[0]?.id);
    for (const [i, r] of made.entries()) {
      expect(await store.getRequest(r.id), `request ${i}`).toEqual(i === 5 ? null : r);
      expect((await store.getLicenseForRequest(r.id)) === null, `license ${i}`).toBe(i === 5);
    }
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 0 });
  });

  it('a COMMIT that fails stores none of the batch and rejects every one', async () => {
    const store = await fresh();
    const made = Array.from({ length: 3 }, () => request());
    const results = await Promise.allSettled(
      made.map((r, i) =>
        store.transaction(async (tx) => {
          await tx.insertRequest(r);
          if (i === 1) {
            // A foreign-key check deferred to COMMIT: a license of a request that does not exist.
            await sql`pragma defer_foreign_keys = on`.execute((tx as unknown as { db: Kysely<unknown> }).db);
            await tx.insertLicense(license('req_missing'));
          }
        }),
      ),
    );
    expect(results.map((x) => x.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/i);
    for (const r of made) expect(await store.getRequest(r.id)).toBeNull();
    // The store goes on: the next transaction commits.
    const next = request();
    await store.transaction((tx) => tx.insertRequest(next));
    expect(await store.getRequest(next.id)).toEqual(next);
  });
});

describe('the statement journal of a batch', () => {
  it('is kept in memory (temp_store = MEMORY), not spilled to a temporary file per batch', async () => {
    const store = await fresh();
    const { rows } = await sql<{ temp_store: number }>`pragma temp_store`.execute(store.db);
    expect(rows[0]?.temp_store).toBe(2);
  });
});

describe('while a WAL sync runs', () => {
  it('the write transactions that arrive wait for it and then share one commit; a rate-limit count does not wait', async () => {
    path = join(mkdtempSync(join(tmpdir(), 'lifeline-batch-')), 'lifeline.db');
    let hold = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const store = openSqliteStore(path, {
      syncWal: async (handle) => {
        if (hold) await gate;
        await handle.datasync();
      },
    });
    stores.push(store);
    await store.migrate();
    try {
      const commitsAtStart = store.commits;
      hold = true;
      const first = request();
      const firstDone = store.transaction((tx) => tx.insertRequest(first));
      while (store.commits === commitsAtStart) await new Promise((r) => setImmediate(r));
      // Committed; its sync waits at the gate. Ten more arrive, each in its own turn of the event loop.
      const later = Array.from({ length: 10 }, () => request());
      const laterDone: Promise<unknown>[] = [];
      for (const r of later) {
        laterDone.push(store.transaction((tx) => tx.insertRequest(r)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(store.commits).toBe(commitsAtStart + 1);
      // A write answered without a sync is committed at once, and the waiting ones go with it.
      const counted = await store.inTransactionUnsynced(async (db) => {
        await sql`insert into rate_windows (key, window_start, count, lim) values ('k', 1, 1, 5)`.execute(db);
        return 'counted';
      });
      expect(counted).toBe('counted');
      expect(store.commits).toBe(commitsAtStart + 2);
      // The synced ones are answered only once their commit is on disk: after the gate opens.
      let answered = 0;
      for (const p of [firstDone, ...laterDone]) void p.then(() => answered++);
      await new Promise((r) => setTimeout(r, 50));
      expect(answered).toBe(0);
      release();
      await Promise.all([firstDone, ...laterDone]);
      expect(store.commits).toBe(commitsAtStart + 2);
      for (const r of [first, ...later]) expect(await store.getRequest(r.id)).toEqual(r);
    } finally {
      release(); // a failed expectation must not leave the store's close waiting at the gate
    }
  });

  it('without a sync running, a write transaction commits at once', async () => {
    const store = await fresh();
    const before = store.commits;
    const r = request();
    await store.transaction((tx) => tx.insertRequest(r));
    expect(store.commits).toBe(before + 1);
    await store.transaction((tx) => tx.insertRequest(request()));
    expect(store.commits).toBe(before + 2);
  });
});
