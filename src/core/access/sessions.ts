/**
 * Console sessions (PRODUCT.md §10): signing in with an API token or a one-time login link, signing
 * out, and (admins) seeing and ending sessions. A session carries the actor it was made for.
 */
import { requireRole } from '../issuance/guards.js';
import { fail, useCase, type Outcome } from '../outcome.js';
import type { Actor, Role } from '../ports.js';
import type { AccessPorts, WebSession } from './ports.js';

export interface SignedIn {
  /** The cookie's secret: shown to the browser once. */
  secret: string;
  session: WebSession;
  csrfToken: string;
}

async function start(ports: AccessPorts, actor: Actor, tokenId: string | null): Promise<SignedIn> {
  const { secret, session } = await ports.sessions.create({ actor, tokenId }, ports.clock.now());
  return { secret, session, csrfToken: ports.sessions.csrfTokenOf(secret) };
}

export function signInWithToken(secret: string, ports: AccessPorts): Outcome<SignedIn> {
  return useCase(async () => {
    const token = await ports.tokens.findLive(secret.trim());
    if (!token) fail('UNAUTHENTICATED', 'unknown or revoked API token');
    return start(ports, { name: token.name, role: token.role }, token.id);
  });
}

export function signInWithLink(code: string, ports: AccessPorts): Outcome<SignedIn> {
  return useCase(async () => {
    const person = await ports.sessions.useLoginLink(code, ports.clock.now());
    if (!person) fail('UNAUTHENTICATED', 'this login link is unknown, used already or expired');
    return start(ports, person, null);
  });
}

/** A session for a person the identity provider vouched for (OpenID Connect). */
export function signInAs(actor: Actor, ports: AccessPorts): Outcome<SignedIn> {
  return useCase(() => start(ports, actor, null));
}

/** The session a cookie names, if it is live. */
export async function sessionOf(secret: string, ports: AccessPorts): Promise<WebSession | null> {
  return ports.sessions.findLive(secret, ports.clock.now());
}

export async function signOut(secret: string, ports: AccessPorts): Promise<void> {
  await ports.sessions.end(secret);
}

export function createLoginLink(
  input: { actor: Actor; for: { name: string; role: Role } },
  ports: AccessPorts,
): Outcome<{ code: string; expiresAt: string }> {
  return useCase(async () => {
    requireRole(input.actor, ['admin'], 'make login links');
    return ports.sessions.createLoginLink(input.for, ports.clock.now());
  });
}

export function listSessions(actor: Actor, ports: AccessPorts): Outcome<WebSession[]> {
  return useCase(async () => {
    requireRole(actor, ['admin'], 'list console sessions');
    return ports.sessions.list(ports.clock.now());
  });
}

export function endSession(actor: Actor, id: string, ports: AccessPorts): Outcome<void> {
  return useCase(async () => {
    requireRole(actor, ['admin'], 'end console sessions');
    if (!(await ports.sessions.endById(id)))
      fail('NOT_FOUND', `no session ${JSON.stringify(id.slice(0, 64))}`);
  });
}
