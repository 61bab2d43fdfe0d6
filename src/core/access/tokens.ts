/** API tokens (PRODUCT.md §2: admins manage them): created (the secret shown once), listed, revoked. */
import { ENGINEER_MAX_LENGTH } from '../limits.js';
import { requireRole } from '../issuance/guards.js';
import { fail, useCase, type Outcome } from '../outcome.js';
import { ROLES, type Actor, type Role } from '../ports.js';
import type { AccessPorts, ApiToken } from './ports.js';

/** Control, format and other invisible characters (a name is shown in lists and logs). */
const UNPRINTABLE = /[\p{C}\u2028\u2029]/u;

function validName(name: unknown): string {
  const text = typeof name === 'string' ? name.trim() : '';
  if (text === '' || [...text].length > ENGINEER_MAX_LENGTH || UNPRINTABLE.test(text)) {
    fail('INPUT_INVALID', `name: a printable name of 1 to ${ENGINEER_MAX_LENGTH} characters`, {
      field: 'name',
    });
  }
  return text;
}

function validRole(role: unknown): Role {
  if (!(ROLES as readonly unknown[]).includes(role)) {
    fail('INPUT_INVALID', `role: must be ${ROLES.join(', ')}`, { field: 'role' });
  }
  return role as Role;
}

export function createApiToken(
  input: { actor: Actor; name: unknown; role: unknown },
  ports: AccessPorts,
): Outcome<{ token: ApiToken; secret: string }> {
  return useCase(async () => {
    requireRole(input.actor, ['admin'], 'create API tokens');
    return ports.tokens.create(
      { name: validName(input.name), role: validRole(input.role) },
      ports.clock.now(),
    );
  });
}

export function listApiTokens(actor: Actor, ports: AccessPorts): Outcome<ApiToken[]> {
  return useCase(async () => {
    requireRole(actor, ['admin'], 'list API tokens');
    return ports.tokens.list();
  });
}

export function revokeApiToken(actor: Actor, id: string, ports: AccessPorts): Outcome<void> {
  return useCase(async () => {
    requireRole(actor, ['admin'], 'revoke API tokens');
    if (!(await ports.tokens.revoke(id, ports.clock.now()))) {
      fail('NOT_FOUND', `no live token ${JSON.stringify(id.slice(0, 64))}`);
    }
  });
}
