/**
 * The audit trail's hash chain. Each entry's hash covers the previous entry's hash, its sequence
 * number, time, actor, action, request id and the digest of its details; a changed, inserted or
 * deleted entry breaks the chain at that point. The details are covered through their digest so
 * that personal data in them can later be redacted without breaking the chain.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditVerification } from './ports.js';
import type { Json } from './license/attributes.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so the digest does not depend on key order. */
export function canonicalJson(value: Json | undefined): string {
  if (value === null || value === undefined || typeof value !== 'object')
    return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function detailsDigest(details: Json): string {
  return sha256(canonicalJson(details));
}

export function auditHash(
  prevHash: string,
  entry: Pick<AuditEntry, 'seq' | 'id' | 'at' | 'actor' | 'action' | 'requestId' | 'detailsDigest'>,
): string {
  return sha256(
    [
      prevHash,
      entry.seq,
      entry.id,
      entry.at,
      entry.actor,
      entry.action,
      entry.requestId ?? '',
      entry.detailsDigest,
    ].join('\n'),
  );
}

/**
 * Checks entries in sequence order against each other and against the recorded head (the last
 * sequence number and hash, kept apart so that deleting the newest entries is noticed too).
 */
export function verifyAuditChain(
  entries: readonly AuditEntry[],
  head: { seq: number; hash: string } | null,
  options: { isRedacted?: (entry: AuditEntry) => boolean } = {},
): AuditVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      entries: entries.length,
      brokenAt: { seq: entry.seq, reason },
    });
    if (entry.seq !== expectedSeq)
      return broken(`entry ${expectedSeq} is missing (next present is ${entry.seq})`);
    if (entry.prevHash !== prev) return broken('its previous-hash does not match the entry before it');
    if (!options.isRedacted?.(entry) && detailsDigest(entry.details) !== entry.detailsDigest) {
      return broken('its details were changed');
    }
    if (auditHash(prev, entry) !== entry.hash) return broken('its contents were changed');
    prev = entry.hash;
    expectedSeq++;
  }
  const last = entries.length;
  if ((head?.seq ?? 0) !== last) {
    return {
      ok: false,
      entries: last,
      brokenAt: { seq: last + 1, reason: `the trail should have ${head?.seq ?? 0} entries but has ${last}` },
    };
  }
  if (head && head.hash !== prev) {
    return {
      ok: false,
      entries: last,
      brokenAt: { seq: last, reason: 'the newest entry does not match the head' },
    };
  }
  return { ok: true, entries: last };
}
