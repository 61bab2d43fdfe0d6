/**
 * API tokens of the HTTP API (PRODUCT.md §10): shown once, stored as a SHA-256 hash, with a role,
 * revocable. The secret is `llt_` + 32 random bytes in base64url.
 */
import { hash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { API_TOKEN_PREFIX as TOKEN_PREFIX, type ApiToken } from '../../core/access/ports.js';
import type { Role } from '../../core/ports.js';
import { CompiledStatements } from './compiled-statements.js';
import type { Database } from './schema.js';

const hashOf = (secret: string): string => hash('sha256', secret, 'hex');

function rowToToken(row: Database['api_tokens']): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    prefix: row.prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export async function createToken(
  db: Kysely<Database>,
  input: { name: string; role: Role },
  now: Date = new Date(),
): Promise<{ token: ApiToken; secret: string }> {
  const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row: Database['api_tokens'] = {
    id: `tok_${randomBytes(8).toString('hex')}`,
    name: input.name,
    role: input.role,
    hash: hashOf(secret),
    prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
    created_at: now.toISOString(),
    revoked_at: null,
  };
  await db.insertInto('api_tokens').values(row).execute();
  return { token: rowToToken(row), secret };
}

/** The live (not revoked) token with this secret, or null. Looked up by hash. */
export async function findToken(db: Kysely<Database>, secret: string): Promise<ApiToken | null> {
  if (typeof secret !== 'string' || !secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  // Every API call looks its token up: compiled once per database (compiled-statements.ts).
  const { rows } = await statementsFor(db).execute(db, 'api_tokens.live', { hash: hashOf(secret) }, (v) =>
    db
      .selectFrom('api_tokens')
      .selectAll()
      .where('hash', '=', v.hash)
      .where('revoked_at', 'is', null)
      .compile(),
  );
  const row = rows[0];
  return row ? rowToToken(row) : null;
}

const statementsByDb = new WeakMap<object, CompiledStatements>();
function statementsFor(db: Kysely<Database>): CompiledStatements {
  let statements = statementsByDb.get(db);
  if (!statements) statementsByDb.set(db, (statements = new CompiledStatements()));
  return statements;
}

export async function listTokens(db: Kysely<Database>): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(rowToToken);
}

/** Revokes a token; false when there is no live token with this id. */
export async function revokeToken(
  db: Kysely<Database>,
  id: string,
  now: Date = new Date(),
): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function countTokens(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
