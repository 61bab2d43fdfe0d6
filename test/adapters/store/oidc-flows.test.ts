/**
 * Sign-in flows in the database (src/adapters/store/oidc-flows.ts), on SQLite and PostgreSQL: used
 * once, by the browser holding the binding, within ten minutes; the database never holds the
 * state, the binding, the nonce or the PKCE verifier in the clear.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OidcFlows } from '../../../src/core/access/ports.js';
import type { KyselyStore } from '../../../src/adapters/store/kysely-store.js';
import { MAX_LIVE_FLOWS, OIDC_FLOW_TTL_MS, storeOidcFlows } from '../../../src/adapters/store/oidc-flows.js';
import { openPostgresStore } from '../../../src/adapters/store/postgres/open.js';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/open.js';
import { dropSchema, POSTGRES_URL, postgresProblem, uniqueSchemaName } from '../../helpers/postgres.js';

const NOW = new Date('2026-11-28T10:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

const schema = uniqueSchemaName();
afterAll(async () => {
  if (!postgresProblem) await dropSchema(schema);
});

const databases: [string, () => KyselyStore, string | null][] = [
  ['SQLite', () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'lifeline-oidc-')), 'l.db')), null],
  ['PostgreSQL', () => openPostgresStore({ url: POSTGRES_URL, schema }), postgresProblem],
];

/** A started flow (the table is never full in these tests). */
async function started(flows: OidcFlows, returnTo: string, now: Date) {
  const flow = await flows.start({ returnTo }, now);
  if (!flow) throw new Error('the flow table is full');
  return flow;
}

/** Runs `body` on a freshly migrated store's flows, then closes the store. */
async function withFlows(
  open: () => KyselyStore,
  body: (flows: OidcFlows, store: KyselyStore) => Promise<void>,
): Promise<void> {
  const store = open();
  try {
    await store.migrate();
    await body(storeOidcFlows(store.db), store);
  } finally {
    await store.close();
  }
}

describe.each(databases)('OIDC flows on %s', (_name, open, problem) => {
  it.skipIf(problem !== null)('are used once, by their browser, before they expire', () =>
    withFlows(open, async (flows, store) => {
      const { flow, binding } = await started(flows, '/requests/req_1', NOW);
      expect(flow.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(new Set([flow.state, flow.nonce, flow.codeVerifier, binding]).size).toBe(4);

      // Nothing secret is stored in the clear.
      const rows = await store.db.selectFrom('oidc_flows').selectAll().execute();
      expect(rows).toHaveLength(1);
      const stored = JSON.stringify(rows);
      for (const value of [flow.state, flow.nonce, flow.codeVerifier, binding])
        expect(stored).not.toContain(value);

      // Another browser (a wrong binding), a forged state: refused, and the flow is still there.
      const other = await started(flows, '/', NOW);
      expect(await flows.finish(flow.state, other.binding, later(1000))).toBeNull();
      expect(await flows.finish(other.flow.state.replace(/.$/, 'A'), binding, later(1000))).toBeNull();
      expect(await flows.finish('not-a-state', binding, later(1000))).toBeNull();

      expect(await flows.finish(flow.state, binding, later(1000))).toEqual(flow);
      // Used once.
      expect(await flows.finish(flow.state, binding, later(2000))).toBeNull();

      // Expired after ten minutes; a new start drops the expired rows.
      expect(await flows.finish(other.flow.state, other.binding, later(OIDC_FLOW_TTL_MS))).toBeNull();
      await started(flows, '/', later(OIDC_FLOW_TTL_MS + 1));
      expect(await store.db.selectFrom('oidc_flows').selectAll().execute()).toHaveLength(1);
    }),
  );

  it.skipIf(problem !== null)('two callbacks racing with one state: only one finishes', () =>
    withFlows(open, async (flows) => {
      const { flow, binding } = await started(flows, '/', NOW);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => flows.finish(flow.state, binding, NOW)),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    }),
  );

  it.skipIf(problem !== null)('sealed values copied onto another flow do not open', () =>
    withFlows(open, async (flows, store) => {
      const a = await started(flows, '/a', NOW);
      const b = await started(flows, '/b', NOW);
      const sealedOfA = await store.db
        .selectFrom('oidc_flows')
        .select('sealed')
        .where('return_to', '=', '/a')
        .executeTakeFirstOrThrow();
      await store.db.updateTable('oidc_flows').set({ sealed: sealedOfA.sealed }).execute();
      // b's binding cannot open a's seal (another key, and bound to a's state).
      expect(await flows.finish(b.flow.state, b.binding, NOW)).toBeNull();
      expect(await flows.finish(a.flow.state, a.binding, NOW)).toEqual(a.flow);
    }),
  );

  it.skipIf(problem !== null)('stay bounded: no new flow while too many are in progress', () =>
    withFlows(open, async (flows, store) => {
      // (On PostgreSQL the tests share one schema.)
      await store.db.deleteFrom('oidc_flows').execute();
      const rows = Array.from({ length: MAX_LIVE_FLOWS }, (_, i) => ({
        state_hash: `s${i}`,
        binding_hash: `b${i}`,
        sealed: 'x',
        return_to: '/',
        created_at: NOW.toISOString(),
        expires_at: later(OIDC_FLOW_TTL_MS).toISOString(),
      }));
      for (let i = 0; i < rows.length; i += 500) {
        await store.db
          .insertInto('oidc_flows')
          .values(rows.slice(i, i + 500))
          .execute();
      }
      expect(await flows.start({ returnTo: '/' }, later(1000))).toBeNull();
      // Once they expire, signing in works again.
      expect(await flows.start({ returnTo: '/' }, later(OIDC_FLOW_TTL_MS))).not.toBeNull();
      expect(await store.db.selectFrom('oidc_flows').selectAll().execute()).toHaveLength(1);
    }),
  );
});
