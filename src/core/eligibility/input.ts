/**
 * Rule 1 (INPUT_INVALID): every field of the request checked for shape, one finding per bad field,
 * in the order of `EligibilityRequest`. Only shape is checked here: a plan name like "gold" is
 * well-formed input and is refused by rule 3, not here.
 *
 * Optional text fields (ticketUrl, engineer, plan, expiresAt) count as absent when undefined, null
 * or blank (forms send ""); optional counts when undefined or null. Counts must be JSON numbers:
 * the edge converts form text, so the text "10" here is a caller bug and is refused.
 */
import { parseCalendarDate, type CalendarDate } from '../dates.js';
import {
  EMAIL_MAX_LENGTH,
  emailSyntaxProblem,
  ENGINEER_MAX_LENGTH,
  PLAN_MAX_LENGTH,
  TICKET_ID_MAX_LENGTH,
  TICKET_URL_MAX_LENGTH,
} from '../limits.js';
import { err, ok, type Result } from '../result.js';
import { canonicalEmail, domainSet, registrableDomain } from './canonical.js';
import { quote } from './text.js';
import type { EligibilityRequest, Finding, NormalizedRequest } from './types.js';

/** A previous license's expiry outside these years is no license anyone has (and would overflow the arithmetic). */
export const EXPIRY_EARLIEST = '2000-01-01' as CalendarDate;
export const EXPIRY_LATEST = '2099-12-31' as CalendarDate;

/** Who may never receive a license (PRODUCT.md §12): the team's own domains and the acting person. */
export interface RecipientPolicy {
  staffDomains: readonly string[];
  ownAddresses: readonly string[];
}

type FieldResult<T> = Result<T, string>;

/** The fields that passed, whatever happened to the others (facts and warnings still use them). */
export type ValidFields = Partial<NormalizedRequest>;

export interface InputCheck {
  /** The whole request when every field passed, else null. */
  request: NormalizedRequest | null;
  valid: ValidFields;
  findings: Finding<'INPUT_INVALID'>[];
}

const ABSENT = Symbol('absent');

/** "a number", "an array"…: what arrived instead, never the value itself (it may be huge). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

const isBlank = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Control, format, unassigned, private-use and surrogate code points, plus line/paragraph separators. */
const UNPRINTABLE = /[\p{C}\u2028\u2029]/u;

function ticketId(value: unknown): FieldResult<string> {
  if (isBlank(value)) return err('is required (the id of the support ticket)');
  // Zendesk ticket ids are numbers; a JSON number is accepted and written as text.
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0
      ? ok(String(value))
      : err('must be a positive whole number or text of letters, digits, ".", "_" and "-"');
  }
  if (typeof value !== 'string') return err(`must be text, got ${kindOf(value)}`);
  const id = value.trim();
  if (id.length > TICKET_ID_MAX_LENGTH) {
    return err(`is ${id.length} characters long; at most ${TICKET_ID_MAX_LENGTH} are allowed`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(id))
    return err(`may contain only letters, digits, ".", "_" and "-" (got ${quote(id)})`);
  return ok(id);
}

function ticketUrl(value: unknown, host: string | null): FieldResult<string | typeof ABSENT> {
  if (isBlank(value)) return ok(ABSENT);
  if (typeof value !== 'string') return err(`must be text (an http or https URL), got ${kindOf(value)}`);
  const text = value.trim();
  if (text.length > TICKET_URL_MAX_LENGTH) {
    return err(`is ${text.length} characters long; at most ${TICKET_URL_MAX_LENGTH} are allowed`);
  }
  if (/[\s\p{C}]/u.test(text)) return err('must not contain spaces or control characters');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return err(
      `is not a URL (got ${quote(text)}); expected e.g. https://example.zendesk.com/agent/tickets/123`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return err(`must be an http or https URL (got the scheme ${quote(url.protocol.slice(0, -1))})`);
  }
  if (url.hostname === '') return err('must name a host');
  // It is posted to Slack and the tracker: never carry credentials along.
  if (url.username !== '' || url.password !== '') return err('must not contain a user name or password');
  if (host !== null && url.host !== host) {
    return err(`must be a ticket on ${host} (ZENDESK_URL), not on ${quote(url.host)}`);
  }
  // Stored normalised, as the URL parser reads it, so every message shows what a browser opens.
  return ok(url.href);
}

