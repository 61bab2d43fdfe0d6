/** Who an identity provider's claims make a person (src/core/access/oidc.ts): pure functions. */
import { describe, expect, it } from 'vitest';
import {
  claimAt,
  groupsOf,
  nameFromClaims,
  roleFromClaims,
  safeReturnTo,
  type OidcSettings,
} from '../../../src/core/access/oidc.js';

const SETTINGS: OidcSettings = {
  roleClaim: 'groups',
  roles: [
    { group: 'support', role: 'engineer' },
    { group: 'lifeline-admins', role: 'admin' },
    { group: 'licensing-team', role: 'licensing' },
  ],
};

describe('roleFromClaims', () => {
  it('gives the role of the one mapped group', () => {
    expect(roleFromClaims({ groups: ['support'] }, SETTINGS)).toBe('engineer');
    expect(roleFromClaims({ groups: ['licensing-team', 'everyone'] }, SETTINGS)).toBe('licensing');
  });

  it('the highest role wins, whatever the order of the groups or of OIDC_ROLES', () => {
    expect(roleFromClaims({ groups: ['support', 'lifeline-admins', 'licensing-team'] }, SETTINGS)).toBe(
      'admin',
    );
    expect(roleFromClaims({ groups: ['licensing-team', 'support'] }, SETTINGS)).toBe('licensing');
    const reversed = { ...SETTINGS, roles: [...SETTINGS.roles].reverse() };
    expect(roleFromClaims({ groups: ['support', 'licensing-team'] }, reversed)).toBe('licensing');
  });

  it('refuses (null) a person in no mapped group, or with no usable claim', () => {
    expect(roleFromClaims({ groups: ['everyone', 'Support', 'support '] }, SETTINGS)).toBeNull();
    expect(roleFromClaims({ groups: [] }, SETTINGS)).toBeNull();
    expect(roleFromClaims({}, SETTINGS)).toBeNull();
    expect(roleFromClaims({ groups: { support: true } }, SETTINGS)).toBeNull();
    expect(roleFromClaims({ groups: 42 }, SETTINGS)).toBeNull();
    // The groups must be in the configured claim, not another one.
    expect(roleFromClaims({ roles: ['lifeline-admins'] }, SETTINGS)).toBeNull();
  });

  it('reads a single group given as text, and a dotted claim path', () => {
    expect(roleFromClaims({ groups: 'lifeline-admins' }, SETTINGS)).toBe('admin');
    const nested = { ...SETTINGS, roleClaim: 'realm_access.roles' };
    expect(roleFromClaims({ realm_access: { roles: ['support', 'x'] } }, nested)).toBe('engineer');
    // A claim whose own name has a dot wins over the path.
    expect(
      roleFromClaims({ 'realm_access.roles': ['lifeline-admins'], realm_access: { roles: [] } }, nested),
    ).toBe('admin');
  });
});

describe('claimAt and groupsOf', () => {
  it('never reach into inherited properties or through arrays', () => {
    expect(claimAt({}, 'constructor')).toBeUndefined();
    expect(claimAt({ a: {} }, 'a.toString')).toBeUndefined();
    expect(claimAt({ a: [{ b: 1 }] }, 'a.0.b')).toBeUndefined();
    expect(claimAt({ a: { b: { c: 'x' } } }, 'a.b.c')).toBe('x');
  });

  it('keep only text groups', () => {
    expect(groupsOf(['a', 1, null, 'b', { c: 1 }])).toEqual(['a', 'b']);
    expect(groupsOf(undefined)).toEqual([]);
  });
});

describe('nameFromClaims', () => {
  it('prefers the email, then the user name, the name and the subject', () => {
    const all = { email: 'erin@acme.example', preferred_username: 'erin', name: 'Erin E', sub: '123' };
    expect(nameFromClaims(all)).toBe('erin@acme.example');
    expect(nameFromClaims({ ...all, email: undefined })).toBe('erin');
    expect(nameFromClaims({ name: 'Erin E', sub: '123' })).toBe('Erin E');
    expect(nameFromClaims({ sub: '123' })).toBe('123');
  });

  it('passes over an email the provider has not verified', () => {
    expect(
      nameFromClaims({ email: 'ceo@acme.example', email_verified: false, preferred_username: 'eve' }),
    ).toBe('eve');
    expect(nameFromClaims({ email: 'erin@acme.example', email_verified: true })).toBe('erin@acme.example');
  });

  it('skips a claim that is not a fit name (blank, too long, control characters, not text)', () => {
    expect(nameFromClaims({ email: '  ', preferred_username: 'erin' })).toBe('erin');
    expect(nameFromClaims({ email: 'x'.repeat(101), sub: 's' })).toBe('s');
    expect(nameFromClaims({ email: 'a\u0000b@x.example', name: 'Ok' })).toBe('Ok');
    expect(nameFromClaims({ email: 42, sub: 'id-1' })).toBe('id-1');
    expect(nameFromClaims({})).toBeNull();
  });
});

describe('safeReturnTo', () => {
  it('keeps a path of this site', () => {
    expect(safeReturnTo('/requests/req_1?x=1')).toBe('/requests/req_1?x=1');
    expect(safeReturnTo('/')).toBe('/');
  });

  it.each(['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'requests', '', '/a b', '/a\nb'])(
    'sends %j to /',
    (value) => {
      expect(safeReturnTo(value)).toBe('/');
    },
  );

  it('sends anything that is not short text to /', () => {
    expect(safeReturnTo(undefined)).toBe('/');
    expect(safeReturnTo(['/x'])).toBe('/');
    expect(safeReturnTo(`/${'a'.repeat(600)}`)).toBe('/');
  });
});
