/**
 * What people paste, read the way they meant it: `#50300` or a Zendesk ticket link is ticket 50300,
 * `Ops Team <ops@beta.example>` is ops@beta.example, `1,200` and ` 140 ` are numbers, and an
 * internationalised domain is written in its punycode (xn--) form. The issue form and the CLI read
 * their fields through here; the API stays strict. Pure (only limits.ts), so that the web bundles it.
 *
 * Every reading says what it understood when that differs from what was typed, and, when it cannot
 * read a value, what to type instead, in words for people (no field names, no JSON types).
 */
import { EMAIL_MAX_LENGTH, emailSyntaxProblem, MAX_SEATS, TICKET_ID_MAX_LENGTH } from './limits.js';

export type Reading<T> =
  | {
      ok: true;
      /** Null when nothing was typed. */
      value: T | null;
      /** What was understood, when it is not what was typed (trimming aside); else null. */
      understood: string | null;
      /** Read, but worth a second look (a domain mixing alphabets). */
      warning: string | null;
    }
  | { ok: false; problem: string };

const read = <T>(value: T | null, understood: string | null = null, warning: string | null = null) =>
  ({ ok: true, value, understood, warning }) as const;
const refuse = (problem: string) => ({ ok: false, problem }) as const;

/** Anything longer is no value of these fields: refused before any other work. */
const MAX_INPUT_LENGTH = 4096;

/** Invisible characters that ride along with copied text (zero-width spaces and joiners, BOM). */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
/** Control, format, unassigned, private-use and surrogate code points, and line separators. */
const UNPRINTABLE = /[\p{C}\u2028\u2029]/u;

/** "1,000,000": a count as people read it. */
export const groupDigits = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A short quotation of what was typed, for a message (never the whole of a huge paste). */
function typed(text: string): string {
  const chars = [...text];
  return `“${chars.length > 30 ? `${chars.slice(0, 30).join('')}…` : text}”`;
}

/** Trimmed and compatibility-normalised text (fullwidth digits and signs become ASCII), or a problem. */
function clean(text: string, what: string): { text: string } | { problem: string } {
  if (text.length > MAX_INPUT_LENGTH) return { problem: `${what} (this is far too long to be one)` };
  const cleaned = text.replace(INVISIBLE, '').normalize('NFKC').trim();
  if (UNPRINTABLE.test(cleaned)) return { problem: `${what} (this contains invisible control characters)` };
  return { text: cleaned };
}

// ───────────────────────────── counts ─────────────────────────────

/** "a whole number from 1 to 1,000,000". */
export const countExpectation = (min: number, max: number): string =>
  `a whole number from ${groupDigits(min)} to ${groupDigits(max)}`;

