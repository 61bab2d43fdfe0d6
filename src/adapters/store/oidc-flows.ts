/**
 * Sign-ins with the identity provider in flight (the OidcFlows port), in the database so that any
 * process may receive the callback. A row is found by the SHA-256 of its state, belongs to the
 * browser whose cookie holds its binding (only the binding's hash is kept), expires after minutes
 * and is deleted when used. The nonce and PKCE verifier are sealed (AES-256-GCM) under a key derived
 * from the binding, so the database alone cannot finish a flow.
 */
import { createCipheriv, createDecipheriv, hash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OidcFlow, OidcFlows } from '../../core/access/ports.js';
import type { Database } from './schema.js';

export const OIDC_FLOW_TTL_MS = 10 * 60 * 1000;
/** Flows in progress at most (starting one needs no credentials): far above any team's sign-ins. */
export const MAX_LIVE_FLOWS = 5_000;

const RANDOM = /^[A-Za-z0-9_-]{43}$/;
const random = (): string => randomBytes(32).toString('base64url');
const hashOf = (value: string): string => hash('sha256', value, 'hex');
const keyOf = (binding: string): Buffer =>
  Buffer.from(hash('sha256', `lifeline oidc flow v1:${binding}`, 'buffer'));

function seal(values: { nonce: string; codeVerifier: string }, binding: string, stateHash: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(binding), iv);
  cipher.setAAD(Buffer.from(stateHash));
  const body = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function unseal(
  sealed: string,
  binding: string,
  stateHash: string,
): { nonce: string; codeVerifier: string } | null {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyOf(binding), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(stateHash));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const values = JSON.parse(text) as { nonce?: unknown; codeVerifier?: unknown };
    return typeof values.nonce === 'string' && typeof values.codeVerifier === 'string'
      ? { nonce: values.nonce, codeVerifier: values.codeVerifier }
      : null;
  } catch {
    return null;
  }
}

export function storeOidcFlows(db: Kysely<Database>): OidcFlows {
  return {
    async start(input, now) {
      const flow: OidcFlow = {
        state: random(),
        nonce: random(),
        codeVerifier: random(),
        returnTo: input.returnTo,
      };
      const binding = random();
      const stateHash = hashOf(flow.state);
      // Flows nobody finished are dropped here: there are few, and each lives minutes.
      await db.deleteFrom('oidc_flows').where('expires_at', '<=', now.toISOString()).execute();
      const { live } = await db
        .selectFrom('oidc_flows')
        .select((eb) => eb.fn.countAll<number | string>().as('live'))
        .executeTakeFirstOrThrow();
      if (Number(live) >= MAX_LIVE_FLOWS) return null;
      await db
        .insertInto('oidc_flows')
        .values({
          state_hash: stateHash,
          binding_hash: hashOf(binding),
          sealed: seal(flow, binding, stateHash),
          return_to: flow.returnTo,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + OIDC_FLOW_TTL_MS).toISOString(),
        })
        .execute();
      return { flow, binding };
    },

    async finish(state, binding, now) {
      if (!RANDOM.test(state) || !RANDOM.test(binding)) return null;
      const stateHash = hashOf(state);
      const live = db
        .selectFrom('oidc_flows')
        .selectAll()
        .where('state_hash', '=', stateHash)
        .where('binding_hash', '=', hashOf(binding))
        .where('expires_at', '>', now.toISOString());
      const row = await live.executeTakeFirst();
      if (!row) return null;
      // Used once: of two callbacks racing with the same state, only the one that deletes it goes on.
      const deleted = await db
        .deleteFrom('oidc_flows')
        .where('state_hash', '=', stateHash)
        .where('binding_hash', '=', row.binding_hash)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) !== 1) return null;
      const values = unseal(row.sealed, binding, stateHash);
      return values ? { state, ...values, returnTo: row.return_to } : null;
    },
  };
}
