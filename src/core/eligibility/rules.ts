/**
 * Product spec §4 as ONE catalogue: each rule's code, whether a written reason may override it,
 * whether it needs evidence of a previous license, its title and passed sentence (with the
 * configured numbers), and its check. RefusalCode, OVERRIDABLE_CODES, the code table's rows and
 * `GET /api/v1/eligibility/rules` all derive from it; a rule's number is its place in the list.
 *
 * A check is a guard clause: the refusal (a sentence for the engineer) or null when its rule passes
 * or has nothing to judge. Every check runs, so a refused request lists every failing rule in order.
 *  - Rule 1 (INPUT_INVALID) is `checkInput` (input.ts), run first and alone: with malformed input
 *    nothing below is evaluated.
 *  - Rule 2 (PROSPECT): without any evidence of a previous license, the rules that need evidence
 *    are skipped; the others (rule 9) still run (a prospect may have been helped before).
 */
import { dayOfWeek, daysBetween, type CalendarDate } from '../dates.js';
import { PAID_PLANS } from '../license/status.js';
import type { EligibilityConfig } from './config.js';
import type { Evidence } from './evidence.js';
import type { RecentMatch } from './recent.js';
import { minimumAcceptedSeats, peakUsers, seatsWithOverage } from './seats.js';
import { days, percent, quote, WEEKDAYS } from './text.js';
import type { NormalizedRequest } from './types.js';

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

/** One rule of the catalogue. */
export interface EligibilityRule<C extends string = string> {
  code: C;
  /** A written reason may override a refusal by this rule (PRODUCT.md §4). */
  overridable: boolean;
  /** Skipped when rule 2 found no evidence of a previous license. */
  needsEvidence: boolean;
  /** What the rule asks, as the form lists it. */
  title: (config: EligibilityConfig) => string;
  /** The sentence shown when the rule passes. */
  passedText: (config: EligibilityConfig) => string;
  /** Null for rule 1, which is `checkInput` (it validates and normalises before the others run). */
  check: ((input: RuleInput) => Refusal | null) | null;
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

const paidPlans = `${PAID_PLANS.slice(0, -1).join(', ')} or ${PAID_PLANS[PAID_PLANS.length - 1]}`;
const always = (text: string) => (): string => text;

/** §4 in order: a rule's number is its place here. */
export const ELIGIBILITY_RULES = [
  {
    code: 'INPUT_INVALID',
    overridable: false,
    needsEvidence: false,
    title: always('Input complete and well formed'),
    passedText: always('Every field is present and well formed.'),
    check: null,
  },
  {
    code: 'PROSPECT',
    overridable: false,
    needsEvidence: false,
    title: always('Evidence of a previous license'),
    passedText: always('There is evidence of a previous license.'),
    check: prospect,
  },
  {
    code: 'NOT_PAID_PLAN',
    overridable: false,
    needsEvidence: true,
    title: always('Paid plan'),
    passedText: always(`The previous license is a paid plan (${paidPlans}), not a trial.`),
    check: notPaidPlan,
  },
  {
    code: 'STILL_IN_GRACE',
    overridable: true,
    needsEvidence: true,
    title: always('Grace period over'),
    passedText: (c) =>
      `The grace period (${days(c.graceDays)} after expiry) has ended: the instance is read-only.`,
    check: stillInGrace,
  },
  {
    code: 'GRACE_ENDED_TOO_LONG_AGO',
    overridable: true,
    needsEvidence: true,
    title: always('Within the emergency window'),
    passedText: (c) =>
      `The grace period ended at most ${days(c.windowDays)} ago, within the emergency window.`,
    check: graceEndedTooLongAgo,
  },
  {
    code: 'NOT_WEEKEND',
    overridable: true,
    needsEvidence: true,
    title: always('Weekend or holiday'),
    passedText: (c) =>
      c.weekendRule
        ? 'Today is a weekend day or a configured holiday.'
        : 'The weekend rule is off (LIFELINE_WEEKEND_RULE=false): any day will do.',
    check: notWeekend,
  },
  {
    code: 'SEATS_BELOW_INSTANCE_PEAK',
    overridable: true,
    needsEvidence: true,
    title: always("Seats cover the instance's peak"),
    passedText: (c) =>
      `GitLab will accept the seat count (plus ${percent(c.seatOverage)}) against the instance’s peak users.`,
    check: seatsBelowInstancePeak,
  },
  {
    code: 'SEATS_IMPLAUSIBLE',
    overridable: true,
    needsEvidence: true,
    title: always('Plausible seat count'),
    passedText: (c) =>
      `The seat count is plausible: not above ${c.implausibleFactor} × the previous license’s seats ` +
      `and ${c.implausibleMargin} more.`,
    check: seatsImplausible,
  },
  {
    code: 'RECENT_EMERGENCY_LICENSE',
    overridable: true,
    needsEvidence: false,
    title: (c) => `No emergency license in the last ${days(c.repeatWindowDays)}`,
    passedText: (c) =>
      `No emergency license was issued for this customer in the last ${days(c.repeatWindowDays)}.`,
    check: recentEmergencyLicense,
  },
] as const satisfies readonly EligibilityRule[];

/** The refusal codes, in rule order (rule 1 … rule 9). */
export type RefusalCode = (typeof ELIGIBILITY_RULES)[number]['code'];

/** A rule as the API lists it (`GET /api/v1/eligibility/rules`), with the configured numbers. */
export interface RuleDescription<C extends string = RefusalCode> {
  rule: number;
  code: C;
  title: string;
  passed: string;
  overridable: boolean;
  needsEvidence: boolean;
}

export function describeRules<C extends string>(
  config: EligibilityConfig,
  rules: readonly EligibilityRule<C>[],
): RuleDescription<C>[] {
  return rules.map((r, i) => ({
    rule: i + 1,
    code: r.code,
    title: r.title(config),
    passed: r.passedText(config),
    overridable: r.overridable,
    needsEvidence: r.needsEvidence,
  }));
}

/** Saturday, Sunday or a configured holiday. */
export function isWeekendOrHoliday(today: CalendarDate, holidays: readonly CalendarDate[]): boolean {
  const dow = dayOfWeek(today);
  return dow === 0 || dow === 6 || holidays.includes(today);
}