/** Digits, optionally grouped by threes with commas, spaces or apostrophes (never dots: 1.200 is ambiguous). */
const GROUPED = /^\d{1,3}(?:([,' \u00a0\u202f\u2009])\d{3})(?:\1\d{3})*$/;

/** A count (seats, users): ` 140 ` → 140, `1,200` → 1200. */
export function readCount(text: string, options: { min?: number; max?: number } = {}): Reading<number> {
  const min = options.min ?? 0;
  const max = options.max ?? MAX_SEATS;
  const expected = countExpectation(min, max);
  const c = clean(text, expected);
  if ('problem' in c) return refuse(c.problem);
  const t = c.text;
  if (t === '') return read(null);
  if (t.length > 40) return refuse(`${expected} (this is too long to be one)`);
  let digits: string;
  if (/^\d+$/.test(t)) digits = t;
  else if (GROUPED.test(t)) digits = t.replace(/\D/g, '');
  else if (/^[-−]\s*\d/.test(t)) return refuse(`${expected} (${typed(t)} is below ${groupDigits(min)})`);
  else if (/^\d[\d,]*\.\d+$/.test(t))
    return refuse(`${expected} (${typed(t)} has a dot: write whole numbers like 1200 or 1,200)`);
  else return refuse(`${expected} (${typed(t)} is not a number)`);
  const value = Number(digits);
  if (!Number.isSafeInteger(value) || value > max)
    return refuse(`${expected} (${typed(t)} is above ${groupDigits(max)})`);
  if (value < min) return refuse(`${expected} (${typed(t)} is below ${groupDigits(min)})`);
  return read(value, String(value) === text.trim() ? null : String(value));
}

// ───────────────────────────── ticket ids ─────────────────────────────

export interface TicketRef {
  id: string;
  /** The ticket's link, when a link was pasted (http or https, without credentials). */
  url: string | null;
}

const TICKET_EXPECTED = 'the ticket number, like 50300, or the ticket’s link';
/** Zendesk's agent and Help Center paths of one ticket. */
const TICKET_PATH =
  /^\/(?:agent\/tickets|tickets|hc(?:\/[a-z]{2}(?:-[a-z0-9]{2,4})?)?\/requests)\/(\d{1,20})(?:\/|$)/i;

/** A ticket id: `50300`, `#50300`, `ticket 50300`, or a pasted ticket link. */
export function readTicket(text: string): Reading<TicketRef> {
  const c = clean(text, TICKET_EXPECTED);
  if ('problem' in c) return refuse(c.problem);
  const t = c.text;
  if (t === '') return read(null);
  const number = /^(?:ticket\s*)?#\s*(\d{1,20})$|^ticket\s+(\d{1,20})$/i.exec(t);
  if (number) {
    const id = (number[1] ?? number[2]) as string;
    return read({ id, url: null }, `ticket ${id}`);
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(t) || /^[^/\s]+\.[^/\s]+\//.test(t)) return ticketFromLink(t);
  if (t.length > TICKET_ID_MAX_LENGTH)
    return refuse(`${TICKET_EXPECTED} (${typed(t)} is longer than ${TICKET_ID_MAX_LENGTH} characters)`);
  if (!/^[A-Za-z0-9._-]+$/.test(t))
    return refuse(`${TICKET_EXPECTED} (letters, digits, “.”, “_” and “-” only; ${typed(t)} has others)`);
  return read({ id: t, url: null }, t === text.trim() ? null : `ticket ${t}`);
}

function ticketFromLink(text: string): Reading<TicketRef> {
  let url: URL;
  try {
    url = new URL(
      /^https?:\/\//i.test(text) ? text : /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`,
    );
  } catch {
    return refuse(`${TICKET_EXPECTED} (${typed(text)} is not a link Lifeline can read)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return refuse(`${TICKET_EXPECTED} (only http and https links are read)`);
  if (url.username !== '' || url.password !== '')
    return refuse(`${TICKET_EXPECTED} (a link with a user name or password is not read)`);
  const path = TICKET_PATH.exec(url.pathname);
  if (!path)
    return refuse(`${TICKET_EXPECTED} (this link does not name a ticket, like …/agent/tickets/50300)`);
  const id = path[1] as string;
  return read({ id, url: `${url.origin}/agent/tickets/${id}` }, `ticket ${id} (from its link)`);
}

// ───────────────────────────── email addresses ─────────────────────────────

const EMAIL_EXPECTED = 'one email address, like ops@example.com';

/** The letters of a domain label by script, to tell a look-alike (Latin mixed with Cyrillic or Greek). */
const SCRIPTS: [string, RegExp][] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
];

function mixedScripts(domain: string): string[] | null {
  for (const label of domain.split('.')) {
    const found = SCRIPTS.filter(([, re]) => re.test(label)).map(([name]) => name);
    if (found.length > 1) return found;
  }
  return null;
}

/** The address inside `Name <addr>`, `mailto:addr`, `"addr",` or `addr (comment)`. */
function addressPart(text: string): string {
  let t = text;
  const angled = /<([^<>]*)>\s*[,;]?\s*$/.exec(t);
  if (angled) t = angled[1] as string;
  if (/^mailto:/i.test(t)) t = t.slice('mailto:'.length).replace(/\?.*$/s, '');
  t = t.replace(/\s*\([^()]*\)\s*$/, '');
  t = t.replace(/^[\s"'“‘(]+|[\s"'”’),;.:]+$/g, '');
  return t;
}

/** An email address: display names, `mailto:` and trailing punctuation dropped, the domain in punycode. */
export function readEmail(text: string): Reading<string> {
  const c = clean(text, EMAIL_EXPECTED);
  if ('problem' in c) return refuse(c.problem);
  if (c.text === '') return read(null);
  if (c.text.length > EMAIL_MAX_LENGTH * 4) return refuse(`${EMAIL_EXPECTED} (this is too long to be one)`);
  const address = addressPart(c.text);
  if (/[,;]/.test(address) || (address.match(/@/g) ?? []).length > 1)
    return refuse(`${EMAIL_EXPECTED} (only one address: ${typed(address)} looks like several)`);
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1)
    return refuse(`${EMAIL_EXPECTED} (${typed(address)} has no name before or domain after “@”)`);
  const local = address.slice(0, at).toLowerCase();
  const unicodeDomain = address
    .slice(at + 1)
    .replace(/[\u3002\uff0e\uff61]/g, '.')
    .toLowerCase();
  if (/[^\x21-\x7e]/.test(local))
    return refuse(`${EMAIL_EXPECTED} (the part before “@” may use only plain letters, digits and . _ - +)`);
  if (!/^[\p{L}\p{M}\p{N}.-]+$/u.test(unicodeDomain))
    return refuse(`${EMAIL_EXPECTED} (the part after “@” must be a domain name, like example.com)`);
  let domain = unicodeDomain;
  let warning: string | null = null;
  if (/[^\x21-\x7e]/.test(unicodeDomain)) {
    try {
      // The WHATWG URL parser applies UTS #46: the domain as mail servers and the API take it.
      domain = new URL(`http://${unicodeDomain}`).hostname;
    } catch {
      return refuse(`${EMAIL_EXPECTED} (the domain ${typed(unicodeDomain)} cannot be written for email)`);
    }
    const mixed = mixedScripts(unicodeDomain);
    warning = mixed
      ? `The domain mixes ${mixed.join(' and ')} letters: check that it is the customer’s real domain, not a look-alike.`
      : null;
  }
  const email = `${local}@${domain}`;
  if (email.length > EMAIL_MAX_LENGTH)
    return refuse(`${EMAIL_EXPECTED} (it may be at most ${EMAIL_MAX_LENGTH} characters long)`);
  const problem = emailSyntaxProblem(email);
  if (problem !== null) return refuse(`${EMAIL_EXPECTED} (${problem})`);
  const understood =
    email === text.trim().toLowerCase()
      ? null
      : domain === unicodeDomain
        ? email
        : `${email} (${unicodeDomain}, written for email)`;
  return read(email, understood, warning);
}
