/**
 * Who is calling (PRODUCT.md §10): an API token (`Bearer llt_…`, stored hashed, with a role), a
 * Zendesk sidebar signed request (`Bearer <JWT>`, HS256 with ZENDESK_APP_SECRET; the algorithm is
 * pinned here, never taken from the token; a finite `exp` at most an hour ahead; a valid ticket
 * claim; every claim used checked as rule 1 checks the field; the ticket and agent claims are kept
 * with the request), or a web console session cookie. Anything else is UNAUTHENTICATED.
 */
import { jwtVerify } from 'jose';
import type { App } from '../../app.js';
import { API_TOKEN_PREFIX } from '../../core/access/ports.js';
import { LifelineError } from '../../core/errors.js';
import { ruleOneFields } from '../../core/eligibility/input.js';
import type { Actor } from '../../core/ports.js';
import type { Result } from '../../core/result.js';

export const SESSION_COOKIE = 'lifeline_session';

export interface Authentication {
  actor: Actor;
  /** The session cookie's secret when the caller was recognised by it (then CSRF applies). */
  sessionSecret: string | null;
  /** The API token's id when the caller used one. */
  tokenId: string | null;
}

export const JWT_CLOCK_TOLERANCE_SECONDS = 30;
/** A signed request expires at most this far ahead (PRODUCT.md §12; the sidebar asks for 3600 s). */
export const JWT_MAX_LIFETIME_SECONDS = 60 * 60;

const unauthenticated = (message: string): LifelineError => new LifelineError('UNAUTHENTICATED', message);

const isAbsent = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

type Check = (value: unknown) => Result<unknown, string>;

/**
 * One claim through one of rule 1's field checks: null when absent (or blank), else the checked
 * text; a claim that is present but fails the check refuses the whole signed request.
 */
function checkedClaim(name: string, value: unknown, ...checks: Check[]): string | null {
  if (isAbsent(value)) return null;
  let checked: unknown = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  for (const check of checks) {
    const result = check(checked);
    if (!result.ok) throw unauthenticated(`the signed request's ${name} claim ${result.error}`);
    checked = result.value;
  }
  return typeof checked === 'string' ? checked : null;
}

/** An email claim names the engineer: a valid address (rule 1) that also fits the engineer field. */
const emailClaim = (name: string, value: unknown): string | null =>
  checkedClaim(name, value, ruleOneFields.requesterEmail, ruleOneFields.engineer);

/**
 * `exp` finite and at most an hour ahead, `iat` (when given) not in the future, both with the
 * clock tolerance; jose has already refused an `exp` in the past and a non-numeric one.
 */
function checkLifetime(payload: Record<string, unknown>, now: Date): void {
  const nowSeconds = now.getTime() / 1000;
  const exp = payload['exp'];
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw unauthenticated('the signed request has no finite expiry (exp)');
  }
  if (exp > nowSeconds + JWT_MAX_LIFETIME_SECONDS + JWT_CLOCK_TOLERANCE_SECONDS) {
    throw unauthenticated(
      `the signed request expires too far ahead: at most ${JWT_MAX_LIFETIME_SECONDS} seconds (the sidebar's expiry)`,
    );
  }
  const iat = payload['iat'];
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) {
    throw unauthenticated("the signed request's issue time (iat) is not a number");
  }
  if (typeof iat === 'number' && iat > nowSeconds + JWT_CLOCK_TOLERANCE_SECONDS) {
    throw unauthenticated('the signed request was issued in the future (iat): check the clocks');
  }
}

/**
 * The sidebar's claims, each checked as rule 1 checks the same field: the ticket it is on
 * (required: it binds every action of the request), the agent's email (or `sub`) naming the
 * engineer, and the agent's name. They are chosen by the sidebar's code and signed by Zendesk, so
 * they identify the app install, not a verified person.
 */
function actorFromClaims(payload: Record<string, unknown>): Actor {
  const context = payload['context'];
  const ticketClaim =
    payload['ticket_id'] !== undefined
      ? { name: 'ticket_id', value: payload['ticket_id'] }
      : { name: 'context.ticket.id', value: field(field(context, 'ticket'), 'id') };
  const ticketId = ruleOneFields.ticketId(ticketClaim.value);
  if (!ticketId.ok) throw unauthenticated(`the signed request's ${ticketClaim.name} claim ${ticketId.error}`);
  const agentEmail =
    payload['email'] !== undefined
      ? emailClaim('email', payload['email'])
      : emailClaim('context.user.email', field(field(context, 'user'), 'email'));
  const agentName = checkedClaim('name', payload['name'], ruleOneFields.engineer);
  const name = agentEmail ?? checkedClaim('sub', payload['sub'], ruleOneFields.engineer);
  if (!name) throw unauthenticated('the signed request names no agent (email or sub)');
  return {
    name,
    role: 'engineer',
    via: 'sidebar',
    origin: { via: 'zendesk', ticketId: ticketId.value, agentEmail, agentName },
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
    const session = await app.ports.sessions.findLive(sessionCookie, app.ports.clock.now());
    if (!session) throw unauthenticated('the session has ended: sign in again');
    return { actor: { ...session.actor, via: 'console' }, sessionSecret: sessionCookie, tokenId: null };
  }
  if (typeof header !== 'string' || header === '')
    throw unauthenticated('sign in: send Authorization: Bearer …');
  const match = /^Bearer ([A-Za-z0-9_\-.]{1,4096})$/.exec(header.trim());
  if (!match?.[1]) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  const credential = match[1];
  if (credential.startsWith(API_TOKEN_PREFIX)) {
    const token = await app.ports.tokens.findLive(credential);
    if (!token) throw unauthenticated('unknown or revoked API token');
    return {
      actor: { name: token.name, role: token.role, via: 'api' },
      sessionSecret: null,
      tokenId: token.id,
    };
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
  checkLifetime(payload, app.ports.clock.now());
  return { actor: actorFromClaims(payload), sessionSecret: null, tokenId: null };
}
