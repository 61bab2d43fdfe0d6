/**
 * Compiled statements (src/adapters/store/compiled-statements.ts): a shape learned once runs the
 * very SQL Kysely builds, with each call's values, on SQLite and PostgreSQL; what cannot be learned
 * safely is always built anew.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { CompiledStatements } from '../../../src/adapters/store/compiled-statements.js';
import { openPostgresStore } from '../../../src/adapters/store/postgres/open.js';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/open.js';
import { dropSchema, POSTGRES_URL, postgresProblem, uniqueSchemaName } from '../../helpers/postgres.js';

interface Db {
  t: { id: string; n: number | null; label: string | null };
}

const createTable = (db: Kysely<Db>) =>
  db.schema
    .createTable('t')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer')
    .addColumn('label', 'text')
    .execute();

/** A store of `kind` with an empty table t, for `test`; closed (and its schema dropped) after. */
async function withTable(
  kind: 'sqlite' | 'postgres',
  test: (db: Kysely<Db>) => Promise<void>,
): Promise<void> {
  const schema = uniqueSchemaName();
  const store =
    kind === 'sqlite' ? openSqliteStore(':memory:') : openPostgresStore({ url: POSTGRES_URL, schema });
  try {
    if (kind === 'postgres') await sql`create schema if not exists ${sql.id(schema)}`.execute(store.db);
    const db = store.db as unknown as Kysely<Db>;
    await createTable(db);
    await test(db);
  } finally {
    await store.close();
    if (kind === 'postgres') await dropSchema(schema);
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`CompiledStatements on ${kind}`, () => {
    it('runs each call with its own values, learning each shape once', async (ctx) => {
      if (kind === 'postgres' && postgresProblem) return ctx.skip();
      await withTable(kind, async (db) => {
        const statements = new CompiledStatements();
        let builds = 0;
        const insert = (row: Db['t']) =>
          statements.execute(db, 'insert', row, (v) => {
            builds++;
            return db.insertInto('t').values(v).compile();
          });
        for (let i = 0; i < 20; i++)
          await insert({ id: `r${i}`, n: i % 3 === 0 ? null : i, label: `label ${i}` });
        expect(builds).toBe(1); // learned with markers, never built again
        const select = (ids: string[]) =>
          statements.execute(
            db,
            `select×${ids.length}`,
            Object.fromEntries(ids.map((id, i) => [`id${i}`, id])),
            (v) =>
              db
                .selectFrom('t')
                .selectAll()
                .where(
                  'id',
                  'in',
                  ids.map((_, i) => v[`id${i}`] as string),
                )
                .orderBy('id')
                .compile(),
          );
        expect((await select(['r1', 'r3'])).rows).toEqual([
          { id: 'r1', n: 1, label: 'label 1' },
          { id: 'r3', n: null, label: 'label 3' },
        ]);
        expect((await select(['r5', 'r2'])).rows.map((r) => r.id)).toEqual(['r2', 'r5']);
        expect((await select(['r7', 'r8', 'r9'])).rows.map((r) => r.id)).toEqual(['r7', 'r8', 'r9']);
        const update = await statements.execute(db, 'update', { id: 'r4', label: 'changed' }, (v) =>
          db.updateTable('t').set({ label: v.label }).where('id', '=', v.id).compile(),
        );
        expect(update.numAffectedRows).toBe(1n);
        expect(
          (
            await statements.execute(db, 'update', { id: 'nope', label: 'x' }, (v) =>
              db.updateTable('t').set({ label: v.label }).where('id', '=', v.id).compile(),
            )
          ).numAffectedRows,
        ).toBe(0n);
        expect(await db.selectFrom('t').select('label').where('id', '=', 'r4').executeTakeFirst()).toEqual({
          label: 'changed',
        });
        expect([...statements.shapes.values()].every(Boolean)).toBe(true);
      });
    });

    it("inserts rows: the rows' values in row order, learned once per number of rows", async (ctx) => {
      if (kind === 'postgres' && postgresProblem) return ctx.skip();
      await withTable(kind, async (db) => {
        const statements = new CompiledStatements();
        let builds = 0;
        const insert = (rows: readonly (Db['t'] | Record<string, unknown>)[]) =>
          statements.insertRows(db, 't.insert', rows, (r) => {
            builds++;
            return db
              .insertInto('t')
              .values(r as Db['t'][])
              .compile();
          });
        await insert([{ id: 'a', n: 1, label: 'one' }]);
        await insert([
          { id: 'b', n: null, label: 'two' },
          { id: 'c', n: 3, label: null },
          { id: 'd', n: 4, label: 'four' },
        ]);
        await insert([{ id: 'e', n: 5, label: 'five' }]);
        await insert([
          { id: 'f', n: 6, label: 'six' },
          { id: 'g', n: 7, label: 'seven' },
          { id: 'h', n: 8, label: 'eight' },
        ]);
        expect(builds).toBe(2); // one learning per number of rows
        // Built anew: a value that is not plain; a row without a column the first row has.
        await insert([
          { id: 'i', n: sql<number>`4 + 5`, label: 'nine' },
          { id: 'j', n: 10, label: 'ten' },
        ]);
        await insert([
          { id: 'k', n: 11, label: 'eleven' },
          { id: 'l', label: 'twelve', x: undefined },
        ]);
        expect(builds).toBe(5); // the second: learned (2 rows), then built anew
        expect(await db.selectFrom('t').selectAll().orderBy('id').execute()).toEqual([
          { id: 'a', n: 1, label: 'one' },
          { id: 'b', n: null, label: 'two' },
          { id: 'c', n: 3, label: null },
          { id: 'd', n: 4, label: 'four' },
          { id: 'e', n: 5, label: 'five' },
          { id: 'f', n: 6, label: 'six' },
          { id: 'g', n: 7, label: 'seven' },
          { id: 'h', n: 8, label: 'eight' },
          { id: 'i', n: 9, label: 'nine' },
          { id: 'j', n: 10, label: 'ten' },
          { id: 'k', n: 11, label: 'eleven' },
          { id: 'l', n: null, label: 'twelve' },
        ]);
      });
    });
  });
}

