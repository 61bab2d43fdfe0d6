/**
 * Product spec §4 as ONE ordered list of small named checks. Each check is a guard clause: it
 * returns the refusal (a sentence for the engineer) or null when its rule passes or has nothing to
 * judge. Every check runs, so a refused request lists every failing rule, in this order.
 *
 * Precedence (what stops what):
 *  - Rule 1 (INPUT_INVALID, `checkInput`) runs first and alone: with malformed input nothing below
 *    is evaluated.
 *  - Rule 2 (PROSPECT): without any evidence of a previous license, rules 3–8 have nothing to judge
 *    and are skipped (`needsEvidence`); rule 9 still runs (a prospect may have been helped before).
 *  - Rules 1–3 cannot be overridden; 4–9 can, with a written reason (OVERRIDABLE_CODES).
 */
import { dayOfWeek, daysBetween, type CalendarDate } from '../dates.js';
import { PAID_PLANS } from '../license/index.js';
import type { EligibilityConfig } from './config.js';
import type { Evidence } from './evidence.js';
import type { RecentMatch } from './recent.js';
import { minimumAcceptedSeats, peakUsers, seatsWithOverage } from './seats.js';
import { days, percent, quote, WEEKDAYS } from './text.js';
import type { NormalizedRequest, RefusalCode } from './types.js';

export interface RuleInput {
  request: NormalizedRequest;
  evidence: Evidence;
  today: CalendarDate;
  config: EligibilityConfig;
  /** Rule 9's matches, found before the rules run (`findRecentEmergencyLicenses`). */
  recentMatches: readonly RecentMatch[];
}

export interface Refusal {
  message: string;
  field?: string;
}

export interface EligibilityRule {
  /** The rule's number in §4. */
  rule: number;
  code: Exclude<RefusalCode, 'INPUT_INVALID'>;
  /** Skipped when rule 2 found no evidence of a previous license. */
  needsEvidence: boolean;
  check: (input: RuleInput) => Refusal | null;
}

const RENEW = 'Use the normal renewal path.';

/** Rule 2: no license file, no plan and no expiry date entered. */
function prospect({ evidence }: RuleInput): Refusal | null {
  if (evidence.source !== 'none') return null;
  return {
    message:
      'There is no evidence of a previous license at all (no license file, no plan or expiry date entered): ' +
      'prospects are out of scope for emergency licenses; route the customer to sales.',
  };
}

/** Rule 3: a trial, a plan other than starter/premium/ultimate, or one of Lifeline's own licenses. */
function notPaidPlan({ evidence }: RuleInput): Refusal | null {
  const paidPlans = PAID_PLANS.join(', ');
  // Checked first whatever its plan says: a Lifeline license (recognised by fingerprint) is an
  // emergency trial, never a paid subscription.
  if (evidence.issuedByLifelineRequestId !== null) {
    return {
      message:
        `The previous license is an emergency license Lifeline issued (request ${evidence.issuedByLifelineRequestId}): ` +
        `an emergency license is never the basis of another. Only paid plans (${paidPlans}) are in scope.`,
    };
  }
  if (evidence.trial === true) {
    return {
      message: `The previous license is a trial (plan ${quote(evidence.plan ?? '')}, trial: true): only paid plans (${paidPlans}) are in scope.`,
    };
  }
  const plan = evidence.plan ?? 'starter';
  if (!(PAID_PLANS as readonly string[]).includes(plan)) {
    return {
      ...(evidence.source === 'typed' ? { field: 'plan' } : {}),
      message: `The previous license's plan is ${quote(plan)}, not one of ${paidPlans}: only paid plans are in scope.`,
    };
  }
  return null;
}

/** Rule 4: today < grace_end. */
function stillInGrace({ evidence, today }: RuleInput): Refusal | null {
  const end = evidence.graceEndsOn;
  if (end === null) {
    // Only a license file can get here (typed evidence without an expiry date is refused by rule 1):
    // a license with neither expires_at nor block_changes_at never locks the instance.
    return evidence.source === 'license'
      ? {
          message: `The previous license has no expiry date and no block_changes_at: it never turns the instance read-only. ${RENEW}`,
        }
      : null;
  }
  if (today >= end) return null;
  return {
    message:
      `Still in the grace period: the instance keeps working until it turns read-only on ${end} ` +
      `(${evidence.graceEndBasis}), in ${days(daysBetween(today, end))} (today is ${today}). ${RENEW}`,
  };
}

