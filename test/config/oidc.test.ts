/**
 * The sign-in settings (src/config/oidc.ts): OIDC is all or nothing, an http:// issuer or public URL
 * only on a loopback address, OIDC_ROLES parsed into group → role, the client secret never printed.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, redactedConfig, type Config, type ConfigProblem } from '../../src/config.js';
import { isLoopbackHost } from '../../src/config/oidc.js';

type Env = Record<string, string | undefined>;

const FULL: Env = {
  OIDC_ISSUER: 'https://login.example.com/realms/staff',
  OIDC_CLIENT_ID: 'lifeline',
  OIDC_CLIENT_SECRET: 'SECRET-client-41',
  OIDC_ROLES: 'support:engineer, licensing-team:licensing ,lifeline-admins:admin',
  LIFELINE_PUBLIC_URL: 'https://lifeline.example.com/',
};

function ok(env: Env): Config {
  const result = parseConfig(env);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.error)}`);
  return result.value;
}

function problems(env: Env): ConfigProblem[] {
  const result = parseConfig(env);
  if (result.ok) throw new Error('expected problems, got a config');
  return result.error;
}

const problemFor = (env: Env, variable: string): string => {
  const found = problems(env).filter((p) => p.variable === variable);
  expect(found, JSON.stringify(problems(env))).toHaveLength(1);
  return found[0]?.message ?? '';
};

describe('OIDC settings', () => {
  it('are off by default, and the public URL stands on its own', () => {
    expect(ok({}).oidc).toBeUndefined();
    expect(ok({}).publicUrl).toBeUndefined();
    const alone = ok({ LIFELINE_PUBLIC_URL: 'https://lifeline.example.com' });
    expect(alone.publicUrl).toBe('https://lifeline.example.com');
    expect(alone.oidc).toBeUndefined();
  });

  it('parse into the issuer (kept as written: discovery compares it), client, role claim, roles and the name the login page shows', () => {
    expect(ok({ ...FULL, OIDC_ISSUER: 'https://tenant.example.com/' }).oidc?.issuer).toBe(
      'https://tenant.example.com/',
    );
    const config = ok(FULL);
    expect(config.publicUrl).toBe('https://lifeline.example.com');
    expect(config.oidc).toEqual({
      issuer: 'https://login.example.com/realms/staff',
      clientId: 'lifeline',
      clientSecret: 'SECRET-client-41',
      roleClaim: 'groups',
      roles: [
        { group: 'support', role: 'engineer' },
        { group: 'licensing-team', role: 'licensing' },
        { group: 'lifeline-admins', role: 'admin' },
      ],
      name: 'login.example.com',
    });
    const named = ok({ ...FULL, OIDC_NAME: 'Acme SSO', OIDC_ROLE_CLAIM: 'realm_access.roles' }).oidc;
    expect(named?.name).toBe('Acme SSO');
    expect(named?.roleClaim).toBe('realm_access.roles');
  });

  it('OIDC_ROLES: the role after the last colon, so a group may hold colons', () => {
    const roles = ok({ ...FULL, OIDC_ROLES: 'urn:acme:group:support:engineer,cn=admins:admin' }).oidc?.roles;
    expect(roles).toEqual([
      { group: 'urn:acme:group:support', role: 'engineer' },
      { group: 'cn=admins', role: 'admin' },
    ]);
  });

  it.each([
    ['support', '"support" is not group:role'],
    ['support:owner', '"support:owner" is not group:role with a role of engineer, licensing or admin'],
    [':admin', '":admin" is not group:role'],
    ['support:engineer,support:admin', 'the group "support" is named twice'],
    [' , ,', 'must name at least one group:role'],
  ])('OIDC_ROLES=%j is refused: %s', (value, message) => {
    expect(problemFor({ ...FULL, OIDC_ROLES: value }, 'OIDC_ROLES')).toContain(message);
  });

  it('an http:// issuer is accepted only on a loopback address', () => {
    for (const issuer of ['http://127.0.0.1:9000', 'http://localhost:9000/oidc', 'http://[::1]:9000']) {
      expect(ok({ ...FULL, OIDC_ISSUER: issuer }).oidc?.issuer).toBe(issuer);
    }
    for (const issuer of ['http://login.example.com', 'http://10.0.0.5:8080', 'http://127.example.com']) {
      expect(problemFor({ ...FULL, OIDC_ISSUER: issuer }, 'OIDC_ISSUER')).toMatch(
        /^must be https:\/\/ \(plain http:\/\/ is accepted only on a loopback address\)/,
      );
    }
    expect(problemFor({ ...FULL, OIDC_ISSUER: 'ftp://login.example.com' }, 'OIDC_ISSUER')).toContain(
      'must be the issuer URL, an https:// URL',
    );
    expect(problemFor({ ...FULL, OIDC_ISSUER: 'https://login.example.com?x=1' }, 'OIDC_ISSUER')).toContain(
      'without credentials, query or fragment',
    );
  });

  it('the public URL is an origin: https://, or http:// on loopback; no path', () => {
    expect(ok({ ...FULL, LIFELINE_PUBLIC_URL: 'http://127.0.0.1:3101' }).publicUrl).toBe(
      'http://127.0.0.1:3101',
    );
    expect(
      problemFor({ ...FULL, LIFELINE_PUBLIC_URL: 'http://lifeline.example.com' }, 'LIFELINE_PUBLIC_URL'),
    ).toContain('accepted only on a loopback address');
    expect(
      problemFor({ ...FULL, LIFELINE_PUBLIC_URL: 'https://example.com/lifeline' }, 'LIFELINE_PUBLIC_URL'),
    ).toContain('without a path');
  });

  it('are all or nothing: the issuer needs the client, the roles and the public URL', () => {
    const found = problems({ OIDC_ISSUER: 'https://login.example.com' });
    expect(found).toEqual([
      { variable: 'LIFELINE_PUBLIC_URL', message: 'required when OIDC_ISSUER is set' },
      { variable: 'OIDC_CLIENT_ID', message: 'required when OIDC_ISSUER is set' },
      { variable: 'OIDC_CLIENT_SECRET', message: 'required when OIDC_ISSUER is set' },
      { variable: 'OIDC_ROLES', message: 'required when OIDC_ISSUER is set' },
    ]);
    const { OIDC_ISSUER: _issuer, ...rest } = FULL;
    const orphans = problems(rest);
    expect(orphans.map((p) => p.variable)).toEqual(['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_ROLES']);
    for (const p of orphans)
      expect(p.message).toBe('is set but OIDC_ISSUER is not: set OIDC_ISSUER too, or remove it');
  });

  it('never prints the client secret', () => {
    const env = { ...FULL, OIDC_ROLES: 'nope' };
    expect(JSON.stringify(problems(env))).not.toContain('SECRET-client-41');
    const printed = redactedConfig(ok(FULL));
    expect(JSON.stringify(printed)).not.toContain('SECRET-client-41');
    expect(printed['oidc']).toMatchObject({ clientSecret: '[redacted]', clientId: 'lifeline' });
  });

  it('knows the loopback hosts', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]', '::1'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['localhost.example.com', '128.0.0.1', '10.0.0.1', '::2', '0.0.0.0'])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
