/**
 * Migrations run safely from any number of processes at once (PRODUCT.md §9 "More than one machine"):
 * every `lifeline serve` and `lifeline worker` migrates on start, so N processes starting together on
 * a fresh database must end with each migration applied exactly once, by one of them, and none failing.
 *
 * What makes it hold: on PostgreSQL, Kysely's Migrator takes a session advisory lock
 * (pg_advisory_lock) and runs the pending migrations in one transaction; the others wait for the lock
 * and then find nothing pending. Kysely looks for its own tables in every schema, though, so the store
 * pins them to its schema (a second schema in one database used to fail with "relation
 * kysely_migration_lock does not exist"). On SQLite Kysely takes no lock at all and runs DDL outside a
 * transaction, so the store holds `BEGIN IMMEDIATE` on a lock file (`<db>.migrate-lock`) while it
 * migrates.
 *
 * The children (test/fixtures/migrate-worker.mjs) all print "ready", are released together with "go",
 * and report what they applied. The real CLI (`lifeline migrate --json` × N) is run at once too.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/adapters/store/postgres/open.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/open.js';
import { migrationProvider } from '../../src/adapters/store/migrations.js';
import { ensureBuilt } from '../cli/helpers.js';
import { dropSchema, uniqueSchemaName } from '../helpers/postgres.js';
import {
  BIN,
  Child,
  childEnv,
  createTestDatabase,
  postgresForTests,
  POSTGRES_URL,
  removeTempDirs,
  tempDir,
} from './helpers.js';

const N = 6;
const FIXTURE = join('test', 'fixtures', 'migrate-worker.mjs');

type Report = { applied: string[] } | { error: string };

async function allMigrationNames(): Promise<string[]> {
  return Object.keys(await migrationProvider.getMigrations()).sort();
}

/** N children, released at the same moment; each one's report. */
async function migrateTogether(env: NodeJS.ProcessEnv): Promise<Report[]> {
  const children = Array.from({ length: N }, () => new Child([FIXTURE], env));
  try {
    await Promise.all(children.map((c) => c.waitFor((l) => l === 'ready')));
    for (const child of children) child.send('go\n');
    const lines = await Promise.all(children.map((c) => c.waitFor((l) => l.startsWith('{'), 60_000)));
    const exits = await Promise.all(children.map((c) => c.exited));
    expect(
      exits.map((e) => e.code),
      children.map((c) => c.describe()).join('\n'),
    ).toEqual(children.map(() => 0));
    return lines.map((l) => JSON.parse(l) as Report);
  } finally {
    for (const child of children) child.kill();
  }
}

/** No child failed; exactly one applied every migration, in order; the others found nothing to do. */
async function expectAppliedOnce(reports: Report[]): Promise<void> {
  const names = await allMigrationNames();
  expect(reports.filter((r) => 'error' in r)).toEqual([]);
  const applied = reports.map((r) => ('applied' in r ? r.applied : []));
  expect(applied.filter((a) => a.length > 0)).toEqual([names]);
  expect(applied.filter((a) => a.length === 0)).toHaveLength(N - 1);
}

async function expectRecordedOnce(url: string, schema?: string): Promise<void> {
  const store = url.startsWith('sqlite:')
    ? openSqliteStore(url.slice('sqlite:'.length))
    : openPostgresStore({ url, poolSize: 1, ...(schema ? { schema } : {}) });
  try {
    const rows = (await store.db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute()) as { name: string }[];
    expect(rows.map((r) => r.name).sort()).toEqual(await allMigrationNames());
    // The schema is usable: the audit chain's head row exists once.
    expect(await store.db.selectFrom('audit_head').selectAll().execute()).toHaveLength(1);
    expect(await store.migrate()).toEqual({ applied: [] });
  } finally {
    await store.close();
  }
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => removeTempDirs());

describe(`SQLite: ${N} processes migrating a fresh database at once`, () => {
  it('apply each migration once (one process migrates, the others wait on the lock file)', async () => {
    const dir = tempDir('lifeline-migrate-');
    const url = `sqlite:${join(dir, 'lifeline.db')}`;
    await expectAppliedOnce(await migrateTogether(childEnv(dir, url)));
    await expectRecordedOnce(url);
  }, 90_000);
});

const postgres = await postgresForTests();

describe.skipIf(!postgres)(`PostgreSQL: ${N} processes migrating a fresh database at once`, () => {
  it('apply each migration once (Kysely advisory lock)', async () => {
    const db = await createTestDatabase();
    try {
      await expectAppliedOnce(await migrateTogether(childEnv(tempDir('lifeline-migrate-'), db.url)));
      await expectRecordedOnce(db.url);
    } finally {
      await db.drop();
    }
  }, 90_000);

  it('apply each migration once in a fresh schema of a database that already has a migrated schema', async () => {
    const db = await createTestDatabase();
    const first = uniqueSchemaName();
    const second = uniqueSchemaName();
    try {
      const store = openPostgresStore({ url: db.url, schema: first, poolSize: 1 });
      await store.migrate();
      await store.close();
      const env = { ...childEnv(tempDir('lifeline-migrate-'), db.url), MIGRATE_SCHEMA: second };
      await expectAppliedOnce(await migrateTogether(env));
      await expectRecordedOnce(db.url, second);
      await expectRecordedOnce(db.url, first);
    } finally {
      await db.drop();
    }
  }, 90_000);

  it(`${N} × \`lifeline migrate --json\` at once: all exit 0, each migration applied by exactly one`, async () => {
    const db = await createTestDatabase();
    try {
      const env = childEnv(tempDir('lifeline-migrate-'), db.url);
      const children = Array.from({ length: N }, () => new Child([BIN, 'migrate', '--json'], env));
      children.forEach((c) => c.endInput());
      const exits = await Promise.all(children.map((c) => c.exited));
      expect(
        exits.map((e) => e.code),
        children.map((c) => c.describe()).join('\n'),
      ).toEqual(children.map(() => 0));
      const applied = children.flatMap(
        (c) => (JSON.parse(c.lines.join('\n')) as { applied: string[] }).applied,
      );
      expect(applied.sort()).toEqual(await allMigrationNames());
      await expectRecordedOnce(db.url);
    } finally {
      await db.drop();
    }
  }, 90_000);
});

// The shared server's `test` database may hold other runs' schemas: a fresh schema there migrates too.
describe.skipIf(!postgres)('PostgreSQL: a fresh schema in the shared test database', () => {
  it('migrates although other schemas there already have their migration tables', async () => {
    const schema = uniqueSchemaName();
    try {
      const env = { ...childEnv(tempDir('lifeline-migrate-'), POSTGRES_URL), MIGRATE_SCHEMA: schema };
      await expectAppliedOnce(await migrateTogether(env));
      await expectRecordedOnce(POSTGRES_URL, schema);
    } finally {
      await dropSchema(schema);
    }
  }, 90_000);
});