/**
 * A deliverable-looking address (the core's one email syntax, src/core/limits.ts), lower-cased.
 * The one email validator: every recipient of a license goes through it.
 */
export function validateEmail(value: unknown): FieldResult<string> {
  if (isBlank(value)) return err('is required (the email address of the ticket requester)');
  if (typeof value !== 'string') return err(`must be text (an email address), got ${kindOf(value)}`);
  const email = value.trim().toLowerCase();
  if (email.length > EMAIL_MAX_LENGTH) {
    return err(`is ${email.length} characters long; an email address has at most ${EMAIL_MAX_LENGTH}`);
  }
  const problem = emailSyntaxProblem(email);
  if (problem !== null) return err(`is not a valid email address (${quote(email)}): ${problem}`);
  return ok(email);
}

/** A license recipient: a valid email, not in a staff domain, not the acting person's own address. */
export function checkRecipient(value: unknown, policy: RecipientPolicy): FieldResult<string> {
  const valid = validateEmail(value);
  if (!valid.ok) return valid;
  const email = valid.value;
  const domain = registrableDomain(email.slice(email.lastIndexOf('@') + 1));
  const staff = domainSet(policy.staffDomains.map((d) => registrableDomain(d) ?? d));
  if (domain !== null && staff.has(domain)) {
    return err(
      `is ${quote(email)}, an address of the team's own domain ${domain} (LIFELINE_STAFF_DOMAINS): ` +
        "a license goes to the customer's requester, never to a team member",
    );
  }
  const own = canonicalEmail(email);
  if (policy.ownAddresses.some((a) => canonicalEmail(a) === own)) {
    return err(`is ${quote(email)}, your own address: a license goes to the customer's requester`);
  }
  return ok(email);
}

function engineer(value: unknown): FieldResult<string | typeof ABSENT> {
  if (isBlank(value)) return ok(ABSENT);
  if (typeof value !== 'string') return err(`must be text (a name or user name), got ${kindOf(value)}`);
  const name = value.trim();
  const length = [...name].length;
  if (length > ENGINEER_MAX_LENGTH) {
    return err(`is ${length} characters long; at most ${ENGINEER_MAX_LENGTH} are allowed`);
  }
  if (UNPRINTABLE.test(name)) return err('must contain only printable characters (no control characters)');
  return ok(name);
}

/** A whole JSON number in [min, max]; text such as "10" is refused. */
function count(value: unknown, min: number, max: number): FieldResult<number> {
  const range = `a whole number from ${min} to ${max}`;
  if (typeof value === 'string') {
    // "10" from an API client is a type slip; "ten" from a person is simply not a number.
    return /^\s*-?\d+(\.\d+)?\s*$/.test(value)
      ? err(`must be ${range} sent as a number, not as text (got ${quote(value)})`)
      : err(`must be ${range} (got ${quote(value)})`);
  }
  if (typeof value !== 'number') return err(`must be ${range}, got ${kindOf(value)}`);
  if (Number.isNaN(value)) return err(`must be ${range}, got NaN`);
  if (!Number.isInteger(value)) return err(`must be ${range}, got ${value} (not a whole number)`);
  if (value < min) return err(`must be ${range}, got ${value} (below ${min})`);
  if (value > max) return err(`must be ${range}, got ${value} (above ${max})`);
  return ok(value);
}

function seats(value: unknown, maxSeats: number): FieldResult<number> {
  if (value === undefined || value === null) {
    return err(`is required (the user count of the emergency license, a whole number from 1 to ${maxSeats})`);
  }
  return count(value, 1, maxSeats);
}

function optionalCount(value: unknown, maxSeats: number): FieldResult<number | typeof ABSENT> {
  if (value === undefined || value === null) return ok(ABSENT);
  return count(value, 0, maxSeats);
}

function plan(value: unknown): FieldResult<string | typeof ABSENT> {
  if (isBlank(value)) return ok(ABSENT);
  if (typeof value !== 'string')
    return err(`must be text (a plan name such as "premium"), got ${kindOf(value)}`);
  const name = value.trim().toLowerCase();
  const length = [...name].length;
  if (length > PLAN_MAX_LENGTH)
    return err(`is ${length} characters long; a plan name has at most ${PLAN_MAX_LENGTH}`);
  if (UNPRINTABLE.test(name)) return err('must contain only printable characters');
  return ok(name);
}

