/**
 * Who is calling (PRODUCT.md §10): an API token (`Bearer llt_…`, stored hashed, with a role) or a
 * Zendesk sidebar signed request (`Bearer <JWT>`, HS256 with ZENDESK_APP_SECRET; the algorithm is
 * pinned here, never taken from the token; `exp` required). Anything else is UNAUTHENTICATED.
 */
import { jwtVerify } from 'jose';
import type { App } from '../../app.js';
import { findToken, TOKEN_PREFIX } from '../../adapters/store/tokens.js';
import { LifelineError } from '../../core/errors.js';
import type { Actor } from '../../core/ports.js';

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

/** The actor for an Authorization header; throws UNAUTHENTICATED. */
export async function authenticate(app: App, header: string | undefined): Promise<Actor> {
  if (typeof header !== 'string' || header === '')
    throw unauthenticated('sign in: send Authorization: Bearer …');
  const match = /^Bearer ([A-Za-z0-9_\-.]{1,4096})$/.exec(header.trim());
  if (!match?.[1]) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  const credential = match[1];
  if (credential.startsWith(TOKEN_PREFIX)) {
    const token = await findToken(app.store.db, credential);
    if (!token) throw unauthenticated('unknown or revoked API token');
    return { name: token.name, role: token.role };
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
    }));
  } catch {
    throw unauthenticated('the signed request is invalid or expired');
  }
  const name = nameFromClaims(payload);
  if (!name) throw unauthenticated('the signed request names no agent (email or sub)');
  return { name: name.slice(0, 100), role: 'engineer' };
}
