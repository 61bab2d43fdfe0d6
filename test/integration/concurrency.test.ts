/**
 * One license per ticket across processes (PRODUCT.md §7, §9 "More than one machine"): 50 concurrent
 * `issue` calls for one ticket from 2 processes (25 each, released at the same moment) give exactly
 * one license and 49 returns of the same record, on SQLite and on PostgreSQL; also when the processes
 * start on a fresh database and run the migrations concurrently.
 */
import { migrationProvider } from '../../src/adapters/store/migrations.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/helpers.js';
import {
  childEnv,
  counts,
  createTestDatabase,
  invariantViolations,
  postgresForTests,
  removeTempDirs,
  tempDir,
  withStore,
  worker,
  type Child,
} from './helpers.js';

const PROCESSES = 2;
const CALLS_PER_PROCESS = 25;
const TICKET = 'race-4711';

interface Result {
  kind: string;
  id: string | null;
  existing: boolean;
  codes?: string[];
  code?: string;
  message?: string;
}

/** Starts the workers, releases them together, and returns every call's result. */
async function race(
  dataDir: string,
  databaseUrl: string,
  options: { migrateInChildren: boolean },
): Promise<Result[]> {
  const env = childEnv(dataDir, databaseUrl, options.migrateInChildren ? {} : { WORKER_MIGRATE: '0' });
  const children: Child[] = Array.from({ length: PROCESSES }, () =>
    worker(['concurrent', TICKET, String(CALLS_PER_PROCESS)], env),
  );
  try {
    await Promise.all(children.map((c) => c.waitFor((l) => l === 'ready')));
    for (const child of children) child.send('go\n');
    await Promise.all(children.map((c) => c.waitFor((l) => l === 'done')));
    const exits = await Promise.all(children.map((c) => c.exited));
    expect(exits, children.map((c) => c.describe()).join('\n')).toEqual(
      children.map(() => ({ code: 0, signal: null })),
    );
    return children.flatMap((c) =>
      c.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Result),
    );
  } finally {
    for (const child of children) child.kill();
  }
}

async function assertOneLicense(results: Result[], databaseUrl: string): Promise<void> {
  expect(results).toHaveLength(PROCESSES * CALLS_PER_PROCESS);
  // One line per kind (refusals and errors with their codes), so that a failure reads at a glance.
  const tally: Record<string, number> = {};
  for (const r of results) {
    const key =
      r.kind === 'refused'
        ? `refused ${r.codes?.join('+')}`
        : r.kind === 'error'
          ? `error ${r.code}: ${r.message}`
          : r.kind;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  expect(tally, JSON.stringify(tally)).toEqual({ issued: 1, existing: PROCESSES * CALLS_PER_PROCESS - 1 });
  const issued = results.find((r) => r.kind === 'issued');
  expect(new Set(results.map((r) => r.id))).toEqual(new Set([issued?.id]));
  expect(results.filter((r) => r.existing)).toHaveLength(PROCESSES * CALLS_PER_PROCESS - 1);

  await withStore(databaseUrl, async (store) => {
    expect(await counts(store)).toEqual({ requests: 1, licenses: 1, deliveries: 4, audit: 1 });
    const holder = await store.findTicketHolder(TICKET);
    expect(holder?.id).toBe(issued?.id);
    expect(holder?.status).toBe('issued');
    const license = await store.getLicenseForRequest(issued?.id ?? '');
    expect(license?.seats).toBe(100);
    expect((await store.listDeliveries(issued?.id ?? '')).map((d) => d.channel).sort()).toEqual([
      'chat',
      'email',
      'ticket',
      'tracker',
    ]);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 1 });
    expect(await invariantViolations(store)).toEqual([]);
  });
}

/** Checks that the migrations ran exactly once and the schema is complete. */
async function assertMigratedOnce(databaseUrl: string): Promise<void> {
  await withStore(databaseUrl, async (store) => {
    const migrations = await store.db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute();
    const names = Object.keys(await migrationProvider.getMigrations()).sort();
    // Each migration recorded once: none ran twice.
    expect((migrations as { name: string }[]).map((m) => m.name).sort()).toEqual(names);
    const head = await store.db.selectFrom('audit_head').selectAll().execute();
    expect(head).toHaveLength(1);
  });
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => removeTempDirs());

describe('SQLite: 2 processes × 25 concurrent issue calls for one ticket', () => {
  it('gives one license and 49 returns of the same record (migrated before)', async () => {
    const dir = tempDir();
    const url = `sqlite:${join(dir, 'lifeline.db')}`;
    await withStore(url, (store) => store.migrate());
    await assertOneLicense(await race(dir, url, { migrateInChildren: false }), url);
  }, 60_000);

  it('gives one license when the processes migrate a fresh database concurrently', async () => {
    const dir = tempDir();
    const url = `sqlite:${join(dir, 'lifeline.db')}`;
    await assertOneLicense(await race(dir, url, { migrateInChildren: true }), url);
    await assertMigratedOnce(url);
  }, 60_000);
});

const postgres = await postgresForTests();

describe.skipIf(!postgres)('PostgreSQL: 2 processes × 25 concurrent issue calls for one ticket', () => {
  it('gives one license and 49 returns of the same record (migrated before)', async () => {
    const db = await createTestDatabase();
    try {
      await withStore(db.url, (store) => store.migrate());
      await assertOneLicense(await race(tempDir(), db.url, { migrateInChildren: false }), db.url);
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('gives one license when the processes migrate a fresh database concurrently', async () => {
    const db = await createTestDatabase();
    try {
      await assertOneLicense(await race(tempDir(), db.url, { migrateInChildren: true }), db.url);
      await assertMigratedOnce(db.url);
    } finally {
      await db.drop();
    }
  }, 60_000);
});
