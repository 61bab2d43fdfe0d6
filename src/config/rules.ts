/** The eligibility rules' settings (PRODUCT.md §4, §12). */
import type { CalendarDate } from '../core/dates.js';
import { PUBLIC_EMAIL_DOMAINS } from '../core/eligibility/config.js';
import {
  decimal,
  domains,
  flag,
  holidays,
  integer,
  spec,
  timeZone,
  type RuleContext,
  type ValuesOf,
} from './fields.js';

/** The built-in public mail domains are the eligibility rules' own list (one source). */
export const DEFAULT_PUBLIC_EMAIL_DOMAINS: readonly string[] = PUBLIC_EMAIL_DOMAINS;

/** The tunables of the eligibility rules (PRODUCT.md §4). */
export interface EligibilityTunables {
  /** Rule 4: grace_end = expires_at + graceDays. */
  graceDays: number;
  /** Rule 5: refuse when today − grace_end > windowDays. */
  windowDays: number;
  /** Rule 6: refuse Monday–Friday unless a holiday. */
  weekendRule: boolean;
  /** Rule 9: one emergency license per customer per repeatWindowDays. */
  repeatWindowDays: number;
  /** Rule 7: GitLab accepts a license when floor(seats × (1 + seatOveragePercent/100)) ≥ peak. */
  seatOveragePercent: number;
  /** Rule 8: seats are implausible above implausibleFactor × previous seats … */
  implausibleFactor: number;
  /** … and above previous seats + implausibleMargin. */
  implausibleMargin: number;
  /** Rule 9: domains that do not identify a customer (lower case). */
  publicEmailDomains: string[];
  /** The team's own mail domains: no license is ever sent to an address in one of them. */
  staffDomains: string[];
}

export interface RulesConfig {
  supportTimeZone: string;
  /** Sorted, without duplicates. */
  holidays: CalendarDate[];
  eligibility: EligibilityTunables;
  /** LIFELINE_ALLOW_PINNED_DATES: a caller may pin `today` (tests and demos; never in production). */
  allowPinnedDates: boolean;
}

export const RULES = {
  LIFELINE_SUPPORT_TIMEZONE: spec({
    group: 'rules',
    default: 'UTC',
    secret: false,
    description: 'IANA time zone that decides "today", weekends and holidays (e.g. America/New_York).',
    schema: timeZone.default('UTC'),
  }),
  LIFELINE_HOLIDAYS: spec({
    group: 'rules',
    default: null,
    secret: false,
    description: 'Comma-separated YYYY-MM-DD dates treated like weekend days by the weekend rule.',
    schema: holidays.default(() => []),
    echo: false,
  }),
  LIFELINE_GRACE_DAYS: spec({
    group: 'rules',
    default: '14',
    secret: false,
    description: 'Days after expiry until the instance turns read-only (grace_end = expires_at + this).',
    schema: integer(0, 365).default(14),
  }),
  LIFELINE_WINDOW_DAYS: spec({
    group: 'rules',
    default: '3',
    secret: false,
    description: 'Days after grace_end during which an emergency license may still be issued.',
    schema: integer(0, 365).default(3),
  }),
  LIFELINE_WEEKEND_RULE: spec({
    group: 'rules',
    default: 'true',
    secret: false,
    description: 'true: refuse requests Monday to Friday unless the day is a holiday; false: any day.',
    schema: flag.default(true),
  }),
  LIFELINE_REPEAT_WINDOW_DAYS: spec({
    group: 'rules',
    default: '30',
    secret: false,
    description: 'One emergency license per customer within this many days.',
    schema: integer(0, 3650).default(30),
  }),
  LIFELINE_SEAT_OVERAGE_PERCENT: spec({
    group: 'rules',
    default: '10',
    secret: false,
    description:
      'GitLab accepts a license whose seats plus this percentage reach the instance peak ("Maximum users"/"Billable users").',
    schema: integer(0, 100).default(10),
  }),
  LIFELINE_SEAT_PLAUSIBILITY_FACTOR: spec({
    group: 'rules',
    default: '2',
    secret: false,
    description:
      'Seats above this multiple of the previous license’s seats (and above the margin below) are flagged as a likely typo.',
    schema: decimal(1, 1000).default(2),
  }),
  LIFELINE_SEAT_PLAUSIBILITY_MARGIN: spec({
    group: 'rules',
    default: '100',
    secret: false,
    description:
      'Seats above the previous license’s seats plus this many (and above the factor above) are flagged as a likely typo.',
    schema: integer(0, 1_000_000).default(100),
  }),
  LIFELINE_PUBLIC_EMAIL_DOMAINS: spec({
    group: 'rules',
    default: 'gmail.com, outlook.com, yahoo.com and other public mail providers (built-in list)',
    secret: false,
    description:
      'Comma-separated mail domains that do not identify a customer, so the same-domain repeat check ignores them. Replaces the built-in list.',
    schema: domains.default(() => [...DEFAULT_PUBLIC_EMAIL_DOMAINS]),
    echo: false,
  }),
  LIFELINE_STAFF_DOMAINS: spec({
    group: 'rules',
    default: null,
    secret: false,
    description:
      'Comma-separated mail domains of the team itself (e.g. gitlab.com): a license is never emailed to an address under one of them (compared by registrable domain), nor to the acting engineer’s own address.',
    schema: domains.default(() => []),
    echo: false,
  }),
  LIFELINE_ALLOW_PINNED_DATES: spec({
    group: 'rules',
    default: 'false',
    secret: false,
    description:
      'true lets callers pin the decision date (`--today`, the API body’s `today`) for tests and demos; pinned dates are audited. Refused in production. `lifeline license decode --today` needs no setting.',
    schema: flag.default(false),
  }),
};

export function rulesRules(v: Partial<ValuesOf<typeof RULES>>, r: RuleContext<keyof typeof RULES>): void {
  if (r.production && v.LIFELINE_ALLOW_PINNED_DATES === true) {
    r.problem(
      'LIFELINE_ALLOW_PINNED_DATES',
      'must not be true in production: decisions are dated by the clock',
    );
  }
}

export function rulesConfig(v: ValuesOf<typeof RULES>): RulesConfig {
  return {
    supportTimeZone: v.LIFELINE_SUPPORT_TIMEZONE,
    holidays: v.LIFELINE_HOLIDAYS,
    eligibility: {
      graceDays: v.LIFELINE_GRACE_DAYS,
      windowDays: v.LIFELINE_WINDOW_DAYS,
      weekendRule: v.LIFELINE_WEEKEND_RULE,
      repeatWindowDays: v.LIFELINE_REPEAT_WINDOW_DAYS,
      seatOveragePercent: v.LIFELINE_SEAT_OVERAGE_PERCENT,
      implausibleFactor: v.LIFELINE_SEAT_PLAUSIBILITY_FACTOR,
      implausibleMargin: v.LIFELINE_SEAT_PLAUSIBILITY_MARGIN,
      publicEmailDomains: v.LIFELINE_PUBLIC_EMAIL_DOMAINS,
      staffDomains: v.LIFELINE_STAFF_DOMAINS,
    },
    allowPinnedDates: v.LIFELINE_ALLOW_PINNED_DATES,
  };
}
