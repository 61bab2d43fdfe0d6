/** Dates and labels for display. Calendar dates are YYYY-MM-DD strings handled in UTC. */

const DAY_MS = 86_400_000;

export function parseDate(date: string | null | undefined): number | null {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? null : ms;
}

export function addDays(date: string, days: number): string {
  const ms = parseDate(date);
  if (ms === null) return date;
  return new Date(ms + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  const a = parseDate(from);
  const b = parseDate(to);
  return a === null || b === null ? 0 : Math.round((b - a) / DAY_MS);
}

/** "2026-11-28 10:04 UTC" from an ISO instant. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** Today in UTC as YYYY-MM-DD (only a default for filters; the API decides eligibility dates). */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

export const STATUS_LABELS: Record<string, string> = {
  issued: 'Issued',
  pending_approval: 'Pending approval',
  rejected: 'Rejected',
  refused: 'Refused',
  failed: 'Failed',
  voided: 'Voided',
};

export const DELIVERY_LABELS: Record<string, string> = {
  queued: 'Queued',
  claimed: 'Sending',
  sending: 'Sending',
  sent: 'Done',
  failed: 'Failed',
  unknown: 'Outcome unknown',
};

/** Deliveries still moving: the progress view keeps polling while any is in one of these. */
export const IN_FLIGHT = new Set(['queued', 'claimed', 'sending']);

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** An http(s) address to link to, or null: a stored URL of another scheme (`javascript:`) is never a link. */
export function webHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}
