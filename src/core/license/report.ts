/** The report of a decoded (or refused) license on a date: what both the CLI and the API show. */
import type { CalendarDate } from '../dates.js';
import { licensePlan, licenseSeats, licenseTrial, licenseeField, type LicenseJson } from './attributes.js';
import type { DecodedLicense, DecodeError } from './codec.js';
import { licenseStatus } from './status.js';

/** What `license decode --json` and `POST /api/v1/licenses/decode` give: one object, valid or refused. */
export interface LicenseReport {
  valid: boolean;
  /** Why the license was refused (a code of src/core/license/errors.ts), null when valid. */
  code: string | null;
  message: string | null;
  field: string | null;
  /** The license's own JSON (gem key names and order); for INVALID_ATTRIBUTES what was loaded. */
  attributes: LicenseJson | null;
  /** The date the status below was computed for. */
  today: CalendarDate;
  plan: string | null;
  trial: boolean | null;
  activeUserCount: number | null;
  licensee: { name: string; company: string; email: string } | null;
  issuedAt: CalendarDate | null;
  expiresAt: CalendarDate | null;
  expired: boolean | null;
  graceEndsOn: CalendarDate | null;
  daysSinceGraceEnd: number | null;
  notifyAdminsAt: CalendarDate | null;
  notifyUsersAt: CalendarDate | null;
  blockChangesAt: CalendarDate | null;
  notifyAdmins: boolean | null;
  notifyUsers: boolean | null;
  blockChanges: boolean | null;
  /** SHA-256 of the license text as read (hex); null when the input was too large to read. */
  fingerprint: string | null;
  /** The public key that verified the license: its position among the keys, and its label (file path). */
  verifiedBy: { index: number; path?: string } | null;
  /** The Lifeline request that issued this license, when the store knows its fingerprint. */
  issuedBy: { requestId: string } | null;
}

export function refusedLicenseReport(
  error: DecodeError,
  today: CalendarDate,
  fingerprint: string | null,
): LicenseReport {
  return {
    valid: false,
    code: error.code,
    message: error.message,
    field: error.field ?? null,
    attributes: error.json ?? null,
    today,
    plan: null,
    trial: null,
    activeUserCount: null,
    licensee: null,
    issuedAt: null,
    expiresAt: null,
    expired: null,
    graceEndsOn: null,
    daysSinceGraceEnd: null,
    notifyAdminsAt: null,
    notifyUsersAt: null,
    blockChangesAt: null,
    notifyAdmins: null,
    notifyUsers: null,
    blockChanges: null,
    fingerprint,
    verifiedBy: null,
    issuedBy: null,
  };
}

export function validLicenseReport(
  decoded: DecodedLicense,
  today: CalendarDate,
  fingerprint: string,
  options: { keyLabels?: readonly string[]; issuedBy?: { requestId: string } | null } = {},
): LicenseReport {
  const license = decoded.license;
  const status = licenseStatus(license, today);
  return {
    valid: true,
    code: null,
    message: null,
    field: null,
    attributes: decoded.json,
    today,
    plan: licensePlan(license),
    trial: licenseTrial(license),
    activeUserCount: licenseSeats(license),
    licensee: {
      name: licenseeField(license, 'Name'),
      company: licenseeField(license, 'Company'),
      email: licenseeField(license, 'Email'),
    },
    issuedAt: license.issuedAt,
    expiresAt: license.expiresAt,
    expired: status.expired,
    graceEndsOn: status.graceEndsOn,
    daysSinceGraceEnd: status.daysSinceGraceEnd,
    notifyAdminsAt: license.notifyAdminsAt,
    notifyUsersAt: license.notifyUsersAt,
    blockChangesAt: license.blockChangesAt,
    notifyAdmins: status.notifyAdmins,
    notifyUsers: status.notifyUsers,
    blockChanges: status.blockChanges,
    fingerprint,
    verifiedBy: options.keyLabels
      ? { index: decoded.keyIndex, path: options.keyLabels[decoded.keyIndex] ?? '' }
      : { index: decoded.keyIndex },
    issuedBy: options.issuedBy ? { requestId: options.issuedBy.requestId } : null,
  };
}
