/** The access ports (src/core/access/ports.ts) on the database: tokens, sessions, login links. */
import type { Kysely } from 'kysely';
import type { SessionStore, TokenStore } from '../../core/access/ports.js';
import type { Database } from './schema.js';
import {
  consumeLoginLink,
  createLoginLink,
  createSession,
  csrfTokenMatches,
  csrfTokenOf,
  deleteSession,
  endSessionById,
  findSession,
  listSessions,
} from './sessions.js';
import { countTokens, createToken, findToken, listTokens, revokeToken } from './tokens.js';

export function storeTokens(db: Kysely<Database>): TokenStore {
  return {
    create: (input, now) => createToken(db, input, now),
    findLive: (secret) => findToken(db, secret),
    list: () => listTokens(db),
    revoke: (id, now) => revokeToken(db, id, now),
    count: () => countTokens(db),
  };
}

export function storeSessions(db: Kysely<Database>): SessionStore {
  return {
    create: (input, now) => createSession(db, input, now),
    findLive: (secret, now) => findSession(db, secret, now),
    end: (secret) => deleteSession(db, secret),
    list: (now) => listSessions(db, now),
    endById: (id) => endSessionById(db, id),
    createLoginLink: (actor, now) => createLoginLink(db, actor, now),
    useLoginLink: (code, now) => consumeLoginLink(db, code, now),
    csrfTokenOf,
    csrfTokenMatches,
  };
}
