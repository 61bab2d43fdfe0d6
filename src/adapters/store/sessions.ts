/**
 * Web console sessions and one-time login links (PRODUCT.md §8 web console, §10). The browser holds
 * a random secret in an HTTP-only cookie; the database keeps only its SHA-256. The CSRF token is
 * derived from the secret (HMAC), so it is never stored either. A session made from an API token
 * ends when that token is revoked.
 */
import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { WebSession } from '../../core/access/ports.js';
import type { Actor, Role } from '../../core/ports.js';
import type { Database } from './schema.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const LOGIN_LINK_TTL_MS = 15 * 60 * 1000;

const hashOf = (secret: string): string => hash('sha256', secret, 'hex');
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** The CSRF token of a session: derived from its secret, so the server keeps nothing more. */
export function csrfTokenOf(secret: string): string {
  return createHmac('sha256', secret).update('lifeline csrf v1').digest('base64url');
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfTokenMatches(secret: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length > 100) return false;
  const expected = Buffer.from(csrfTokenOf(secret));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function createSession(
  db: Kysely<Database>,
  input: { actor: Actor; tokenId: string | null },
  now: Date,
): Promise<{ secret: string; session: WebSession }> {
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
  const id = `ses_${randomBytes(8).toString('hex')}`;
  await db
    .insertInto('web_sessions')
    .values({
      id,
      hash: hashOf(secret),
      name: input.actor.name,
      role: input.actor.role,
      token_id: input.tokenId,
      created_at: now.toISOString(),
      expires_at: expiresAt,
    })
    .execute();
  return { secret, session: { id, actor: { name: input.actor.name, role: input.actor.role }, expiresAt } };
}

/** Sessions not expired, with what tells whether their token was revoked. */
function liveSessions(db: Kysely<Database>, now: Date) {
  return db
    .selectFrom('web_sessions')
    .leftJoin('api_tokens', 'api_tokens.id', 'web_sessions.token_id')
    .select([
      'web_sessions.id as id',
      'web_sessions.name as name',
      'web_sessions.role as role',
      'web_sessions.token_id as tokenId',
      'web_sessions.created_at as createdAt',
      'web_sessions.expires_at as expiresAt',
      'api_tokens.revoked_at as revokedAt',
    ])
    .where('web_sessions.expires_at', '>', now.toISOString());
}

type SessionRow = {
  id: string;
  name: string;
  role: string;
  tokenId: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
};

/** A session whose token (if any) is not revoked, as the port shows it; else null. */
const liveSession = (r: SessionRow | undefined): WebSession | null =>
  !r || (r.tokenId !== null && r.revokedAt !== null)
    ? null
    : {
        id: r.id,
        actor: { name: r.name, role: r.role as Role },
        expiresAt: r.expiresAt,
        createdAt: r.createdAt,
        tokenId: r.tokenId,
      };

/** The live session for a cookie secret (not expired, its token not revoked), or null. */
export async function findSession(
  db: Kysely<Database>,
  secret: string,
  now: Date,
): Promise<WebSession | null> {
  if (!SECRET.test(secret)) return null;
  return liveSession(
    await liveSessions(db, now).where('web_sessions.hash', '=', hashOf(secret)).executeTakeFirst(),
  );
}

export async function deleteSession(db: Kysely<Database>, secret: string): Promise<void> {
  if (!SECRET.test(secret)) return;
  await db.deleteFrom('web_sessions').where('hash', '=', hashOf(secret)).execute();
}

/** A one-time login link's code for this actor; valid for LOGIN_LINK_TTL_MS, usable once. */
export async function createLoginLink(
  db: Kysely<Database>,
  actor: { name: string; role: Role },
  now: Date,
): Promise<{ code: string; expiresAt: string }> {
  const code = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + LOGIN_LINK_TTL_MS).toISOString();
  await db
    .insertInto('login_links')
    .values({
      hash: hashOf(code),
      name: actor.name,
      role: actor.role,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      used_at: null,
    })
    .execute();
  return { code, expiresAt };
}

/**
 * Uses a login link: the actor when the code is known, unused and not expired (then it is used up,
 * atomically, so two tabs cannot both use it), else null.
 */
export async function consumeLoginLink(
  db: Kysely<Database>,
  code: string,
  now: Date,
): Promise<{ name: string; role: Role } | null> {
  if (!SECRET.test(code)) return null;
  const hash = hashOf(code);
  const result = await db
    .updateTable('login_links')
    .set({ used_at: now.toISOString() })
    .where('hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return null;
  const row = await db
    .selectFrom('login_links')
    .select(['name', 'role'])
    .where('hash', '=', hash)
    .executeTakeFirstOrThrow();
  return { name: row.name, role: row.role as Role };
}

/** The live sessions, newest first (what an admin sees). */
export async function listSessions(db: Kysely<Database>, now: Date): Promise<WebSession[]> {
  const rows = await liveSessions(db, now).orderBy('web_sessions.created_at', 'desc').execute();
  return rows.map(liveSession).filter((s): s is WebSession => s !== null);
}

/** Ends a session by its id; false when there is none. */
export async function endSessionById(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('web_sessions').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
