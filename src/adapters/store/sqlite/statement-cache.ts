/**
 * SQLite prepared statements kept per SQL text (Kysely's driver prepares every query anew, which
 * costs about as much as running the store's small queries), and run directly on the connection.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { QueryResult } from 'kysely';

/**
 * Keeps the connection's prepared statements in a bounded cache (`in (…)` lists vary in length). A
 * statement still busy (an unfinished iteration) is never handed out twice: a new one is prepared.
 */
export function reuseStatements(database: BetterSqlite3.Database, max = 256): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, BetterSqlite3.Statement>();
  database.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      cache.delete(source); // most recently used last
      cache.set(source, hit);
      return hit;
    }
    const statement = prepare(source);
    cache.set(source, statement);
    if (cache.size > max) cache.delete(cache.keys().next().value as string);
    return statement;
  }) as BetterSqlite3.Database['prepare'];
}

/** A statement run at once on the connection, with the result Kysely's SQLite driver gives. */
export function runOnSqlite(
  database: BetterSqlite3.Database,
  source: string,
  parameters: readonly unknown[],
): QueryResult<unknown> {
  const statement = database.prepare(source);
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/** runOnSqlite outside a transaction; null (the executor then waits) when the lock is taken. */
export function runAlone(
  database: BetterSqlite3.Database,
  source: string,
  parameters: readonly unknown[],
): QueryResult<unknown> | null {
  try {
    return runOnSqlite(database, source, parameters);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return null;
    throw error;
  }
}
