/**
 * Who is calling (PRODUCT.md §10): an API token (`Bearer llt_…`, stored hashed, with a role), a
 * Zendesk sidebar signed request (`Bearer <JWT>`, HS256 with ZENDESK_APP_SECRET; the algorithm is
 * pinned here, never taken from the token; `exp` required; its ticket and agent claims are kept with
 * the request), or a web console session cookie. Anything else is UNAUTHENTICATED.
 */
import { jwtVerify } from 'jose';
import type { App } from '../../app.js';
import { findSession } from '../../adapters/store/sessions.js';
import { findToken, TOKEN_PREFIX } from '../../adapters/store/tokens.js';
import { LifelineError } from '../../core/errors.js';
import type { Actor, RequestOrigin } from '../../core/ports.js';

export const SESSION_COOKIE = 'lifeline_session';

export interface Authentication {
  actor: Actor;
  /** The session cookie's secret when the caller was recognised by it (then CSRF applies). */
  sessionSecret: string | null;
  /** The API token's id when the caller used one. */
  tokenId: string | null;
}

export const JWT_CLOCK_TOLERANCE_SECONDS = 30;

const unauthenticated = (message: string): LifelineError => new LifelineError('UNAUTHENTICATED', message);

function nameFromClaims(payload: Record<string, unknown>): string | null {
  const context = payload['context'];
  const user =
    context && typeof context === 'object' ? (context as Record<string, unknown>)['user'] : undefined;
  const candidates = [
    payload['email'],
    user && typeof user === 'object' ? (user as Record<string, unknown>)['email'] : undefined,
    payload['sub'],
  ];
  for (const c of candidates) {
    if (typeof c === 'string' && c.trim() !== '' && c.length <= 254) return c.trim();
    if (typeof c === 'number' && Number.isSafeInteger(c)) return String(c);
  }
  return null;
}

function claimText(value: unknown, max: number): string | null {
  if (typeof value === 'string' && value.trim() !== '' && value.length <= max) return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

/** The sidebar's claims: the ticket it is on and the agent, as signed by Zendesk. */
function originFromClaims(payload: Record<string, unknown>): RequestOrigin {
  const context = payload['context'];
  const ticket =
    context && typeof context === 'object' ? (context as Record<string, unknown>)['ticket'] : undefined;
  const ticketId =
    claimText(payload['ticket_id'], 64) ??
    (ticket && typeof ticket === 'object' ? claimText((ticket as Record<string, unknown>)['id'], 64) : null);
  return {
    via: 'zendesk',
    ticketId,
    agentEmail: claimText(payload['email'], 254),
    agentName: claimText(payload['name'], 100),
  };
}

/**
 * The caller of an API request: the Authorization header when there is one, else the session
 * cookie. Throws UNAUTHENTICATED.
 */
export async function authenticate(
  app: App,
  header: string | undefined,
  sessionCookie?: string | undefined,
): Promise<Authentication> {
  if ((typeof header !== 'string' || header === '') && typeof sessionCookie === 'string' && sessionCookie) {
    const session = await findSession(app.store.db, sessionCookie, app.ports.clock.now());
    if (!session) throw unauthenticated('the session has ended: sign in again');
    return { actor: session.actor, sessionSecret: sessionCookie, tokenId: null };
  }
  if (typeof header !== 'string' || header === '')
    throw unauthenticated('sign in: send Authorization: Bearer …');
  const match = /^Bearer ([A-Za-z0-9_\-.]{1,4096})$/.exec(header.trim());
  if (!match?.[1]) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  const credential = match[1];
  if (credential.startsWith(TOKEN_PREFIX)) {
    const token = await findToken(app.store.db, credential);
    if (!token) throw unauthenticated('unknown or revoked API token');
    return { actor: { name: token.name, role: token.role }, sessionSecret: null, tokenId: token.id };
  }
  if (credential.split('.').length !== 3) throw unauthenticated('not an API token or a signed request');
  const secret = app.config.zendeskAppSecret;
  if (!secret) throw unauthenticated('signed requests are not accepted: ZENDESK_APP_SECRET is not set');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(credential, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
      currentDate: app.ports.clock.now(),
    }));
  } catch {
    throw unauthenticated('the signed request is invalid or expired');
  }
  const name = nameFromClaims(payload);
  if (!name) throw unauthenticated('the signed request names no agent (email or sub)');
  return {
    actor: { name: name.slice(0, 100), role: 'engineer', origin: originFromClaims(payload) },
    sessionSecret: null,
    tokenId: null,
  };
}
