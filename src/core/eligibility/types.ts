/**
 * The vocabulary of eligibility (product spec §4): what a request looks like when it arrives, the
 * facts the caller gathers through ports before the rules run, and the verdict.
 */
import type { CalendarDate } from '../dates.js';
import type { License } from '../license/index.js';
import type { RefusalCode } from './rules.js';

export type { RefusalCode };

/** Raw request fields as they arrive from CLI/API (already JSON-typed but NOT yet validated: rule 1 validates them). */
export interface EligibilityRequest {
  ticketId: unknown;
  ticketUrl?: unknown;
  requesterEmail: unknown;
  engineer?: unknown;
  seats: unknown;
  // typed evidence read from the screenshots (all optional)
  plan?: unknown;
  expiresAt?: unknown;
  previousSeats?: unknown;
  maximumUsers?: unknown;
  billableUsers?: unknown;
}

/** The customer's previous license, decoded and validated by the caller. */
export interface PreviousLicense {
  license: License;
  /** `licenseFingerprint` of the license text. */
  fingerprint: string;
  /** `legacyLicenseFingerprint` of the text, to match records made before fingerprints were normalised. */
  legacyFingerprint?: string | null;
  /** Set when the fingerprint is one of Lifeline's own licenses. */
  issuedByLifelineRequestId: string | null;
}

/** Facts gathered by the caller through ports before the rules run (the rules do no I/O). */
export interface EligibilityContext {
  /** In the support time zone, computed by the caller. */
  today: CalendarDate;
  /** The customer's previous license, already decoded and validated by the caller, or null. */
  previousLicense: PreviousLicense | null;
  /** Licenses Lifeline issued recently (the caller queries the last repeatWindowDays). */
  recentLicenses: readonly RecentLicense[];
  /** When the ticket system is connected: how many image attachments the ticket has; null when not connected. */
  ticketImageCount: number | null;
  /** The acting person's own addresses: never the recipient (rule 1). */
  ownAddresses?: readonly string[];
}

/** An emergency license Lifeline issued, with what identified the customer at the time. */
export interface RecentLicense {
  requestId: string;
  ticketId: string;
  requesterEmail: string;
  issuedAt: CalendarDate;
  previousLicenseFingerprint: string | null;
  previousLicenseeEmail: string | null;
  previousLicenseeCompany: string | null;
  previousSubscriptionId: string | null;
  /** Voided by a replace (PRODUCT.md §12): rule 9 ignores it for its own ticket. */
  voidedByReplace?: boolean;
}

/** Shown and recorded, never refusing. */
export const WARNING_CODES = ['SEATS_BELOW_PREVIOUS', 'EVIDENCE_MISMATCH', 'SCREENSHOTS_MISSING'] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

/** One refusal or warning: a stable code, a sentence for the engineer, and the request field concerned. */
export interface Finding<C> {
  code: C;
  message: string;
  field?: string;
}

/** What the verdict was based on, for display and for the record. */
export interface EligibilityFacts {
  /** Where the evidence came from: the decoded license file, values typed from the screenshots, or nothing. */
  source: 'license' | 'typed' | 'none';
  plan: string | null;
  trial: boolean | null;
  expiresAt: CalendarDate | null;
  previousSeats: number | null;
  graceEndsOn: CalendarDate | null;
  /** Days from `graceEndsOn` to `today`: negative while still in grace, 0 on the day it ends. */
  daysSinceGraceEnd: number | null;
  peakUsers: number | null;
  recommendedSeats: number | null;
  minimumSeats: number | null;
  issuedByLifelineRequestId: string | null;
  isWeekendOrHoliday: boolean;
  matchingRecentRequestIds: string[];
}

/** A request that passed rule 1: trimmed, typed, email lower-cased. */
export interface NormalizedRequest {
  ticketId: string;
  ticketUrl: string | null;
  /** Lower-cased, trimmed. */
  requesterEmail: string;
  engineer: string | null;
  seats: number;
  /** Lower-cased, trimmed. */
  plan: string | null;
  expiresAt: CalendarDate | null;
  previousSeats: number | null;
  maximumUsers: number | null;
  billableUsers: number | null;
}

export interface EligibilityResult {
  eligible: boolean;
  /** EVERY failing rule, in rule order (not only the first). */
  refusals: Finding<RefusalCode>[];
  warnings: Finding<WarningCode>[];
  facts: EligibilityFacts;
  /** Null when INPUT_INVALID. */
  request: NormalizedRequest | null;
  /** True when every refusal is overridable (rules 4–9) — an override with a reason could issue it. False when eligible. */
  overridable: boolean;
}
