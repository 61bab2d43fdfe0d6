/** Reads of the audit log: its entries in order, and the whole chain checked against its head. */
import { verifyAuditChain } from '../../../core/audit.js';
import type { AuditEntry, AuditVerification } from '../../../core/ports.js';
import type { Db } from '../executor.js';
import { rowToAudit, rowToStoredAudit } from '../rows/audit.js';

export async function listAudit(db: Db, filter: { requestId?: string }): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (filter.requestId) q = q.where('request_id', '=', filter.requestId);
  const rows = await q.orderBy('seq').execute();
  return rows.map(rowToAudit);
}

export async function verifyAudit(db: Db): Promise<AuditVerification> {
  const head = await db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
  const entries = rows.map((row) => rowToStoredAudit(row));
  return verifyAuditChain(entries, head ? { seq: Number(head.seq), hash: head.hash } : null);
}