describe('CompiledStatements never caches what it cannot reproduce', () => {
  it('a value written into the SQL text is never cached; what a builder branches on goes in the shape', async () => {
    const store = openSqliteStore(':memory:');
    try {
      const db = store.db as unknown as Kysely<Db>;
      await createTable(db);
      await db
        .insertInto('t')
        .values([
          { id: 'a', n: 1, label: null },
          { id: 'b', n: null, label: 'x' },
        ])
        .execute();
      const statements = new CompiledStatements();
      // `is null` for null, `=` otherwise: the SQL depends on whether the value is null, so the shape
      // says which (the builder is learned with marker strings, never with null).
      const byN = (n: number | null) =>
        statements.execute(
          db,
          n === null ? 'byN:null' : 'byN',
          n === null ? {} : { n },
          (v: { n?: number }) =>
            (v.n === undefined
              ? db.selectFrom('t').select('id').where('n', 'is', null)
              : db
                  .selectFrom('t')
                  .select('id')
                  .where('n', '=', v.n as number)
            ).compile(),
        );
      expect((await byN(null)).rows).toEqual([{ id: 'b' }]);
      expect((await byN(1)).rows).toEqual([{ id: 'a' }]);
      expect((await byN(null)).rows).toEqual([{ id: 'b' }]);
      // A value written into the SQL text.
      const inlined = (id: string) =>
        statements.execute(db, 'inlined', { id }, (v) =>
          db.selectFrom('t').select('n').where('id', '=', sql.lit(v.id)).compile(),
        );
      expect((await inlined('a')).rows).toEqual([{ n: 1 }]);
      expect((await inlined('b')).rows).toEqual([{ n: null }]);
      expect(Object.fromEntries(statements.shapes)).toEqual({
        'byN:null()': true,
        'byN(n)': true,
        'inlined(id)': false,
      });
    } finally {
      await store.close();
    }
  });

  it('values that are not plain are built anew; a value left out is another shape', async () => {
    const store = openSqliteStore(':memory:');
    try {
      const db = store.db as unknown as Kysely<Db>;
      await createTable(db);
      const statements = new CompiledStatements();
      let builds = 0;
      const insert = (row: Partial<Db['t']> | Record<string, unknown>) =>
        statements.execute(db, 'insert', row, (v) => {
          builds++;
          return db
            .insertInto('t')
            .values(v as Db['t'])
            .compile();
        });
      await insert({ id: 'a', n: 1, label: 'one' });
      await insert({ id: 'b', n: sql<number>`1 + 1`, label: 'two' }); // an expression: built anew
      await insert({ id: 'c', n: 3 }); // no label: its own shape
      expect(builds).toBe(3);
      expect(await db.selectFrom('t').selectAll().orderBy('id').execute()).toEqual([
        { id: 'a', n: 1, label: 'one' },
        { id: 'b', n: 2, label: 'two' },
        { id: 'c', n: 3, label: null },
      ]);
    } finally {
      await store.close();
    }
  });
});

