/** The `licenses` row and the LicenseRecord, each from the other. */
import type { CalendarDate } from '../../../core/dates.js';
import type { LicenseRecord } from '../../../core/ports.js';
import type { Database } from '../schema.js';

export function licenseToRow(r: LicenseRecord): Database['licenses'] {
  return {
    id: r.id,
    request_id: r.requestId,
    text: r.text,
    fingerprint: r.fingerprint,
    file_name: r.fileName,
    email: r.email,
    seats: r.seats,
    issued_at: r.issuedAt,
    expires_at: r.expiresAt,
    created_at: r.createdAt,
  };
}

export function rowToLicense(row: Database['licenses']): LicenseRecord {
  return {
    id: row.id,
    requestId: row.request_id,
    text: row.text,
    fingerprint: row.fingerprint,
    fileName: row.file_name,
    email: row.email,
    seats: Number(row.seats),
    issuedAt: row.issued_at as CalendarDate,
    expiresAt: row.expires_at as CalendarDate,
    createdAt: row.created_at,
  };
}
