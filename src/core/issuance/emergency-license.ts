/**
 * The emergency license of PRODUCT.md §5: fixed 10-day Ultimate trial, generic licensee, no grace
 * dates, no subscription fields. Nothing here can be changed by any interface.
 */
import { addDays, type CalendarDate } from '../dates.js';
import type { LicenseJson } from '../license/attributes.js';
import { EMERGENCY_TERM_DAYS } from '../limits.js';

export const EMERGENCY_LICENSEE = { Name: 'Emergency Trial', Company: 'Emergency Trial License' } as const;

/** The attributes, in the gem's key order, exactly as §5 shows them. */
export function emergencyLicenseAttributes(email: string, seats: number, today: CalendarDate): LicenseJson {
  return {
    version: 1,
    licensee: { Name: EMERGENCY_LICENSEE.Name, Company: EMERGENCY_LICENSEE.Company, Email: email },
    issued_at: today,
    expires_at: addDays(today, EMERGENCY_TERM_DAYS),
    cloud_licensing_enabled: false,
    offline_cloud_licensing_enabled: false,
    auto_renew_enabled: false,
    seat_reconciliation_enabled: false,
    operational_metrics_enabled: false,
    generated_from_customers_dot: false,
    generated_from_cancellation: false,
    restrictions: { active_user_count: seats, plan: 'ultimate', trial: true },
  };
}

export function emergencyLicenseFileName(issuedAt: CalendarDate): string {
  return `GitLab_Emergency_Trial_${issuedAt}.gitlab-license`;
}