function expiresAt(value: unknown): FieldResult<CalendarDate | typeof ABSENT> {
  if (isBlank(value)) return ok(ABSENT);
  if (typeof value !== 'string') return err(`must be a date written YYYY-MM-DD, got ${kindOf(value)}`);
  const text = value.trim();
  const date = parseCalendarDate(text);
  if (date) return expiryInRange(date);
  return /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? err(`is not a real calendar date (got ${quote(text)})`)
    : err(`must be a date written YYYY-MM-DD (got ${quote(text)})`);
}

/** An expiry no license can have (before 2000, after 2099) is refused. */
export function expiryInRange(date: CalendarDate): FieldResult<CalendarDate> {
  return date < EXPIRY_EARLIEST || date > EXPIRY_LATEST
    ? err(`is ${date}, not a possible license expiry (from ${EXPIRY_EARLIEST} to ${EXPIRY_LATEST})`)
    : ok(date);
}

/** Rule 1's checks of single fields, for other edges that take the same values (signed-request claims). */
export const ruleOneFields = { ticketId, requesterEmail: validateEmail, engineer } as const;

/**
 * Rule 1. `hasLicenseFile` decides one cross-field case: with typed evidence only, a plan without
 * an expiry date leaves the window rules (4, 5) nothing to work on, so the expiry date is then
 * required (an expiry without a plan is fine: the plan counts as starter, as GitLab does).
 */
export function checkInput(
  raw: EligibilityRequest,
  options: {
    hasLicenseFile: boolean;
    maxSeats: number;
    /** Who may not receive the license; without it only the email's syntax is checked. */
    recipients?: RecipientPolicy;
    /** The ticket system's host (from ZENDESK_URL): a ticket URL elsewhere is refused. */
    ticketHost?: string | null;
  },
): InputCheck {
  const findings: Finding<'INPUT_INVALID'>[] = [];
  const valid: ValidFields = {};
  const request: Partial<Record<keyof EligibilityRequest, unknown>> =
    typeof raw === 'object' && raw !== null ? raw : {};
  if (typeof raw !== 'object' || raw === null) {
    findings.push({
      code: 'INPUT_INVALID',
      field: 'request',
      message: `The request must be an object of fields, got ${kindOf(raw)}.`,
    });
  }

  function take<K extends keyof NormalizedRequest>(
    field: K,
    result: FieldResult<NormalizedRequest[K] | typeof ABSENT>,
  ): void {
    if (result.ok) {
      valid[field] = (result.value === ABSENT ? null : result.value) as NormalizedRequest[K];
    } else {
      findings.push({
        code: 'INPUT_INVALID',
        field,
        message: `The field "${field}" ${result.error}.`,
      });
    }
  }

  const max = options.maxSeats;
  take('ticketId', ticketId(request.ticketId));
  take('ticketUrl', ticketUrl(request.ticketUrl, options.ticketHost ?? null));
  take(
    'requesterEmail',
    options.recipients
      ? checkRecipient(request.requesterEmail, options.recipients)
      : validateEmail(request.requesterEmail),
  );
  take('engineer', engineer(request.engineer));
  take('seats', seats(request.seats, max));
  take('plan', plan(request.plan));
  take('expiresAt', expiresAt(request.expiresAt));
  if (!options.hasLicenseFile && valid.plan != null && valid.expiresAt === null) {
    findings.push({
      code: 'INPUT_INVALID',
      field: 'expiresAt',
      message:
        'The field "expiresAt" is needed with plan when there is no license file: without the expiry ' +
        'date the grace period cannot be worked out. Enter the expiry date shown on the ' +
        'License/Subscription screenshot, or attach the expired license file.',
    });
  }
  take('previousSeats', optionalCount(request.previousSeats, max));
  take('maximumUsers', optionalCount(request.maximumUsers, max));
  take('billableUsers', optionalCount(request.billableUsers, max));

  if (findings.length > 0) return { request: null, valid, findings };
  return {
    request: {
      ticketId: valid.ticketId as string,
      ticketUrl: valid.ticketUrl ?? null,
      requesterEmail: valid.requesterEmail as string,
      engineer: valid.engineer ?? null,
      seats: valid.seats as number,
      plan: valid.plan ?? null,
      expiresAt: valid.expiresAt ?? null,
      previousSeats: valid.previousSeats ?? null,
      maximumUsers: valid.maximumUsers ?? null,
      billableUsers: valid.billableUsers ?? null,
    },
    valid,
    findings,
  };
}
