/**
 * Signing in with the company's OpenID Connect provider (PRODUCT.md §12 "People sign in"), and the
 * address people reach Lifeline at. OIDC is all or nothing: OIDC_ISSUER turns it on and then needs
 * the client and the group-to-role mapping; without OIDC_ISSUER no other OIDC_ variable may be set.
 */
import { z } from 'zod';
import type { GroupRole } from '../core/access/oidc.js';
import { ROLES, type Role } from '../core/ports.js';
import { list, need, spec, tryUrl, type RuleContext, type ValuesOf } from './fields.js';

export interface OidcConfig {
  /** The issuer (discovery URL base), exactly as configured. */
  issuer: string;
  clientId: string;
  /** Secret. */
  clientSecret: string;
  /** The claim holding the person's groups (a dotted path reaches into an object claim). */
  roleClaim: string;
  roles: readonly GroupRole[];
  /** What the login page says: "Sign in with <name>". */
  name: string;
}

export interface OidcGroupConfig {
  /** LIFELINE_PUBLIC_URL: the origin people use, without a trailing slash. */
  publicUrl?: string;
  oidc?: OidcConfig;
}

/** localhost, 127.0.0.0/8 and ::1: the only hosts plain http:// is accepted on. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** An https:// URL, or http:// on a loopback address; `origin` refuses a path, query or fragment. */
function secureUrl(what: string, options: { origin: boolean }) {
  return z.string().transform((value, ctx) => {
    const parsed = tryUrl(value);
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.hostname === '') {
      ctx.addIssue(`must be ${what}, an https:// URL`);
      return z.NEVER;
    }
    if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
      ctx.addIssue('must be https:// (plain http:// is accepted only on a loopback address)');
      return z.NEVER;
    }
    if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
      ctx.addIssue(`must be ${what} without credentials, query or fragment`);
      return z.NEVER;
    }
    if (options.origin && parsed.pathname !== '/') {
      ctx.addIssue(`must be ${what} without a path (Lifeline is served at the root)`);
      return z.NEVER;
    }
    // An issuer is kept exactly as written: discovery compares it with the document's `issuer`.
    return options.origin ? value.replace(/\/+$/, '') : value;
  });
}

const ROLE_LIST = `${ROLES.slice(0, -1).join(', ')} or ${ROLES[ROLES.length - 1]}`;

/**
 * `group:role,group:role`: the role after the last colon (so a group may contain colons); each
 * group once. A group holding a comma cannot be written here.
 */
export const groupRoles = z.string().transform((value, ctx): GroupRole[] => {
  const entries: GroupRole[] = [];
  for (const entry of list(value)) {
    const at = entry.lastIndexOf(':');
    const group = at > 0 ? entry.slice(0, at).trim() : '';
    const role = at > 0 ? entry.slice(at + 1).trim() : '';
    if (group === '' || !(ROLES as readonly string[]).includes(role)) {
      ctx.addIssue(`${JSON.stringify(entry)} is not group:role with a role of ${ROLE_LIST}`);
      return z.NEVER;
    }
    if (entries.some((e) => e.group === group)) {
      ctx.addIssue(`the group ${JSON.stringify(group)} is named twice`);
      return z.NEVER;
    }
    entries.push({ group, role: role as Role });
  }
  if (entries.length === 0) {
    ctx.addIssue('must name at least one group:role');
    return z.NEVER;
  }
  return entries;
});

export const DEFAULT_ROLE_CLAIM = 'groups';

