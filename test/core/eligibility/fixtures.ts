/** Builders for the eligibility tests: typed License values, contexts and requests with pinned dates. */
import { parseCalendarDate, type CalendarDate } from '../../../src/core/dates.js';
import {
  checkEligibility,
  type EligibilityConfig,
  type EligibilityContext,
  type EligibilityRequest,
  type EligibilityResult,
  type PreviousLicense,
  type RecentLicense,
  type RefusalCode,
} from '../../../src/core/eligibility/index.js';
import { LICENSE_FLAGS, type License, type LicenseFlag } from '../../../src/core/license/index.js';

/** The refusal codes of §4, rule 1 to rule 9, as the spec lists them. */
export const REFUSAL_CODES: readonly RefusalCode[] = [
  'INPUT_INVALID',
  'PROSPECT',
  'NOT_PAID_PLAN',
  'STILL_IN_GRACE',
  'GRACE_ENDED_TOO_LONG_AGO',
  'NOT_WEEKEND',
  'SEATS_BELOW_INSTANCE_PEAK',
  'SEATS_IMPLAUSIBLE',
  'RECENT_EMERGENCY_LICENSE',
];

/** A pinned date; throws on a typo in a test. */
export function d(text: string): CalendarDate {
  const date = parseCalendarDate(text);
  if (!date) throw new Error(`bad test date ${text}`);
  return date;
}

const NO_FLAGS = Object.fromEntries(LICENSE_FLAGS.map((f) => [f, false])) as Record<LicenseFlag, boolean>;

/** A paid Premium license for 100 users that expired on Saturday 2026-11-14, unless overridden. */
export function license(overrides: Partial<License> = {}): License {
  return {
    version: 1,
    licensee: { Name: 'Olga Ops', Company: 'Acme Corp', Email: 'it@acme.example' },
    issuedAt: d('2025-11-14'),
    expiresAt: d('2026-11-14'),
    notifyAdminsAt: null,
    notifyUsersAt: null,
    blockChangesAt: null,
    nextSyncAt: null,
    lastSyncedAt: null,
    activatedAt: null,
    flags: { ...NO_FLAGS },
    restrictions: { plan: 'premium', active_user_count: 100, trial: false, subscription_id: 'sub-0001' },
    ...overrides,
  };
}

export function previous(
  lic: License = license(),
  extra: Partial<Omit<PreviousLicense, 'license'>> = {},
): PreviousLicense {
  return { license: lic, fingerprint: 'f'.repeat(64), issuedByLifelineRequestId: null, ...extra };
}

/** Saturday 2026-11-28 with the default previous license: eligible. */
export function context(
  today = '2026-11-28',
  overrides: Partial<EligibilityContext> = {},
): EligibilityContext {
  return {
    today: d(today),
    previousLicense: previous(),
    recentLicenses: [],
    ticketImageCount: null,
    ...overrides,
  };
}

export const BASE_REQUEST = { ticketId: '4242', requesterEmail: 'ops@acme.example', seats: 100 } as const;

export function check(
  request: Partial<EligibilityRequest> = {},
  ctx: EligibilityContext = context(),
  config?: EligibilityConfig,
): EligibilityResult {
  return checkEligibility({ ...BASE_REQUEST, ...request }, ctx, config);
}

export const codes = (result: { refusals: { code: string }[] }): string[] =>
  result.refusals.map((f) => f.code);
export const warningCodes = (result: EligibilityResult): string[] => result.warnings.map((f) => f.code);

export function recent(overrides: Partial<RecentLicense> = {}): RecentLicense {
  return {
    requestId: 'req_earlier',
    ticketId: '1000',
    requesterEmail: 'someone@elsewhere.example',
    issuedAt: d('2026-11-20'),
    previousLicenseFingerprint: null,
    previousLicenseeEmail: null,
    previousLicenseeCompany: null,
    previousSubscriptionId: null,
    ...overrides,
  };
}
