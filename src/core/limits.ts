/**
 * The limits and formats every edge shares (rule 1, the API's schemas, the web form): written once
 * here. Pure, without imports, so that the web bundles it as it is.
 */

/** An emergency license lasts this many days (PRODUCT.md §5). */
export const EMERGENCY_TERM_DAYS = 10;

export const TICKET_ID_MAX_LENGTH = 64;
export const TICKET_URL_MAX_LENGTH = 2048;
/** RFC 5321's longest forward path. */
export const EMAIL_MAX_LENGTH = 254;
export const ENGINEER_MAX_LENGTH = 100;
export const PLAN_MAX_LENGTH = 40;
/** A request or record id as Lifeline makes them (`req_…`), with room to spare. */
export const RECORD_ID_MAX_LENGTH = 64;
/** Any count (seats, users) above this is refused by rule 1 (the default of EligibilityConfig.maxSeats). */
export const MAX_SEATS = 1_000_000;

/** A written reason (override, reject, void, replace): at most this many characters. */
export const REASON_MAX_LENGTH = 2000;
/** An override's reason must explain itself in at least this many characters. */
export const OVERRIDE_REASON_MIN_LENGTH = 20;

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The one email syntax: ASCII dot-atom local part, exactly one "@", a DNS domain with a dot and a
 * non-numeric last label. Takes a trimmed, lower-cased address; says what is wrong, or null.
 */
export function emailSyntaxProblem(email: string): string | null {
  if (/[^\x21-\x7e]/.test(email)) {
    return 'it may contain only printable ASCII without spaces (write a domain in its xn-- form)';
  }
  const parts = email.split('@');
  if (parts.length !== 2) return 'it must contain exactly one "@"';
  const [local, domain] = parts as [string, string];
  if (local === '' || local.length > 64 || !LOCAL_PART.test(local)) {
    return 'the part before "@" is empty, too long or has characters or dots where none may be';
  }
  const labels = domain.split('.');
  if (
    domain.length > 253 ||
    labels.length < 2 ||
    !labels.every((l) => DOMAIN_LABEL.test(l)) ||
    /^\d+$/.test(labels[labels.length - 1] ?? '')
  ) {
    return 'the part after "@" must be a domain name with a dot, like example.com';
  }
  return null;
}

/** An email address as rule 1 accepts it (case-insensitive, no surrounding spaces). */
export function isEmailAddress(text: string): boolean {
  return text.length <= EMAIL_MAX_LENGTH && emailSyntaxProblem(text.toLowerCase()) === null;
}

/** The request list's search (`q`): at least this many characters, at most EMAIL_MAX_LENGTH. */
export const SEARCH_MIN_LENGTH = 3;
/** A search finds a license by the start of its fingerprint from this many hex digits on. */
export const FINGERPRINT_PREFIX_MIN_LENGTH = 8;
/** Customers' screenshots (issue 21): PNG, JPEG or WebP, at most this many bytes and pixels each. */
export const SCREENSHOT_MAX_BYTES = 10 * 1024 * 1024;
export const SCREENSHOT_MAX_PIXELS = 40_000_000;
/** At most this many screenshots are read together (one upload, or one ticket's newest). */
export const SCREENSHOTS_PER_READ = 6;
