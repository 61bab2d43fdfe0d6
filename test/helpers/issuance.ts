/** An in-process issuance setup on a real SQLite store, with a fixed clock and the vectors' test key. */
import { generateKeyPairSync, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { randomIds } from '../../src/app.js';
import { DEFAULT_ELIGIBILITY_CONFIG } from '../../src/core/eligibility/index.js';
import type { IssuancePorts, IssuanceSettings } from '../../src/core/issuance/context.js';
import type { Actor } from '../../src/core/ports.js';
import { testPrivateKey, testPublicKey } from './vectors.js';

export interface Harness {
  store: KyselyStore;
  ports: IssuancePorts;
  settings: IssuanceSettings;
  setNow(iso: string): void;
  close(): Promise<void>;
}

export const engineer: Actor = { name: 'erin', role: 'engineer' };
export const licensing: Actor = { name: 'lou', role: 'licensing' };

export async function sqliteHarness(
  options: { privateKey?: KeyObject; publicKeys?: KeyObject[] } = {},
): Promise<Harness> {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'lifeline-issue-')), 'l.db'));
  await store.migrate();
  let now = new Date('2026-11-28T10:00:00Z');
  const privateKey = options.privateKey ?? testPrivateKey();
  return {
    store,
    ports: {
      store,
      signer: { privateKey, development: false },
      verifier: { publicKeys: options.publicKeys ?? [testPublicKey(), createPublicKey(privateKey)] },
      clock: { now: () => now },
      ids: randomIds,
    },
    settings: {
      eligibility: DEFAULT_ELIGIBILITY_CONFIG,
      supportTimeZone: 'UTC',
      ticketUrlBase: 'https://acme.zendesk.com',
      allowPinnedDates: true,
    },
    setNow: (iso) => {
      now = new Date(iso);
    },
    close: () => store.close(),
  };
}

/** A key that cannot sign licenses (not RSA): makes license generation fail. */
export const unusableKey = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
