/**
 * Data retention (pure): which records a purge may touch, and what a customer's personal data in
 * them is replaced with. The store applies it (src/adapters/store/retention.ts); `now` is an input.
 *
 * Personal data of a customer: the requester's email, the licensee's name, email and company from a
 * previous license (the evidence), the license text itself (it carries the licensee), and any email
 * address or known personal value quoted in free text (reasons, delivery errors, tracker bodies).
 * Kept: ids, ticket ids and URLs, tracker links, fingerprints, seats, dates, statuses, staff names.
 */
import type { Json, JsonObject } from './license/attributes.js';
import type { Evidence, RequestStatus } from './ports.js';
import { markdownText } from './text/gitlab-markdown.js';
import { htmlText } from './text/html.js';
import { slackText } from './text/slack-mrkdwn.js';

export const REDACTED = '[redacted]';
/** What a purged license's text becomes (the fingerprint stays, so lookups by fingerprint still work). */
export const REDACTED_LICENSE_TEXT = '[redacted: license text removed by the retention purge]';

const DAY_MS = 86_400_000;
/** The longest retention a duration may name (100 years). */
export const MAX_RETENTION_DAYS = 36_500;

/**
 * A retention period: `N` or `Nd` days, `Nw` weeks, `Ny` years (365 days). Null when not one.
 */
export function parseRetentionDays(text: string): number | null {
  const m = /^\s*([0-9]{1,6})\s*([dwy]?)\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const days = unit === 'w' ? n * 7 : unit === 'y' ? n * 365 : n;
  return days >= 1 && days <= MAX_RETENTION_DAYS ? days : null;
}

/** Records created strictly before this instant (ISO 8601) are past retention. */
export function retentionCutoff(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

/**
 * Why a retention period is too short to use, or null. Rule 9 (one emergency license per customer
 * per repeat window) compares requester emails, so they must be kept at least that long.
 */
export function retentionTooShort(days: number, repeatWindowDays: number): string | null {
  return days < repeatWindowDays
    ? `must be at least the repeat window (${repeatWindowDays} days, LIFELINE_REPEAT_WINDOW_DAYS): rule 9 compares the emails of that period`
    : null;
}

/** Statuses a purge leaves alone whatever their age: a decision is still awaited. */
export const PURGE_EXEMPT_STATUSES: readonly RequestStatus[] = ['pending_approval'];

export interface PurgeCandidate {
  createdAt: string;
  status: RequestStatus;
  requesterEmail: string;
  /** Deliveries still queued, claimed or sending. */
  pendingDeliveries: number;
}

export type PurgeVerdict = 'purge' | 'recent' | 'already_purged' | 'awaiting_decision' | 'delivering';

export function purgeVerdict(candidate: PurgeCandidate, cutoff: string): PurgeVerdict {
  if (!(candidate.createdAt < cutoff)) return 'recent';
  if (candidate.requesterEmail === REDACTED) return 'already_purged';
  if (PURGE_EXEMPT_STATUSES.includes(candidate.status)) return 'awaiting_decision';
  if (candidate.pendingDeliveries > 0) return 'delivering';
  return 'purge';
}

// ───────────────────────────── scrubbing text ─────────────────────────────

/** An email address, also as GitLab Markdown writes it (`ops\_x\@acme.example`). */
const EMAIL =
  /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\\-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+/g;

/** A value as it is written in each delivery's format (the tracker's, chat's and ticket's texts). */
const writtenForms = (value: string): string[] =>
  value.includes('\n') ? [value] : [value, markdownText(value), slackText(value), htmlText(value)];

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` with every occurrence of a known personal value (case-insensitive; values shorter than 3
 * characters are ignored) and every email address replaced by REDACTED. Longer values first, so a
 * license text is removed whole before anything inside it.
 */
export function scrubText(text: string, known: readonly string[]): string {
  let out = text;
  const values = [...new Set(known.flatMap((k) => writtenForms(k.trim())).filter((k) => k.length >= 3))].sort(
    (a, b) => b.length - a.length,
  );
  for (const value of values) {
    // A license text may be quoted with other line endings or indentation: match it line by line too.
    out = out.replace(new RegExp(escapeRegExp(value), 'gi'), REDACTED);
    if (value.includes('\n')) {
      for (const line of value.split(/\r?\n/)) {
        const l = line.trim();
        if (l.length >= 20) out = out.split(l).join(REDACTED);
      }
    }
  }
  return out.replace(EMAIL, REDACTED);
}

/** Every string in a JSON value scrubbed as by scrubText. */
export function scrubJson(value: Json, known: readonly string[]): Json {
  if (typeof value === 'string') return scrubText(value, known);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, known));
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubJson(v, known);
    return out;
  }
  return value;
}

// ───────────────────────────── a request's personal values ─────────────────────────────

function licenseeValues(json: Json | undefined): string[] {
  if (json === null || json === undefined || typeof json !== 'object' || Array.isArray(json)) return [];
  const licensee = json['licensee'];
  if (licensee === null || licensee === undefined || typeof licensee !== 'object' || Array.isArray(licensee))
    return [];
  return Object.values(licensee).filter((v): v is string => typeof v === 'string');
}

/** The personal values a request's records may quote: scrubbed from every text of the request. */
export function personalValues(input: {
  requesterEmail: string;
  evidence: Evidence | null;
  licenseEmail?: string | null;
  licenseText?: string | null;
}): string[] {
  const previous = input.evidence?.previousLicense ?? null;
  return [
    input.requesterEmail,
    input.licenseEmail ?? '',
    input.licenseText ?? '',
    previous?.licenseeEmail ?? '',
    previous?.licenseeCompany ?? '',
    ...licenseeValues(previous?.json),
  ].filter((v) => v !== '' && v !== REDACTED);
}

/**
 * The evidence without personal data: the previous license's licensee (name, email, company) is
 * replaced, its fingerprint, plan, dates and seats are kept (they are what eligibility was decided on).
 */
export function redactEvidence(evidence: Evidence, known: readonly string[]): Evidence {
  const previous = evidence.previousLicense;
  if (!previous) return evidence;
  const json = scrubJson(previous.json, known) as JsonObject;
  const licensee = json['licensee'];
  if (licensee !== null && typeof licensee === 'object' && !Array.isArray(licensee)) {
    const replaced: JsonObject = {};
    for (const [k, v] of Object.entries(licensee)) replaced[k] = typeof v === 'string' ? REDACTED : v;
    json['licensee'] = replaced;
  }
  return {
    ...evidence,
    previousLicense: {
      ...previous,
      json,
      licenseeEmail: previous.licenseeEmail === null ? null : REDACTED,
      licenseeCompany: previous.licenseeCompany === null ? null : REDACTED,
    },
  };
}

// ───────────────────────────── screenshots ─────────────────────────────

/**
 * A kept screenshot read (issue 21: the images and what was read from them) is deleted whole once
 * past the cutoff, unless a request still awaiting a licensing decision refers to it (licensing
 * may want to look at the screenshots before approving).
 */
export function evidencePurgeVerdict(
  evidence: { createdAt: string; usedByWaitingRequest: boolean },
  cutoff: string,
): 'purge' | 'recent' | 'awaiting_decision' {
  if (!(evidence.createdAt < cutoff)) return 'recent';
  return evidence.usedByWaitingRequest ? 'awaiting_decision' : 'purge';
}
