/**
 * Signing in with the company's OpenID Connect provider (PRODUCT.md §12 "People sign in"): the
 * flow's start and finish, and who the provider's claims make a person in Lifeline — the highest
 * role their groups give; someone in no mapped group is refused. The protocol (discovery, PKCE,
 * the ID token's checks) is the IdentityProvider adapter's; the flow's state is the OidcFlows store's.
 */
import { ruleOneFields } from '../eligibility/input.js';
import { fail, useCase, type Outcome } from '../outcome.js';
import { ROLES, type Actor, type Role } from '../ports.js';
import type { AccessPorts, Claims, IdentityProvider, OidcFlows } from './ports.js';
import { signInAs, type SignedIn } from './sessions.js';

/** One entry of OIDC_ROLES: people in `group` get `role`. */
export interface GroupRole {
  group: string;
  role: Role;
}

export interface OidcSettings {
  /** The claim listing a person's groups; a dotted path reaches into an object claim. */
  roleClaim: string;
  roles: readonly GroupRole[];
}

export interface OidcPorts extends AccessPorts {
  oidcFlows: OidcFlows;
  /** Null when no identity provider is configured. */
  identity: IdentityProvider | null;
}

/** The claim named `path` itself, else the value at its dotted path (`realm_access.roles`). */
export function claimAt(claims: Claims, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const key of path.split('.')) {
    if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key))
      return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A list of groups, or a single group as text; anything else names none. */
export function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

/** The highest role (in ROLES order) the person's groups are mapped to; null when none is. */
export function roleFromClaims(claims: Claims, settings: OidcSettings): Role | null {
  const groups = new Set(groupsOf(claimAt(claims, settings.roleClaim)));
  let best: Role | null = null;
  for (const { group, role } of settings.roles) {
    if (groups.has(group) && (best === null || ROLES.indexOf(role) > ROLES.indexOf(best))) best = role;
  }
  return best;
}

/** The claims that may name a person, in the order they are preferred. */
const NAME_CLAIMS = ['email', 'preferred_username', 'name', 'sub'] as const;

/**
 * The name a person acts under (recorded on what they do): the first naming claim that fits; an
 * email the provider says it has not verified is passed over.
 */
export function nameFromClaims(claims: Claims): string | null {
  for (const claim of NAME_CLAIMS) {
    if (claim === 'email' && claims['email_verified'] === false) continue;
    const value = claims[claim];
    if (typeof value !== 'string' || value.trim() === '') continue;
    const checked = ruleOneFields.engineer(value);
    if (checked.ok && typeof checked.value === 'string') return checked.value;
  }
  return null;
}

/** Where to land after signing in: a path of this site (never another origin), else `/`. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 500) return '/';
  if (!/^\/(?![/\\])/.test(value) || /[\p{C}\s]/u.test(value)) return '/';
  return value;
}

function identityOf(ports: OidcPorts): IdentityProvider {
  if (!ports.identity)
    fail('NOT_FOUND', 'signing in with an identity provider is not configured (OIDC_ISSUER)');
  return ports.identity;
}

/**
 * Starts a sign-in: a new flow (state, nonce, PKCE verifier; kept in the database for any process
 * to finish) and the provider's address to send the browser to. `binding` goes into a cookie: only
 * the browser that started the flow can finish it.
 */
export function startOidcSignIn(
  input: { returnTo: unknown },
  ports: OidcPorts,
): Outcome<{ url: string; binding: string }> {
  return useCase(async () => {
    const identity = identityOf(ports);
    const started = await ports.oidcFlows.start(
      { returnTo: safeReturnTo(input.returnTo) },
      ports.clock.now(),
    );
    if (!started) fail('RATE_LIMITED', 'too many sign-ins are in progress: try again in a few minutes');
    return { url: await identity.authorizationUrl(started.flow), binding: started.binding };
  });
}

/**
 * Finishes a sign-in from the provider's redirect: the flow its state names is used up (once, by
 * the browser that started it), the provider confirms the person, and their groups decide the role.
 * FORBIDDEN when they are in no mapped group; UNAUTHENTICATED for anything else that fails.
 */
export function finishOidcSignIn(
  input: { callbackUrl: URL; binding: string | undefined },
  ports: OidcPorts,
  settings: OidcSettings,
): Outcome<SignedIn & { returnTo: string }> {
  return useCase(async () => {
    const identity = identityOf(ports);
    const state = input.callbackUrl.searchParams.get('state');
    const flow =
      state && input.binding ? await ports.oidcFlows.finish(state, input.binding, ports.clock.now()) : null;
    if (!flow)
      fail('UNAUTHENTICATED', 'this sign-in is unknown, was used already or has expired: start again');
    const claims = await identity.claims(input.callbackUrl, flow);
    if (!claims.ok)
      fail('UNAUTHENTICATED', `the identity provider did not confirm the sign-in: ${claims.error}`);
    const name = nameFromClaims(claims.value);
    if (!name) fail('UNAUTHENTICATED', 'the identity provider named no one (no email, user name or subject)');
    const role = roleFromClaims(claims.value, settings);
    if (!role) {
      fail(
        'FORBIDDEN',
        `${name} is in none of the groups (claim ${settings.roleClaim}) that may use Lifeline`,
      );
    }
    const actor: Actor = { name, role };
    const signedIn = await signInAs(actor, ports);
    if (!signedIn.ok) fail(signedIn.error.code, signedIn.error.message);
    return { ...signedIn.value, returnTo: flow.returnTo };
  });
}
