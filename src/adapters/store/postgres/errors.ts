/**
 * PostgreSQL's "cannot be reached now" errors, and a dialect turning them into LifelineError
 * INFRASTRUCTURE (retryable): the API then answers 503 instead of 500 while the database restarts.
 */
import { PostgresDialect, type CompiledQuery } from 'kysely';
import { LifelineError } from '../../../core/errors.js';

const NETWORK_ERRORS = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
];
const CONNECTION_LOST =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended/i;

/** Errors that mean "the database cannot be reached now", not "this statement is wrong". */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (typeof code === 'string' && (/^(08|57P0[1-3]|53)/.test(code) || NETWORK_ERRORS.includes(code)))
    return true;
  return CONNECTION_LOST.test(message);
}

/** PostgreSQL through Kysely, with connection errors mapped (isConnectionError); others pass unchanged. */
export class ConnectionErrorsDialect extends PostgresDialect {
  override createDriver(): ReturnType<PostgresDialect['createDriver']> {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    const patched = new WeakSet<object>();
    const map = (error: unknown): never => {
      if (!isConnectionError(error)) throw error;
      const code = (error as { code?: unknown }).code;
      throw new LifelineError(
        'INFRASTRUCTURE',
        `the database cannot be reached (${typeof code === 'string' ? code : 'connection lost'})`,
        { retryable: true, cause: error },
      );
    };
    driver.acquireConnection = async () => {
      const connection = await acquire().catch(map);
      if (!patched.has(connection)) {
        // Patched in place: the driver releases the very object it handed out.
        const execute = connection.executeQuery.bind(connection);
        connection.executeQuery = <R>(query: CompiledQuery) => execute<R>(query).catch(map);
        patched.add(connection);
      }
      return connection;
    };
    return driver;
  }
}
