/** Opens a PostgreSQL store: a pg pool (optionally in its own schema) whose lost connections never crash the process. */
import { Kysely } from 'kysely';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { LifelineError } from '../../../core/errors.js';
import { KyselyStore } from '../kysely-store.js';
import type { Database } from '../schema.js';
import { ConnectionErrorsDialect } from './errors.js';

export interface PostgresOptions {
  url: string;
  /** A schema to use (created if missing), e.g. one per test run. */
  schema?: string;
  poolSize?: number;
}

export function openPostgresStore(options: PostgresOptions): KyselyStore {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new LifelineError('CONFIG_INVALID', 'a PostgreSQL schema name is lower-case letters, digits and _');
  }
  // pg is loaded only here: an SQLite app (and every command on it) does without its start-up cost.
  const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  // Nor may a checked-out client's: pg-pool listens only while a client is idle, and a client in a
  // transaction between two statements emits 'error' itself when the server goes away. Its next
  // query fails, and the pool drops it.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return new KyselyStore({
    db: new Kysely<Database>({ dialect: new ConnectionErrorsDialect({ pool }) }),
    dialect: 'postgres',
    schema,
  });
}
