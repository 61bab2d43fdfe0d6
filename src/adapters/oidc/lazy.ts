/**
 * The identity provider, loaded at the first sign-in: `openid-client` (and its JOSE library) load
 * only in a process that signs someone in, not in every command that builds the app.
 */
import type { IdentityProvider } from '../../core/access/ports.js';
import type { OpenIdSettings } from './openid-provider.js';

export function lazyOpenIdProvider(settings: OpenIdSettings): IdentityProvider {
  let provider: Promise<IdentityProvider> | null = null;
  const load = (): Promise<IdentityProvider> =>
    (provider ??= import('./openid-provider.js').then((m) => m.openIdProvider(settings)));
  return {
    authorizationUrl: async (flow) => (await load()).authorizationUrl(flow),
    claims: async (callbackUrl, flow) => (await load()).claims(callbackUrl, flow),
  };
}
