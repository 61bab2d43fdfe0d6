/**
 * The audit trail's hash chain. Each entry's hash covers the previous entry's hash, its sequence
 * number, time, actor, action, request id and the digest of its details; a changed, inserted or
 * deleted entry breaks the chain at that point. The details are covered through their digest so
 * that personal data in them can later be redacted without breaking the chain.
 *
 * Two entry formats live side by side:
 * - format 1 (entries written before migration 0005): the digest covers the details as written. A
 *   format-1 entry that retention redacted (`redactedAt` set) keeps its place in the chain, but its
 *   details can no longer be checked against the digest.
 * - format 2 ("sealed"): the digest covers the details with every personal value (the string values
 *   of PERSONAL_DETAIL_KEYS, at any depth) replaced by sha256(salt + "\n" + value), using a random
 *   per-entry salt. Redaction replaces those values by `{"$redacted": <that hash>}` and drops the
 *   salt, so the digest still verifies and the hash cannot be used to confirm a guessed value. The
 *   format is itself covered by the entry's hash, so an entry cannot be passed off as format 1.
 */
import { hash } from 'node:crypto';
import type { AuditEntry, AuditVerification } from './ports.js';
import type { Json, JsonObject } from './license/attributes.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so the digest does not depend on key order. */
export function canonicalJson(value: Json | undefined): string {
  if (value === null || value === undefined || typeof value !== 'object')
    return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

const sha256 = (text: string): string => hash('sha256', text, 'hex');

export function detailsDigest(details: Json): string {
  return sha256(canonicalJson(details));
}

export function auditHash(
  prevHash: string,
  entry: Pick<AuditEntry, 'seq' | 'id' | 'at' | 'actor' | 'action' | 'requestId' | 'detailsDigest'> & {
    format?: number;
  },
): string {
  const fields: (string | number)[] = [
    prevHash,
    entry.seq,
    entry.id,
    entry.at,
    entry.actor,
    entry.action,
    entry.requestId ?? '',
    entry.detailsDigest,
  ];
  if ((entry.format ?? 1) !== 1) fields.push(`format:${entry.format}`);
  return sha256(fields.join('\n'));
}

// ───────────────────────────── sealed entries (format 2) and redaction ─────────────────────────────

export const AUDIT_FORMAT_LEGACY = 1;
export const AUDIT_FORMAT_SEALED = 2;

/**
 * Detail keys whose string values may hold a customer's personal data: addresses, names, and free
 * text (reasons, error messages from mail servers, which often quote the recipient).
 */
export const PERSONAL_DETAIL_KEYS: ReadonlySet<string> = new Set([
  'reason',
  'error',
  'message',
  'email',
  'to',
  'recipient',
  'requesterEmail',
  'licenseeEmail',
  'licenseeName',
  'licenseeCompany',
  'name',
  'company',
]);

/** What a format-1 entry's personal values are replaced with when it is redacted. */
export const LEGACY_REDACTION = '[redacted]';
const REDACTED_KEY = '$redacted';

/** How an entry is sealed, as stored beside it (absent: format 1, never redacted). */
export interface AuditSealing {
  format?: number;
  /** Format 2: the per-entry salt (hex) until the entry is redacted; then null. */
  salt?: string | null;
  /** When retention redacted the entry's personal values. */
  redactedAt?: string | null;
}
export type StoredAuditEntry = AuditEntry & AuditSealing;

const personalHash = (salt: string, value: string): string => sha256(`${salt}\n${value}`);

function redactedHash(value: Json | undefined): string | null {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  const hash = value[REDACTED_KEY];
  return keys.length === 1 && typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash) ? hash : null;
}

/**
 * Walks `value`, handing every personal leaf (a string, or an already redacted marker, under a
 * personal key) to `leaf`; returns the rebuilt value.
 */
function mapPersonal(value: Json, personal: boolean, leaf: (value: Json) => Json): Json {
  if (personal && (typeof value === 'string' || redactedHash(value) !== null)) return leaf(value);
  if (Array.isArray(value)) return value.map((v) => mapPersonal(v, personal, leaf));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapPersonal(v, PERSONAL_DETAIL_KEYS.has(k), leaf);
    return out;
  }
  return value;
}

/** The form a format-2 digest covers: personal values replaced by their salted hashes. */
function sealedForm(details: JsonObject, salt: string | null): Json | null {
  let missingSalt = false;
  const form = mapPersonal(details, false, (value) => {
    const hash = redactedHash(value);
    if (hash !== null) return { '#': hash };
    if (salt === null) {
      missingSalt = true;
      return null;
    }
    return { '#': personalHash(salt, value as string) };
  });
  return missingSalt ? null : form;
}

/** The digest of a format-2 entry's details; null when a personal value is present without its salt. */
export function sealedDetailsDigest(details: JsonObject, salt: string | null): string | null {
  const form = sealedForm(details, salt);
  return form === null ? null : sha256(canonicalJson(form));
}

/** Whether the details hold a personal value that is not redacted yet. */
export function hasPersonalValues(details: JsonObject): boolean {
  let found = false;
  mapPersonal(details, false, (value) => {
    if (typeof value === 'string') found = true;
    return value;
  });
  return found;
}

/**
 * A format-2 entry's details with every personal value replaced by its salted hash; the digest is
 * unchanged (so the chain still verifies) once the salt is dropped.
 */
export function redactSealedDetails(details: JsonObject, salt: string): JsonObject {
  return mapPersonal(details, false, (value) =>
    typeof value === 'string' ? { [REDACTED_KEY]: personalHash(salt, value) } : value,
  ) as JsonObject;
}

/** A format-1 entry's details with every personal value replaced by a marker (no longer checkable). */
export function redactLegacyDetails(details: JsonObject): JsonObject {
  return mapPersonal(details, false, (value) =>
    typeof value === 'string' ? LEGACY_REDACTION : value,
  ) as JsonObject;
}

/**
 * Checks entries in sequence order against each other and against the recorded head (the last
 * sequence number and hash, kept apart so that deleting the newest entries is noticed too).
 */
export function verifyAuditChain(
  entries: readonly StoredAuditEntry[],
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
    const format = entry.format ?? AUDIT_FORMAT_LEGACY;
    if (format === AUDIT_FORMAT_SEALED) {
      if (sealedDetailsDigest(entry.details, entry.salt ?? null) !== entry.detailsDigest) {
        return broken('its details were changed');
      }
    } else if (format !== AUDIT_FORMAT_LEGACY) {
      return broken(`its format ${format} is unknown`);
    } else if (
      !options.isRedacted?.(entry) &&
      !entry.redactedAt &&
      detailsDigest(entry.details) !== entry.detailsDigest
    ) {
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