describe('On SQLite, compiled statements run on the connection at once where that is the same', () => {
  it("outside a transaction and inside the store's commit batch, without the executor; a taken lock is waited for", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lifeline-direct-')), 'lifeline.db');
    const store = openSqliteStore(path);
    const other = new BetterSqlite3(path);
    try {
      await store.migrate();
      const db = store.db as unknown as Kysely<Db>;
      await createTable(db);
      const statements = new CompiledStatements();
      const insert = (id: string) =>
        statements.execute(db, 'insert', { id, n: 1, label: null }, (v) =>
          db.insertInto('t').values(v).compile(),
        );
      const count = async () =>
        Number(
          (
            await db
              .selectFrom('t')
              .select((eb) => eb.fn.countAll().as('c'))
              .executeTakeFirstOrThrow()
          ).c,
        );
      // Kysely's executeQuery, of the store's instance and of the batch's connection-bound one.
      const executor = vi.spyOn(Kysely.prototype, 'executeQuery');
      await insert('a'); // learned: built once and run
      executor.mockClear();
      await insert('b');
      expect(executor).not.toHaveBeenCalled(); // ran on the connection
      expect(await count()).toBe(2);

      // Another process holds the write lock: the direct run declines, and the executor waits.
      other.exec('begin immediate');
      executor.mockClear();
      let done = false;
      const waiting = insert('c').then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(done).toBe(false);
      expect(executor).toHaveBeenCalledTimes(1);
      other.exec('commit');
      await waiting;
      expect(await count()).toBe(3);

      // Inside a write transaction of the store's (the commit batch), its statements join it: a
      // work that fails rolls back its own inserts only.
      executor.mockClear();
      await store.inTransaction(async (tx) => {
        await statements.execute(tx, 'insert', { id: 'd', n: 1, label: null }, (v) =>
          (tx as unknown as Kysely<Db>).insertInto('t').values(v).compile(),
        );
      });
      const failing = store.inTransaction(async (tx) => {
        await statements.execute(tx, 'insert', { id: 'e', n: 1, label: null }, (v) =>
          (tx as unknown as Kysely<Db>).insertInto('t').values(v).compile(),
        );
        throw new Error('this work fails');
      });
      await expect(failing).rejects.toThrow('this work fails');
      expect(executor).not.toHaveBeenCalled();
      expect((await db.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([
        'a',
        'b',
        'c',
        'd',
      ]);
    } finally {
      vi.restoreAllMocks();
      if (other.inTransaction) other.exec('rollback');
      other.close();
      await store.close();
    }
  });
});
