/** The access use cases on a real SQLite store: tokens, sign-in, login links and sessions (admins only where it says). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeSessions, storeTokens } from '../../../src/adapters/store/access.js';
import {
  createLoginLink,
  endSession,
  listSessions,
  sessionOf,
  signInWithLink,
  signInWithToken,
  signOut,
} from '../../../src/core/access/sessions.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../../src/core/access/tokens.js';
import type { AccessPorts } from '../../../src/core/access/ports.js';
import { unwrap } from '../../../src/core/outcome.js';
import type { Actor } from '../../../src/core/ports.js';
import { sqliteHarness, type Harness } from '../../helpers/issuance.js';

const admin: Actor = { name: 'ada', role: 'admin' };
const engineer: Actor = { name: 'erin', role: 'engineer' };

describe('access', () => {
  let h: Harness;
  let ports: AccessPorts;
  beforeEach(async () => {
    h = await sqliteHarness();
    ports = { tokens: storeTokens(h.store.db), sessions: storeSessions(h.store.db), clock: h.ports.clock };
  });
  afterEach(async () => h.close());

  it('only admins create, list and revoke API tokens; names and roles are validated', async () => {
    expect(await createApiToken({ actor: engineer, name: 'bot', role: 'engineer' }, ports)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    for (const [name, role, field] of [
      ['', 'engineer', 'name'],
      ['a\nb', 'engineer', 'name'],
      ['x'.repeat(101), 'engineer', 'name'],
      ['bot', 'root', 'role'],
    ] as const) {
      expect(await createApiToken({ actor: admin, name, role }, ports)).toMatchObject({
        ok: false,
        error: { code: 'INPUT_INVALID', field },
      });
    }
    const { token, secret } = unwrap(
      await createApiToken({ actor: admin, name: ' bot ', role: 'licensing' }, ports),
    );
    expect(token).toMatchObject({ name: 'bot', role: 'licensing', revokedAt: null });
    expect(secret).toMatch(/^llt_/);
    expect(unwrap(await listApiTokens(admin, ports)).map((t) => t.id)).toEqual([token.id]);
    expect(await listApiTokens(engineer, ports)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await revokeApiToken(engineer, token.id, ports)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect((await revokeApiToken(admin, token.id, ports)).ok).toBe(true);
    expect(await revokeApiToken(admin, token.id, ports)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await signInWithToken(secret, ports)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
  });

  it('signs in with a token and a one-time link, and an admin sees and ends the sessions', async () => {
    const { secret } = unwrap(await createApiToken({ actor: admin, name: 'lee', role: 'licensing' }, ports));
    const byToken = unwrap(await signInWithToken(secret, ports));
    expect(byToken.session.actor).toEqual({ name: 'lee', role: 'licensing' });
    expect(ports.sessions.csrfTokenMatches(byToken.secret, byToken.csrfToken)).toBe(true);
    expect(
      await createLoginLink({ actor: engineer, for: { name: 'x', role: 'admin' } }, ports),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const { code } = unwrap(
      await createLoginLink({ actor: admin, for: { name: 'erin', role: 'engineer' } }, ports),
    );
    const byLink = unwrap(await signInWithLink(code, ports));
    expect(await signInWithLink(code, ports)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    const sessions = unwrap(await listSessions(admin, ports));
    expect(sessions.map((s) => s.actor.name).sort()).toEqual(['erin', 'lee']);
    expect(await listSessions(engineer, ports)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await endSession(admin, byLink.session.id, ports)).ok).toBe(true);
    expect(await sessionOf(byLink.secret, ports)).toBeNull();
    expect(await endSession(admin, byLink.session.id, ports)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    await signOut(byToken.secret, ports);
    expect(await sessionOf(byToken.secret, ports)).toBeNull();
  });
});