export const OIDC = {
  LIFELINE_PUBLIC_URL: spec({
    group: 'oidc',
    default: 'http://HOST:PORT',
    secret: false,
    description:
      'The address people reach Lifeline at, e.g. https://lifeline.example.com (https://, or http:// on a loopback address: the session cookie is Secure). The sign-in redirect URI is LIFELINE_PUBLIC_URL/auth/oidc/callback; `lifeline login-link` prints links on it. Required with OIDC_ISSUER.',
    schema: secureUrl('an origin such as https://lifeline.example.com', { origin: true }).optional(),
  }),
  OIDC_ISSUER: spec({
    group: 'oidc',
    default: null,
    secret: false,
    description:
      'The OpenID Connect issuer (its discovery document is ISSUER/.well-known/openid-configuration), e.g. https://login.example.com. Turns on "Sign in with …" on the login page; needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ROLES and LIFELINE_PUBLIC_URL. https://, or http:// on a loopback address only.',
    schema: secureUrl('the issuer URL', { origin: false }).optional(),
  }),
  OIDC_NAME: spec({
    group: 'oidc',
    default: "the issuer's host name",
    secret: false,
    description: 'What the login page calls the identity provider: "Sign in with OIDC_NAME".',
    schema: z
      .string()
      .max(60, 'must be at most 60 characters')
      .regex(/^[^\p{C}]+$/u, 'must be printable text')
      .optional(),
  }),
  OIDC_CLIENT_ID: spec({
    group: 'oidc',
    default: null,
    secret: false,
    description: 'The client id Lifeline is registered with at the identity provider.',
    schema: z.string().max(500, 'must be at most 500 characters').optional(),
  }),
  OIDC_CLIENT_SECRET: spec({
    group: 'oidc',
    default: null,
    secret: true,
    description:
      'The client secret (sent with HTTP Basic authentication to the token endpoint; the flow uses PKCE too).',
    schema: z.string().optional(),
  }),
  OIDC_ROLE_CLAIM: spec({
    group: 'oidc',
    default: DEFAULT_ROLE_CLAIM,
    secret: false,
    description:
      'The claim (in the ID token, else from the userinfo endpoint) listing the person’s groups; a dotted path such as realm_access.roles reaches into an object. When the provider offers a scope of the same name, Lifeline asks for it.',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_:./-]{1,100}$/, 'must be a claim name (letters, digits, _ : . / -)')
      .optional(),
  }),
  OIDC_ROLES: spec({
    group: 'oidc',
    default: null,
    secret: false,
    description:
      'Comma list of group:role (roles engineer, licensing, admin), e.g. support:engineer,licensing:licensing,lifeline-admins:admin. The highest role a person’s groups give wins; a person in no listed group is refused.',
    schema: groupRoles.optional(),
  }),
};

type Name = keyof typeof OIDC;
const REQUIRED_WITH_ISSUER: Name[] = [
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_ROLES',
  'LIFELINE_PUBLIC_URL',
];
const ONLY_WITH_ISSUER: Name[] = [
  'OIDC_NAME',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_ROLE_CLAIM',
  'OIDC_ROLES',
];

export function oidcRules(_v: Partial<ValuesOf<typeof OIDC>>, r: RuleContext<Name>): void {
  if (!r.missing('OIDC_ISSUER')) {
    r.requireFor('OIDC_ISSUER is set', REQUIRED_WITH_ISSUER);
    return;
  }
  for (const name of ONLY_WITH_ISSUER) {
    if (!r.missing(name)) r.problem(name, 'is set but OIDC_ISSUER is not: set OIDC_ISSUER too, or remove it');
  }
}

export function oidcConfig(v: ValuesOf<typeof OIDC>): OidcGroupConfig {
  const issuer = v.OIDC_ISSUER;
  return {
    ...(v.LIFELINE_PUBLIC_URL !== undefined ? { publicUrl: v.LIFELINE_PUBLIC_URL } : {}),
    ...(issuer !== undefined
      ? {
          oidc: {
            issuer,
            clientId: need(v.OIDC_CLIENT_ID),
            clientSecret: need(v.OIDC_CLIENT_SECRET),
            roleClaim: v.OIDC_ROLE_CLAIM ?? DEFAULT_ROLE_CLAIM,
            roles: need(v.OIDC_ROLES),
            name: v.OIDC_NAME ?? new URL(issuer).hostname,
          },
        }
      : {}),
  };
}

/**
 * The address people reach Lifeline at: LIFELINE_PUBLIC_URL, else http://HOST:PORT of where it
 * listens (`listening`, when known, over the configured one; every interface is shown as loopback).
 */
export function publicUrlOf(
  config: OidcGroupConfig & { http: { host: string; port: number } },
  listening?: { host: string; port: number },
): string {
  if (config.publicUrl) return config.publicUrl;
  const { host, port } = listening ?? config.http;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** Where the identity provider sends people back (to register there). */
export function oidcRedirectUri(config: OidcGroupConfig & { http: { host: string; port: number } }): string {
  return `${publicUrlOf(config)}/auth/oidc/callback`;
}
