/**
 * A real OpenID Connect provider on loopback for the sign-in tests: `oidc-provider` (the certified
 * Node.js implementation) with one confidential client that must use PKCE, a `groups` scope and
 * claim, and a few people. Its development login form accepts any password for a known login.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'lifeline-test';
export const CLIENT_SECRET = 'client-secret-for-the-oidc-tests-0123456789';

/** The people the provider knows, by login, with their groups. */
export const PEOPLE: Record<string, { email: string; name: string; groups: string[] }> = {
  erin: { email: 'erin@acme.example', name: 'Erin Engineer', groups: ['everyone', 'support'] },
  lee: { email: 'lee@acme.example', name: 'Lee Licensing', groups: ['support', 'licensing-team'] },
  ada: { email: 'ada@acme.example', name: 'Ada Admin', groups: ['lifeline-admins', 'support'] },
  mallory: { email: 'mallory@acme.example', name: 'Mallory Marketing', groups: ['everyone', 'marketing'] },
};

/** OIDC_ROLES for these people's groups. */
export const ROLES_SETTING = 'support:engineer,licensing-team:licensing,lifeline-admins:admin';

/** A free loopback port (for an app whose address must be known before it listens). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

/** Starts the provider on `host` (a loopback name), sending people back to `redirectUri`. */
export async function startProvider(redirectUri: string, host = '127.0.0.1'): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    cookies: { keys: ['oidc-test-cookie-key-0123456789abcdef'] },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' }] },
    async findAccount(_ctx, id) {
      const person = PEOPLE[id];
      if (!person) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: person.email,
          email_verified: true,
          name: person.name,
          preferred_username: id,
          groups: person.groups,
        }),
      };
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
