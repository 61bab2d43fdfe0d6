/**
 * Where a license stands on a given day: expired or not, when its grace period ends (the day the
 * instance turns read-only) and how long ago that was. `today` is always an input.
 */
import { addDays, daysBetween, type CalendarDate } from '../dates.js';
import { licensePlan, licenseTrial, type License } from './attributes.js';

export const PAID_PLANS = ['starter', 'premium', 'ultimate'] as const;
export const DEFAULT_GRACE_DAYS = 14;

export interface LicenseStatus {
  /** `today >= expires_at`: GitLab treats a license as expired from its expiry day on. */
  expired: boolean;
  /** A paid (non-trial) plan: starter, premium or ultimate; a missing plan counts as starter. */
  paid: boolean;
  /** `block_changes_at`, else expiry + grace days for a paid plan, else the expiry date; null without expiry. */
  graceEndsOn: CalendarDate | null;
  /** Days from `graceEndsOn` to `today`: negative while still in grace, 0 on the day it ends. */
  daysSinceGraceEnd: number | null;
  notifyAdmins: boolean;
  notifyUsers: boolean;
  blockChanges: boolean;
}

export function isPaidLicense(license: Pick<License, 'restrictions'>): boolean {
  return licenseTrial(license) !== true && (PAID_PLANS as readonly string[]).includes(licensePlan(license));
}

export function graceEndsOn(
  license: Pick<License, 'expiresAt' | 'blockChangesAt' | 'restrictions'>,
  graceDays: number = DEFAULT_GRACE_DAYS,
): CalendarDate | null {
  if (license.blockChangesAt) return license.blockChangesAt;
  if (!license.expiresAt) return null;
  return isPaidLicense(license) ? addDays(license.expiresAt, graceDays) : license.expiresAt;
}

export function licenseStatus(
  license: License,
  today: CalendarDate,
  graceDays: number = DEFAULT_GRACE_DAYS,
): LicenseStatus {
  const onOrAfter = (d: CalendarDate | null): boolean => d !== null && today >= d;
  const graceEnd = graceEndsOn(license, graceDays);
  return {
    expired: onOrAfter(license.expiresAt),
    paid: isPaidLicense(license),
    graceEndsOn: graceEnd,
    daysSinceGraceEnd: graceEnd ? daysBetween(graceEnd, today) : null,
    notifyAdmins: onOrAfter(license.notifyAdminsAt),
    notifyUsers: onOrAfter(license.notifyUsersAt),
    blockChanges: onOrAfter(license.blockChangesAt),
  };
}
