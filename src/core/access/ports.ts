/**
 * Who may call (PRODUCT.md §2, §10): API tokens, console sessions and one-time login links, as the
 * use cases see them. The secrets are the caller's; the store keeps only their hashes.
 */
import type { Actor, Role } from '../ports.js';
import type { Result } from '../result.js';

/** How an API token's secret begins (so a credential is recognised as a token, not a JWT). */
export const API_TOKEN_PREFIX = 'llt_';

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  /** The first characters of the secret, for recognising it; never enough to use it. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface TokenStore {
  create(input: { name: string; role: Role }, now: Date): Promise<{ token: ApiToken; secret: string }>;
  /** The live (not revoked) token with this secret, or null. */
  findLive(secret: string): Promise<ApiToken | null>;
  list(): Promise<ApiToken[]>;
  /** False when there is no live token with this id. */
  revoke(id: string, now: Date): Promise<boolean>;
  count(): Promise<number>;
}

export interface WebSession {
  id: string;
  actor: Actor;
  expiresAt: string;
  createdAt?: string;
  /** The API token it was made from, if any (revoking the token ends the session). */
  tokenId?: string | null;
}

export interface SessionStore {
  create(
    input: { actor: Actor; tokenId: string | null },
    now: Date,
  ): Promise<{ secret: string; session: WebSession }>;
  /** The live session for a cookie secret (not expired, its token not revoked), or null. */
  findLive(secret: string, now: Date): Promise<WebSession | null>;
  end(secret: string): Promise<void>;
  /** The live sessions, newest first. */
  list(now: Date): Promise<WebSession[]>;
  /** False when there is no session with this id. */
  endById(id: string): Promise<boolean>;
  /** A one-time login link's code for this person (minutes, usable once). */
  createLoginLink(
    actor: { name: string; role: Role },
    now: Date,
  ): Promise<{ code: string; expiresAt: string }>;
  /** Uses a link up: the person when the code is known, unused and not expired; else null. */
  useLoginLink(code: string, now: Date): Promise<{ name: string; role: Role } | null>;
  /** The session's CSRF token (derived from its secret, never stored) and its check. */
  csrfTokenOf(secret: string): string;
  csrfTokenMatches(secret: string, presented: unknown): boolean;
}

export interface AccessPorts {
  tokens: TokenStore;
  sessions: SessionStore;
  clock: { now(): Date };
}

/** What an identity provider says of a person (an ID token's claims, with its userinfo's). */
export type Claims = Readonly<Record<string, unknown>>;

/** One sign-in with the identity provider in flight: what its callback is checked against. */
export interface OidcFlow {
  state: string;
  nonce: string;
  /** PKCE: its SHA-256 went to the provider; the verifier goes only to the token endpoint. */
  codeVerifier: string;
  /** The console path the person was going to. */
  returnTo: string;
}

/** Flows in the database, so any process may receive the callback: minutes long, used once. */
export interface OidcFlows {
  /**
   * A new flow with a random state, nonce and verifier, for the browser that will hold `binding`
   * (a random value for its cookie; only its hash is kept, and it seals the nonce and verifier).
   * Null when too many flows are in progress (anyone may start one: the table stays bounded).
   */
  start(input: { returnTo: string }, now: Date): Promise<{ flow: OidcFlow; binding: string } | null>;
  /** Uses a flow up: its values when the state is known, unused and unexpired and the binding is its own; else null. */
  finish(state: string, binding: string, now: Date): Promise<OidcFlow | null>;
}

/** The OpenID Connect provider (authorization code with PKCE). */
export interface IdentityProvider {
  /** The provider's authorization address for this flow (state, nonce, PKCE challenge). */
  authorizationUrl(flow: OidcFlow): Promise<string>;
  /**
   * Redeems the code the callback address carries (checking its state and issuer, the ID token's
   * signature, audience and nonce) and returns the person's claims, or why that failed.
   */
  claims(callbackUrl: URL, flow: OidcFlow): Promise<Result<Claims, string>>;
}
