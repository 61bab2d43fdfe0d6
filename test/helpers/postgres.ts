/**
 * PostgreSQL for tests: a real server (postgres://postgres@127.0.0.1:5432/test by default). Each
 * run gets its own schema so runs cannot interfere. Without a server the suites skip and say why,
 * except when LIFELINE_REQUIRE_POSTGRES=1 (set by .ci/run), where a missing server fails.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_URL =
  process.env['LIFELINE_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const POSTGRES_REQUIRED = process.env['LIFELINE_REQUIRE_POSTGRES'] === '1';

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** null when PostgreSQL is usable; otherwise why not (and throws when it is required). */
export async function postgresUnavailable(): Promise<string | null> {
  const problem = await probe();
  if (problem && POSTGRES_REQUIRED) {
    throw new Error(
      `PostgreSQL is required (LIFELINE_REQUIRE_POSTGRES=1) but unreachable at ${POSTGRES_URL}: ${problem}`,
    );
  }
  if (problem) console.warn(`skipping PostgreSQL tests: ${POSTGRES_URL} unreachable (${problem})`);
  return problem;
}

export const postgresProblem = await postgresUnavailable();

export function uniqueSchemaName(): string {
  return `lifeline_t_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