/** Rule 5: today − grace_end > windowDays. */
function graceEndedTooLongAgo({ evidence, today, config }: RuleInput): Refusal | null {
  const end = evidence.graceEndsOn;
  if (end === null) return null;
  const since = daysBetween(end, today);
  if (since <= config.windowDays) return null;
  return {
    message:
      `Out of the emergency window: the grace period ended on ${end} (${evidence.graceEndBasis}), ` +
      `${days(since)} ago (today ${today}); the window is ${days(config.windowDays)} after it ends. ${RENEW}`,
  };
}

/** Rule 6: today is Monday–Friday and not a configured holiday (only with the weekend rule on). */
function notWeekend({ today, config }: RuleInput): Refusal | null {
  if (!config.weekendRule || isWeekendOrHoliday(today, config.holidays)) return null;
  return {
    message:
      `Today (${today}, a ${WEEKDAYS[dayOfWeek(today)]}) is a weekday and not a configured holiday: ` +
      'the emergency path is for weekends and holidays.',
  };
}

/** Rule 7: floor(seats × 1.1) < peak, the larger of the known "Maximum users" and "Billable users". */
function seatsBelowInstancePeak({ request, config }: RuleInput): Refusal | null {
  const peak = peakUsers(request.maximumUsers, request.billableUsers);
  if (peak === null) return null;
  const covered = seatsWithOverage(request.seats, config.seatOverage);
  if (covered >= peak) return null;
  const figures = [
    request.maximumUsers !== null ? `Maximum users ${request.maximumUsers}` : null,
    request.billableUsers !== null ? `Billable users ${request.billableUsers}` : null,
  ].filter((s) => s !== null);
  return {
    field: 'seats',
    message:
      `GitLab would reject this license on upload: ${request.seats} seats plus ${percent(config.seatOverage)} ` +
      `cover ${covered} users, below the instance's peak of ${peak} (${figures.join(', ')}). ` +
      `The smallest accepted seat count is ${minimumAcceptedSeats(peak, config.seatOverage)}.`,
  };
}

/**
 * Rule 8: seats > factor × previous and > previous + margin. Needs a previous seat count above 0:
 * a count of 0 (or none) gives nothing to compare with, so the rule is skipped.
 */
function seatsImplausible({ request, evidence, config }: RuleInput): Refusal | null {
  const previous = evidence.previousSeats;
  if (previous === null || previous <= 0) return null;
  const { seats } = request;
  if (!(seats > config.implausibleFactor * previous && seats > previous + config.implausibleMargin))
    return null;
  return {
    field: 'seats',
    message:
      `${seats} seats is more than ${config.implausibleFactor} × the previous license's ${previous} seats ` +
      `and more than ${previous} + ${config.implausibleMargin}: likely a typo; confirm the number.`,
  };
}

/** Rule 9: an emergency license for the same customer within the repeat window. */
function recentEmergencyLicense({ recentMatches, config }: RuleInput): Refusal | null {
  if (recentMatches.length === 0) return null;
  const list = recentMatches
    .map((m) => `request ${m.license.requestId} on ${m.license.issuedAt} (${m.reasons.join(', ')})`)
    .join('; ');
  return {
    message:
      `An emergency license was already issued for the same customer within the last ${days(config.repeatWindowDays)}: ` +
      `${list}. One emergency license per customer per ${days(config.repeatWindowDays)}.`,
  };
}

/** §4 in order. Rule 1 is `checkInput` (it validates and normalises, so it comes before the list). */
export const ELIGIBILITY_RULES: readonly EligibilityRule[] = [
  { rule: 2, code: 'PROSPECT', needsEvidence: false, check: prospect },
  { rule: 3, code: 'NOT_PAID_PLAN', needsEvidence: true, check: notPaidPlan },
  { rule: 4, code: 'STILL_IN_GRACE', needsEvidence: true, check: stillInGrace },
  { rule: 5, code: 'GRACE_ENDED_TOO_LONG_AGO', needsEvidence: true, check: graceEndedTooLongAgo },
  { rule: 6, code: 'NOT_WEEKEND', needsEvidence: true, check: notWeekend },
  { rule: 7, code: 'SEATS_BELOW_INSTANCE_PEAK', needsEvidence: true, check: seatsBelowInstancePeak },
  { rule: 8, code: 'SEATS_IMPLAUSIBLE', needsEvidence: true, check: seatsImplausible },
  { rule: 9, code: 'RECENT_EMERGENCY_LICENSE', needsEvidence: false, check: recentEmergencyLicense },
];

/** Saturday, Sunday or a configured holiday. */
export function isWeekendOrHoliday(today: CalendarDate, holidays: readonly CalendarDate[]): boolean {
  const dow = dayOfWeek(today);
  return dow === 0 || dow === 6 || holidays.includes(today);
}
