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

/** The zone times are shown in: the server's support time zone once the console knows it. */
let displayZone = 'UTC';

/** Sets the zone of formatInstant (an IANA name); an unknown one leaves UTC. */
export function setDisplayTimeZone(zone: string | null | undefined): void {
  if (!zone) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    displayZone = zone;
  } catch {
    displayZone = 'UTC';
  }
}

/** "2026-11-28 11:04 GMT+1" from an ISO instant, in the display zone ("UTC" in UTC). */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: displayZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']} ${parts['timeZoneName']}`;
}

/** Seconds as people read a duration: "42 s", "3 min 5 s", "2 h 10 min". */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${Math.round(seconds * 10) / 10} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const minutes = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ''}`;
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
