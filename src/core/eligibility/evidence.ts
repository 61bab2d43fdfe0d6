/**
 * What is known about the customer's previous license, from the strongest source available: the
 * decoded license file when there is one (it wins over anything typed), else the values the
 * engineer typed from the screenshots, else nothing (rule 2, PROSPECT).
 */
import { addDays, type CalendarDate } from '../dates.js';
import { licensePlan, licenseSeats, licenseTrial, licenseeField, type License } from '../license/index.js';
import type { ValidFields } from './input.js';
import { days, quote } from './text.js';
import type { Finding, PreviousLicense } from './types.js';

export interface Evidence {
  source: 'license' | 'typed' | 'none';
  plan: string | null;
  trial: boolean | null;
  expiresAt: CalendarDate | null;
  previousSeats: number | null;
  graceEndsOn: CalendarDate | null;
  /** Why grace ends when it does, in words for the messages ("expiry 2026-11-10 + 14 days"). */
  graceEndBasis: string | null;
  issuedByLifelineRequestId: string | null;
  /** How the previous license identifies the customer (rule 9); all null without a license file. */
  identity: LicenseIdentity;
  mismatches: Finding<'EVIDENCE_MISMATCH'>[];
}

export interface LicenseIdentity {
  fingerprint: string | null;
  /** The fingerprint as Lifeline computed it before 2026-12 (SHA-256 of the exact text), to match older records. */
  legacyFingerprint?: string | null;
  licenseeEmail: string | null;
  licenseeCompany: string | null;
  subscriptionId: string | null;
}

const NO_IDENTITY: LicenseIdentity = {
  fingerprint: null,
  licenseeEmail: null,
  licenseeCompany: null,
  subscriptionId: null,
};

const nonEmpty = (s: string): string | null => (s.trim() === '' ? null : s.trim());

function subscriptionId(value: unknown): string | null {
  if (typeof value === 'string') return nonEmpty(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * §4's grace end: the license's own block_changes_at, else expires_at + graceDays. For every paid
 * license this is `graceEndsOn` of the license module; for a trial or unpaid plan that function
 * says the instance locks on the expiry day itself, but such a license is refused by rule 3 anyway,
 * and using §4's formula for every source keeps the file and the typed values on the same footing
 * (no extra window refusals piled on top of NOT_PAID_PLAN).
 */
function licenseGraceEnd(
  license: License,
  graceDays: number,
): { end: CalendarDate | null; basis: string | null } {
  if (license.blockChangesAt) return { end: license.blockChangesAt, basis: "the license's block_changes_at" };
  if (!license.expiresAt) return { end: null, basis: null };
  return {
    end: addDays(license.expiresAt, graceDays),
    basis: `expiry ${license.expiresAt} + ${days(graceDays)}`,
  };
}

function mismatch(field: string, typed: string, file: string): Finding<'EVIDENCE_MISMATCH'> {
  return {
    code: 'EVIDENCE_MISMATCH',
    field,
    message: `The entered ${field} (${typed}) disagrees with the license file (${file}); the license file is used. Check the screenshots.`,
  };
}

/** What in a previous license identifies the customer (rule 9's "same previous license"). */
export function licenseIdentity(
  previous: Pick<PreviousLicense, 'license' | 'fingerprint' | 'legacyFingerprint'> | null,
): LicenseIdentity {
  if (!previous) return NO_IDENTITY;
  const { license } = previous;
  return {
    fingerprint: nonEmpty(previous.fingerprint),
    legacyFingerprint: previous.legacyFingerprint ? nonEmpty(previous.legacyFingerprint) : null,
    licenseeEmail: nonEmpty(licenseeField(license, 'Email')),
    licenseeCompany: nonEmpty(licenseeField(license, 'Company')),
    subscriptionId: subscriptionId(license.restrictions?.['subscription_id']),
  };
}

/**
 * `typed` holds the typed values that passed rule 1 (absent → null or undefined).
 * With a license file: plan (missing → starter), trial, expiry and seats come from the file, and
 * grace ends on its block_changes_at, else expiry + graceDays (`licenseGraceEnd`). Where the file has
 * no seat count (no user limit) a typed previous seat count is used instead.
 * With typed values only: the plan defaults to starter, trial is unknown, grace ends on expiry +
 * graceDays. Typed evidence exists when a plan or an expiry date was entered.
 */
export function gatherEvidence(
  typed: ValidFields,
  previous: PreviousLicense | null,
  graceDays: number,
): Evidence {
  const typedPlan = typed.plan ?? null;
  const typedExpiry = typed.expiresAt ?? null;
  const typedSeats = typed.previousSeats ?? null;

  if (previous) {
    const { license } = previous;
    const plan = licensePlan(license);
    const fileSeats = licenseSeats(license);
    const grace = licenseGraceEnd(license, graceDays);
    const mismatches: Finding<'EVIDENCE_MISMATCH'>[] = [];
    if (typedPlan !== null && typedPlan !== plan.toLowerCase()) {
      mismatches.push(mismatch('plan', quote(typedPlan), quote(plan)));
    }
    if (typedExpiry !== null && typedExpiry !== license.expiresAt) {
      mismatches.push(mismatch('expiresAt', typedExpiry, license.expiresAt ?? 'no expiry date'));
    }
    if (typedSeats !== null && fileSeats !== null && typedSeats !== fileSeats) {
      mismatches.push(mismatch('previousSeats', String(typedSeats), `${fileSeats} seats`));
    }
    return {
      source: 'license',
      plan,
      trial: licenseTrial(license),
      expiresAt: license.expiresAt,
      previousSeats: fileSeats ?? typedSeats,
      graceEndsOn: grace.end,
      graceEndBasis: grace.basis,
      issuedByLifelineRequestId: previous.issuedByLifelineRequestId,
      identity: licenseIdentity(previous),
      mismatches,
    };
  }

  if (typedPlan === null && typedExpiry === null) {
    return {
      source: 'none',
      plan: null,
      trial: null,
      expiresAt: null,
      previousSeats: typedSeats,
      graceEndsOn: null,
      graceEndBasis: null,
      issuedByLifelineRequestId: null,
      identity: NO_IDENTITY,
      mismatches: [],
    };
  }
  return {
    source: 'typed',
    plan: typedPlan ?? 'starter',
    trial: null,
    expiresAt: typedExpiry,
    previousSeats: typedSeats,
    graceEndsOn: typedExpiry ? addDays(typedExpiry, graceDays) : null,
    graceEndBasis: typedExpiry ? `expiry ${typedExpiry} + ${days(graceDays)}` : null,
    issuedByLifelineRequestId: null,
    identity: NO_IDENTITY,
    mismatches: [],
  };
}
