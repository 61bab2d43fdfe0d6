/** Apps for the operator tests: SQLite in a temp dir, or a throw-away PostgreSQL database. */
import { join } from 'node:path';
import { sql } from 'kysely';
import { createApp, type App } from '../../src/app.js';
import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { loadConfig } from '../../src/config.js';
import { encodeLicense } from '../../src/core/license/codec.js';
import { KEYS_DIR, testPrivateKey } from '../helpers/vectors.js';
import { createTestDatabase, tempDir, testSigningKey } from '../integration/helpers.js';

export interface OpsApp {
  app: App;
  dataDir: string;
  databaseUrl: string;
  /** Pins the app's clock (issue, worker, metrics all read it). */
  setNow(iso: string): void;
  close(): Promise<void>;
}

export async function opsApp(kind: 'sqlite' | 'postgres', env: Record<string, string> = {}): Promise<OpsApp> {
  const dataDir = tempDir('lifeline-ops-');
  let drop: (() => Promise<void>) | null = null;
  let databaseUrl = `sqlite:${join(dataDir, 'lifeline.db')}`;
  if (kind === 'postgres') {
    const db = await createTestDatabase();
    databaseUrl = db.url;
    drop = db.drop;
  }
  const config = loadConfig({
    LIFELINE_DATA_DIR: dataDir,
    LIFELINE_ALLOW_PINNED_DATES: 'true',
    DATABASE_URL: databaseUrl,
    LIFELINE_SIGNING_KEY_FILE: testSigningKey(dataDir),
    LIFELINE_VERIFY_KEY_FILES: join(KEYS_DIR, 'test_public.pem'),
    ...env,
  });
  const app = await createApp(config);
  let now = new Date('2026-11-28T12:00:00.000Z');
  app.ports.clock = { now: () => now };
  return {
    app,
    dataDir,
    databaseUrl,
    setNow: (iso) => {
      now = new Date(iso);
    },
    close: async () => {
      await app.close();
      if (drop) await drop();
    },
  };
}

/** A customer's expired premium license (signed with the vectors' test key) naming the licensee. */
export function previousLicense(licensee: { Name: string; Company: string; Email: string }): string {
  const result = encodeLicense(
    {
      version: 1,
      licensee,
      issued_at: '2025-11-14',
      expires_at: '2026-11-14',
      restrictions: { active_user_count: 100, plan: 'premium' },
    },
    testPrivateKey(),
  );
  if (!result.ok) throw new Error(`cannot encode the test license: ${result.error.message}`);
  return result.value.text;
}

/** Every table of the store's schema (SQLite or the PostgreSQL database's public schema). */
export async function tableNames(store: KyselyStore): Promise<string[]> {
  const rows =
    store.dialect === 'postgres'
      ? await sql<{ name: string }>`
          select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(store.db)
      : await sql<{ name: string }>`
          select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by 1`.execute(
          store.db,
        );
  return rows.rows.map((r) => r.name);
}

/** Every row of every table, as JSON text per table (every column, text or not). */
export async function dumpAll(store: KyselyStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await tableNames(store)) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    const sorted = rows.rows.map((r) => JSON.stringify(r)).sort();
    out[table] = sorted.join('\n');
  }
  return out;
}

/** The tables and columns where `needle` (case-insensitive) occurs. */
export async function whereFound(store: KyselyStore, needle: string): Promise<string[]> {
  const found: string[] = [];
  const lower = needle.toLowerCase();
  for (const table of await tableNames(store)) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    for (const row of rows.rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string' && value.toLowerCase().includes(lower))
          found.push(`${table}.${column}`);
      }
    }
  }
  return [...new Set(found)];
}
