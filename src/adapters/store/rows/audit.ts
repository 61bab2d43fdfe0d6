/** The `audit_log` row and the AuditEntry, each from the other (new entries are sealed, format 2). */
import type { Insertable, Selectable } from 'kysely';
import { AUDIT_FORMAT_SEALED, type StoredAuditEntry } from '../../../core/audit.js';
import type { JsonObject } from '../../../core/license/attributes.js';
import type { AuditEntry } from '../../../core/ports.js';
import type { Database } from '../schema.js';
import { json } from './json.js';

export function auditToRow(full: AuditEntry, salt: string): Insertable<Database['audit_log']> {
  return {
    seq: full.seq,
    id: full.id,
    at: full.at,
    actor: full.actor,
    action: full.action,
    request_id: full.requestId,
    details: json(full.details),
    details_digest: full.detailsDigest,
    prev_hash: full.prevHash,
    hash: full.hash,
    format: AUDIT_FORMAT_SEALED,
    salt,
  };
}

export function rowToAudit(row: Omit<Database['audit_log'], 'format' | 'salt' | 'redacted_at'>): AuditEntry {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    requestId: row.request_id,
    details: JSON.parse(row.details) as JsonObject,
    detailsDigest: row.details_digest,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A stored row with its sealing columns, as the chain check reads it. */
export function rowToStoredAudit(row: Selectable<Database['audit_log']>): StoredAuditEntry {
  return {
    ...rowToAudit(row),
    format: Number(row.format),
    salt: row.salt,
    redactedAt: row.redacted_at,
  };
}
