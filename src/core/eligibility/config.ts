import type { CalendarDate } from '../dates.js';
import { MAX_SEATS } from '../limits.js';

/** The tunable numbers of §4; the defaults are the spec's. */
export interface EligibilityConfig {
  /** Days after expiry until the instance turns read-only (14). */
  graceDays: number;
  /** GRACE_ENDED_TOO_LONG_AGO when today − grace_end > windowDays (3). */
  windowDays: number;
  /** NOT_WEEKEND applies at all (true). */
  weekendRule: boolean;
  /** Dates treated like weekend days. */
  holidays: readonly CalendarDate[];
  /** One emergency license per customer per this many days (30). */
  repeatWindowDays: number;
  /** GitLab accepts a license when floor(seats × (1 + seatOverage)) ≥ the instance's peak (0.10). */
  seatOverage: number;
  /** SEATS_IMPLAUSIBLE when seats > implausibleFactor × previous AND seats > previous + implausibleMargin (2, 100). */
  implausibleFactor: number;
  implausibleMargin: number;
  /** Upper bound for any count; INPUT_INVALID above (1 000 000). */
  maxSeats: number;
  /** Domains shared by unrelated people: a matching domain alone does not make the same customer (rule 9). */
  publicEmailDomains: readonly string[];
  /** The team's own mail domains: never a recipient (rule 1). */
  staffDomains: readonly string[];
  /** The ticket system's host (ZENDESK_URL): a ticket URL on another host is refused (rule 1). */
  ticketHost: string | null;
}

export const PUBLIC_EMAIL_DOMAINS: readonly string[] = Object.freeze([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.co.jp',
  'yahoo.de',
  'yahoo.fr',
  'ymail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.de',
  'hotmail.fr',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.de',
  'gmx.net',
  'gmx.com',
  'web.de',
  't-online.de',
  'mail.com',
  'mail.ru',
  'yandex.ru',
  'yandex.com',
  'qq.com',
  '163.com',
  '126.com',
  'sina.com',
  'naver.com',
  'zoho.com',
  'fastmail.com',
  'tutanota.com',
  'hey.com',
  'rediffmail.com',
]);

export const DEFAULT_ELIGIBILITY_CONFIG: EligibilityConfig = Object.freeze({
  graceDays: 14,
  windowDays: 3,
  weekendRule: true,
  holidays: Object.freeze([]) as readonly CalendarDate[],
  repeatWindowDays: 30,
  seatOverage: 0.1,
  implausibleFactor: 2,
  implausibleMargin: 100,
  maxSeats: MAX_SEATS,
  publicEmailDomains: PUBLIC_EMAIL_DOMAINS,
  staffDomains: Object.freeze([]) as readonly string[],
  ticketHost: null,
});
