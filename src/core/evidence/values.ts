/**
 * Values as GitLab prints them, from OCR'd text: dates (`Mar 7, 2026`, `2026-03-07`, day-first
 * `07-03-2026`), user counts with thousands separators, plan names, emails, names, the version.
 * Each parser takes the text of one value and returns the value with a factor (≤ 1) by which the
 * reader's confidence is lowered when the text had to be read leniently; null when it is not such
 * a value. Nothing is corrected into a different value.
 */
import { calendarDateFromParts, type CalendarDate } from '../dates.js';
import { isEmailAddress } from '../limits.js';
import type { EvidencePlan } from './types.js';

export interface ParsedValue<T> {
  value: T;
  /** Multiplies the OCR confidence: 1 for text read exactly as GitLab writes it. */
  factor: number;
}

/** OCR often adds stray marks from borders and icons at the ends of a value. */
const EDGE_NOISE = /^[\s|:;!'"`‘’“”«»()[\]{}_~•·*]+|[\s|:;!'"`‘’“”«»()[\]{}_~•·*]+$/gu;

function clean(text: string): { text: string; trimmed: boolean } {
  const normalized = text.normalize('NFKC').replace(/\s+/g, ' ');
  const stripped = normalized.replace(EDGE_NOISE, '');
  return { text: stripped, trimmed: stripped !== normalized.trim() };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** "Mar", "Mar.", "March", "Sept" → 1–12; anything else null. */
function monthOf(word: string): number | null {
  const w = word.toLowerCase().replace(/\.$/, '');
  const full = MONTH_NAMES.indexOf(w);
  if (full >= 0) return full + 1;
  if (w === 'sept') return 9;
  const short = MONTHS.indexOf(w);
  return short >= 0 ? short + 1 : null;
}

const MONTH_FIRST = /^([A-Za-z]{3,9}\.?)\s*(\d{1,2})(?:st|nd|rd|th)?\s*([,.]?)\s*(\d{4})$/;
const DAY_MONTH = /^(\d{1,2})\s+([A-Za-z]{3,9}\.?)\s*,?\s*(\d{4})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_FIRST = /^(\d{1,2})-(\d{1,2})-(\d{4})$/;

/** Below high confidence: a day-first date whose day could also be a month (07-03-2026). */
export const AMBIGUOUS_DATE_FACTOR = 0.85;

export function parseDateText(raw: string): ParsedValue<CalendarDate> | null {
  const { text, trimmed } = clean(raw);
  const lenient = trimmed ? 0.95 : 1;
  let m = MONTH_FIRST.exec(text);
  if (m) {
    const month = monthOf(m[1] as string);
    const date = month && calendarDateFromParts(Number(m[4]), month, Number(m[2]));
    // GitLab writes "Mar 7, 2026": a missing or different comma is read, a little less sure.
    return date ? { value: date, factor: lenient * (m[3] === ',' ? 1 : 0.95) } : null;
  }
  m = DAY_MONTH.exec(text);
  if (m) {
    const month = monthOf(m[2] as string);
    const date = month && calendarDateFromParts(Number(m[3]), month, Number(m[1]));
    return date ? { value: date, factor: lenient } : null;
  }
  m = ISO.exec(text);
  if (m) {
    const date = calendarDateFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
    return date ? { value: date, factor: lenient } : null;
  }
  m = DAY_FIRST.exec(text);
  if (m) {
    const day = Number(m[1]);
    const month = Number(m[2]);
    const date = calendarDateFromParts(Number(m[3]), month, day);
    if (!date) return null;
    const ambiguous = day <= 12 && day !== month;
    return { value: date, factor: lenient * (ambiguous ? AMBIGUOUS_DATE_FACTOR : 1) };
  }
  return null;
}

/** A count as GitLab prints it: "1,250", "12 500" (narrow spaces too), "87"; optionally "users". */
const GROUPED = /^(\d{1,3})((?:[,.\u00a0\u2009\u202f ]\d{3})+)(?:\s+users?)?$/i;
const PLAIN = /^(\d{1,9})(?:\s+users?)?$/i;

/** Counts above this are not user counts (GitLab's license format has the same ceiling). */
const MAX_COUNT = 100_000_000;

export function parseCountText(raw: string): ParsedValue<number> | null {
  const { text, trimmed } = clean(raw);
  const lenient = trimmed ? 0.95 : 1;
  const grouped = GROUPED.exec(text);
  if (grouped) {
    const value = Number((grouped[1] as string) + (grouped[2] as string).replace(/\D/g, ''));
    // A comma is what GitLab writes; a dot or a space read in its place is a little less sure.
    const separators = (grouped[2] as string).replace(/\d/g, '');
    return value <= MAX_COUNT ? { value, factor: lenient * (/^,+$/.test(separators) ? 1 : 0.95) } : null;
  }
  const plain = PLAIN.exec(text);
  if (!plain) return null;
  const digits = plain[1] as string;
  if (digits.length > 1 && digits.startsWith('0')) return null;
  const value = Number(digits);
  // A long run of digits without separators: GitLab groups thousands, so a separator was lost.
  const factor = lenient * (value >= 10_000 ? 0.9 : 1);
  return value <= MAX_COUNT ? { value, factor } : null;
}

const PLAN_WORDS: Record<string, EvidencePlan> = {
  starter: 'starter',
  bronze: 'starter',
  premium: 'premium',
  silver: 'premium',
  ultimate: 'ultimate',
  gold: 'ultimate',
  free: 'free',
  core: 'free',
};

/** "Premium", "Ultimate Trial", "GitLab Enterprise Edition Premium", "Gold" → a plan; else null. */
export function parsePlanText(raw: string): ParsedValue<EvidencePlan> | null {
  const { text, trimmed } = clean(raw);
  const words = text
    .toLowerCase()
    .split(/[\s\-–—/]+/)
    .filter(Boolean);
  const found = new Set(
    words.map((w) => PLAN_WORDS[w.replace(/[^a-z]/g, '')]).filter((p) => p !== undefined),
  );
  if (found.size !== 1) return null;
  const plan = [...found][0] as EvidencePlan;
  // Every other word must be one GitLab puts around a plan name, so a sentence is not a plan.
  const allowed = new Set([
    'gitlab',
    'enterprise',
    'edition',
    'ee',
    'self',
    'managed',
    'selfmanaged',
    'plan',
    'trial',
    'license',
    'subscription',
    'sm',
  ]);
  const others = words.filter((w) => PLAN_WORDS[w.replace(/[^a-z]/g, '')] === undefined);
  if (others.some((w) => !allowed.has(w.replace(/[^a-z]/g, '')))) return null;
  const trial = others.some((w) => w.replace(/[^a-z]/g, '') === 'trial');
  const factor = trimmed ? 0.95 : 1;
  if (!trial) return { value: plan, factor };
  if (plan === 'premium' || plan === 'ultimate') return { value: `${plan}_trial`, factor };
  return null;
}

/** An address by the core's one email syntax, whose last label is letters (a misread digit is not a TLD). */
export function parseEmailText(raw: string): ParsedValue<string> | null {
  const { text, trimmed } = clean(raw);
  const compact = text.replace(/\s*([@.])\s*/g, '$1');
  if (!isEmailAddress(compact) || !/\.[A-Za-z]{2,}$/.test(compact)) return null;
  return { value: compact, factor: (trimmed ? 0.95 : 1) * (compact === text ? 1 : 0.9) };
}

/**
 * Free text (a licensee's name or company): at least one letter, at most 200 characters, and not
 * one of the page's own labels (a table header read beside a label is not a name).
 */
export function parseFreeText(raw: string, labels: ReadonlySet<string>): ParsedValue<string> | null {
  const { text, trimmed } = clean(raw);
  if (text.length === 0 || text.length > 200 || !/\p{L}/u.test(text)) return null;
  if (labels.has(text.toLowerCase())) return null;
  return { value: text, factor: trimmed ? 0.95 : 1 };
}

const VERSION = /^v?(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:-(ee|ce|pre|rc\d+))?$/i;

/** "16.5.1-ee", "v13.12.3", "17.0.0-pre" → the version as written, without a leading "v". */
export function parseVersionText(raw: string): ParsedValue<string> | null {
  const { text, trimmed } = clean(raw);
  const first = text.split(' ')[0] ?? '';
  const m = VERSION.exec(first);
  if (!m) return null;
  const value = `${m[1]}.${m[2]}.${m[3]}${m[4] ? `-${m[4].toLowerCase()}` : ''}`;
  return { value, factor: trimmed ? 0.95 : 1 };
}
