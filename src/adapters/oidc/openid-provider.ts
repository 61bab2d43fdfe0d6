/**
 * The IdentityProvider port on `openid-client` (authorization code with PKCE S256, the client
 * secret sent with HTTP Basic). The issuer's discovery document is read at the first sign-in and
 * kept (a failed read is tried again next time); nothing is fetched but from the issuer's own
 * endpoints. Plain http:// is allowed only because the configuration accepts it on loopback alone.
 */
import * as client from 'openid-client';
import { claimAt } from '../../core/access/oidc.js';
import type { Claims, IdentityProvider } from '../../core/access/ports.js';
import { LifelineError } from '../../core/errors.js';
import { err, ok } from '../../core/result.js';

export interface OpenIdSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Asked for as a scope too when the provider offers a scope of that name (e.g. `groups`). */
  roleClaim: string;
  redirectUri: string;
}

const BASE_SCOPES = ['openid', 'email', 'profile'];
const TIMEOUT_SECONDS = 10;

/** A sentence for a failed exchange: the provider's error code and description, or the client's. */
function reasonOf(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) {
    const description = error.error_description ? `: ${error.error_description}` : '';
    return `${error.error}${description}`.slice(0, 300);
  }
  if (!(error instanceof Error)) return String(error).slice(0, 300);
  // A network failure says only "fetch failed"; its cause names it (ECONNREFUSED, a timeout…).
  const cause = (error.cause as { code?: unknown } | undefined)?.code;
  return `${error.message}${typeof cause === 'string' ? ` (${cause})` : ''}`.slice(0, 300);
}

export function openIdProvider(settings: OpenIdSettings): IdentityProvider {
  let discovered: Promise<client.Configuration> | null = null;
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        client.ClientSecretBasic(settings.clientSecret),
        {
          timeout: TIMEOUT_SECONDS,
          ...(settings.issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : {}),
        },
      )
      .catch((error: unknown) => {
        discovered = null;
        throw new LifelineError(
          'INFRASTRUCTURE',
          `the identity provider's discovery document could not be read (${reasonOf(error)})`,
          { retryable: true },
        );
      });
    return discovered;
  };

  return {
    async authorizationUrl(flow) {
      const config = await configuration();
      const offered = config.serverMetadata().scopes_supported ?? [];
      const scopes = offered.includes(settings.roleClaim)
        ? [...BASE_SCOPES, settings.roleClaim]
        : BASE_SCOPES;
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: scopes.join(' '),
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
      });
      return url.href;
    },

    async claims(callbackUrl, flow) {
      // The token request's redirect_uri is the callback address without its query: the caller
      // gives it on the configured redirect URI, whatever Host the request came with.
      try {
        const config = await configuration();
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const idToken = tokens.claims();
        if (!idToken) return err('the provider returned no ID token');
        let claims: Claims = { ...idToken };
        // Many providers put groups and email only in the userinfo answer (for the same subject).
        const incomplete = claimAt(claims, settings.roleClaim) === undefined || claims['email'] === undefined;
        if (incomplete && config.serverMetadata().userinfo_endpoint) {
          const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
          claims = { ...info, ...idToken };
        }
        return ok(claims);
      } catch (error) {
        return err(reasonOf(error));
      }
    },
  };
}
