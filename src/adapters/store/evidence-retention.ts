/**
 * The retention purge of kept screenshot reads (the rule is evidencePurgeVerdict in
 * src/core/retention.ts): each read past the cutoff is deleted with its images, one read per
 * transaction; a request keeps what it recorded of it (values read, fields changed, the id).
 */
import { PURGE_EXEMPT_STATUSES, evidencePurgeVerdict } from '../../core/retention.js';
import type { Evidence } from '../../core/ports.js';
import type { EvidencePurgeSummary } from '../../core/operations/ports.js';
import type { Db, Executor } from './executor.js';

export interface EvidencePurgeTarget {
  db: Db;
  inTransaction<T>(work: (db: Executor) => Promise<T>): Promise<T>;
}

/** The reads that requests awaiting a licensing decision refer to. */
async function usedByWaitingRequests(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectFrom('requests')
    .select('evidence')
    .where('status', 'in', [...PURGE_EXEMPT_STATUSES])
    .execute();
  const ids = new Set<string>();
  for (const row of rows) {
    const id = (JSON.parse(row.evidence) as Evidence).screenshots?.evidenceId;
    if (id) ids.add(id);
  }
  return ids;
}

export async function purgeEvidence(
  target: EvidencePurgeTarget,
  options: { cutoff: string; dryRun: boolean },
): Promise<EvidencePurgeSummary> {
  const summary: EvidencePurgeSummary = { records: 0, images: 0, awaitingDecision: 0 };
  const waiting = await usedByWaitingRequests(target.db);
  const old = await target.db
    .selectFrom('evidence')
    .select(['id', 'created_at'])
    .where('created_at', '<', options.cutoff)
    .orderBy('created_at')
    .execute();
  for (const row of old) {
    const verdict = evidencePurgeVerdict(
      { createdAt: row.created_at, usedByWaitingRequest: waiting.has(row.id) },
      options.cutoff,
    );
    if (verdict === 'awaiting_decision') summary.awaitingDecision++;
    if (verdict !== 'purge') continue;
    const images = async (db: Executor) => {
      const counted = await db
        .selectFrom('evidence_images')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('evidence_id', '=', row.id)
        .executeTakeFirst();
      return Number(counted?.n ?? 0);
    };
    summary.records++;
    if (options.dryRun) {
      summary.images += await images(target.db);
      continue;
    }
    summary.images += await target.inTransaction(async (db) => {
      const n = await images(db);
      await db.deleteFrom('evidence_images').where('evidence_id', '=', row.id).execute();
      await db.deleteFrom('evidence').where('id', '=', row.id).execute();
      return n;
    });
  }
  return summary;
}
