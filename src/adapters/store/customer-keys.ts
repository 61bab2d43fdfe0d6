/**
 * Rule 9's index: every license is filed under its customer's keys (core customerKeys: ticket,
 * requester email and domain, previous license fingerprint, licensee email and company, subscription),
 * so the repeat check reads only the licenses that share a key with the request, not every license
 * of the window. A key is stored as its SHA-256 (base64url): the index holds no readable personal
 * value, and retention deletes a purged license's rows.
 */
import { hash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { recentLicenseKeys } from '../../core/eligibility/index.js';
import type { Evidence } from '../../core/ports.js';

export const keyDigest = (key: string): string => hash('sha256', key, 'base64url');

/** The rows of a license: one per distinct key (its request's evidence as stored, JSON). */
export function licenseKeyRows(
  license: { id: string; issuedAt: string },
  request: { ticketId: string; requesterEmail: string; evidence: string | null },
): LicenseKeyRow[] {
  let previous: Evidence['previousLicense'] = null;
  try {
    previous = request.evidence ? ((JSON.parse(request.evidence) as Evidence).previousLicense ?? null) : null;
  } catch {
    previous = null;
  }
  return licenseKeyRowsOf(license, { ...request, previous });
}

export interface LicenseKeyRow {
  key: string;
  issued_at: string;
  license_id: string;
}

/** The rows of a license: one per distinct key (its request's previous license in hand). */
export function licenseKeyRowsOf(
  license: { id: string; issuedAt: string },
  request: { ticketId: string; requesterEmail: string; previous: Evidence['previousLicense'] },
): LicenseKeyRow[] {
  const previous = request.previous;
  const keys = recentLicenseKeys({
    ticketId: request.ticketId,
    requesterEmail: request.requesterEmail,
    previousLicenseFingerprint: previous?.fingerprint ?? null,
    previousLicenseeEmail: previous?.licenseeEmail ?? null,
    previousLicenseeCompany: previous?.licenseeCompany ?? null,
    previousSubscriptionId: previous?.subscriptionId ?? null,
  });
  return [...new Set(keys.map(keyDigest))].map((key) => ({
    key,
    issued_at: license.issuedAt,
    license_id: license.id,
  }));
}

/** Files one license (by id) under its keys, from its request's row. */
export async function fileLicenseKeys(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- used on the migration's untyped database too
  db: Kysely<any> | Transaction<any>,
  license: { id: string; requestId: string; issuedAt: string },
  options: { keepExisting?: boolean } = {},
): Promise<void> {
  const request = (await db
    .selectFrom('requests')
    .select(['ticket_id', 'requester_email', 'evidence'])
    .where('id', '=', license.requestId)
    .executeTakeFirst()) as
    { ticket_id: string; requester_email: string; evidence: string | null } | undefined;
  if (!request) return;
  const rows = licenseKeyRows(license, {
    ticketId: request.ticket_id,
    requesterEmail: request.requester_email,
    evidence: request.evidence,
  });
  if (rows.length === 0) return;
  const insert = db.insertInto('license_keys').values(rows);
  await (
    options.keepExisting
      ? insert.onConflict((oc) => oc.columns(['key', 'issued_at', 'license_id']).doNothing())
      : insert
  ).execute();
}
