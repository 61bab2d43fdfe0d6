/**
 * The operations ports (src/core/operations/ports.ts) on the store: figures, the purge (with the
 * outbox's copies of purged emails), local records, readiness and migrations.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type {
  Health,
  LocalRecords,
  Maintenance,
  RetentionStore,
  StatsReader,
} from '../../core/operations/ports.js';
import { listLocalRecords } from '../local/local-channels.js';
import { outboxFileName } from '../mail/outbox-files.js';
import { SQLITE_AUTOCHECKPOINT_PAGES, type KyselyStore } from './kysely-store.js';
import { purgePersonalData } from './retention.js';
import { dayStats, deliveriesNeedingHuman, operationalStats, requestOfDelivery } from './stats-queries.js';

/** While the delivery thread checkpoints, the API's connection does so only past this many pages. */
const RARE_CHECKPOINT_PAGES = 10_000;

export function storeStats(store: KyselyStore): StatsReader {
  return {
    operationalStats: (now) => operationalStats(store, now),
    dayStats: (date) => dayStats(store, date),
    deliveriesNeedingHuman: () => deliveriesNeedingHuman(store),
    requestOfDelivery: (id) => requestOfDelivery(store, id),
  };
}

export function storeLocalRecords(store: KyselyStore): LocalRecords {
  return { list: (requestId, ticketId) => listLocalRecords(store.db, requestId, ticketId) };
}

/**
 * The embedded default's outbox files (the emails as sent, with the license) to delete: those of the
 * purged requests' email deliveries (named after their Message-ID), and any written before `cutoff`.
 */
function oldOutboxFiles(dir: string, cutoff: string, emailDeliveryIds: readonly string[]): string[] {
  if (!existsSync(dir)) return [];
  const limit = new Date(cutoff).getTime();
  const purged = new Set(emailDeliveryIds.map((id) => outboxFileName(`<${id}@lifeline>`)));
  return readdirSync(dir)
    .filter((name) => name.endsWith('.eml'))
    .filter((name) => purged.has(name) || statSync(join(dir, name)).mtimeMs < limit)
    .map((name) => join(dir, name));
}

/** `outboxDir`: where the outbox mailer writes, or null when the mail goes out by SMTP. */
export function storeRetention(store: KyselyStore, outboxDir: string | null): RetentionStore {
  return {
    async purge(options) {
      const summary = await purgePersonalData(store, options);
      const files = outboxDir ? oldOutboxFiles(outboxDir, options.cutoff, summary.emailDeliveryIds) : [];
      if (!options.dryRun) for (const file of files) rmSync(file, { force: true });
      return { ...summary, outboxFiles: files.length };
    },
  };
}

export function storeHealth(store: KyselyStore, hasSigningKey: () => boolean): Health {
  return {
    async problems() {
      const problems: string[] = [];
      try {
        await sql`select 1`.execute(store.db);
      } catch {
        problems.push('database unreachable');
      }
      if (!hasSigningKey()) problems.push('no signing key');
      return problems;
    },
  };
}

export function storeMaintenance(store: KyselyStore): Maintenance {
  return {
    dialect: store.dialect,
    migrate: () => store.migrate(),
    checkpoints: (mode) =>
      store.setWalAutocheckpoint(mode === 'rare' ? RARE_CHECKPOINT_PAGES : SQLITE_AUTOCHECKPOINT_PAGES),
  };
}
