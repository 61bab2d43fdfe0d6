/**
 * License attributes: loading them the way gitlab-license 2.x does (`load_attributes`), checking
 * them the way its `valid?` does, and writing them back in the gem's key order (`attributes`).
 *
 * Three shapes appear here:
 *  - the license JSON (`LicenseJson`): what is encrypted inside a file, with the gem's key names;
 *  - `LoadedAttributes`: what the gem holds after loading, including values `valid?` will refuse;
 *  - `License`: a valid license with typed fields, what the rest of Lifeline works with.
 */
import { calendarDateFromParts, type CalendarDate } from '../dates.js';

/** The seven booleans of gem 2.x, always written, false unless exactly `true`. */
export const LICENSE_FLAGS = [
  'cloud_licensing_enabled',
  'offline_cloud_licensing_enabled',
  'auto_renew_enabled',
  'seat_reconciliation_enabled',
  'operational_metrics_enabled',
  'generated_from_customers_dot',
  'generated_from_cancellation',
] as const;
export type LicenseFlag = (typeof LICENSE_FLAGS)[number];

const DATE_FIELDS = [
  'issued_at',
  'expires_at',
  'notify_admins_at',
  'notify_users_at',
  'block_changes_at',
] as const;
const DATETIME_FIELDS = ['last_synced_at', 'next_sync_at', 'activated_at'] as const;
type DateField = (typeof DATE_FIELDS)[number];
type DateTimeField = (typeof DATETIME_FIELDS)[number];

/** A JSON value as JSON.parse returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The license JSON, as written inside a license file (keys in the gem's order when Lifeline writes). */
export type LicenseJson = JsonObject;

/** A date-time as the gem re-exports it: "YYYY-MM-DDTHH:MM:SS+00:00". */
export type LicenseDateTime = string & { readonly __licenseDateTime: unique symbol };

/**
 * What the gem holds after `load_attributes`. A date field is a parsed date, null when absent or
 * unparseable (the gem drops those), or the raw non-string value (e.g. a number), which `valid?`
 * then refuses.
 */
export interface LoadedAttributes {
  version: 1;
  licensee: Json | undefined;
  dates: Record<DateField, CalendarDate | Json | null>;
  dateTimes: Record<DateTimeField, LicenseDateTime | Json | null>;
  flags: Record<LicenseFlag, boolean>;
  restrictions: JsonObject | null;
}

/** Restrictions GitLab reads; every other key is kept as it is. */
export type Restrictions = JsonObject;

/** A license that passed the gem's `valid?`, with typed fields. */
export interface License {
  version: 1;
  licensee: JsonObject;
  issuedAt: CalendarDate;
  expiresAt: CalendarDate | null;
  notifyAdminsAt: CalendarDate | null;
  notifyUsersAt: CalendarDate | null;
  blockChangesAt: CalendarDate | null;
  nextSyncAt: LicenseDateTime | null;
  lastSyncedAt: LicenseDateTime | null;
  activatedAt: LicenseDateTime | null;
  flags: Record<LicenseFlag, boolean>;
  restrictions: Restrictions | null;
}

export type LoadFailure = { kind: 'not-object' } | { kind: 'version'; version: Json | undefined };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Ruby truthiness: everything but nil and false. */
const present = (v: Json | undefined): v is Json => v !== undefined && v !== null && v !== false;

/**
 * Ruby's `Date.parse` for the forms license tooling writes: ISO 8601 dates ("2026-01-10",
 * "2026-1-5", "2026/01/10") optionally followed by a time, and compact "20260110". Other text the
 * gem might still make sense of is treated as unparseable (dropped), which can only make Lifeline
 * stricter than the gem, never more lenient.
 */
export function parseLicenseDate(text: string): CalendarDate | null {
  const m =
    /^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[T\s])/.exec(text) ??
    /^\s*(\d{4})(\d{2})(\d{2})\s*$/.exec(text);
  if (!m) return null;
  return calendarDateFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Ruby's `DateTime.parse` for ISO 8601 date-times, normalised to the gem's re-export form. */
export function parseLicenseDateTime(text: string): LicenseDateTime | null {
  const m =
    /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?\s*$/.exec(
      text,
    );
  if (!m) return null;
  const date = calendarDateFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
  const [hh, mm, ss] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (!date || hh > 23 || mm > 59 || ss > 59) return null;
  let offset = '+00:00';
  const zone = m[7];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return null;
    offset = `${zone[0]}${String(oh).padStart(2, '0')}:${String(om).padStart(2, '0')}`;
  }
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${date}T${two(hh)}:${two(mm)}:${two(ss)}${offset}` as LicenseDateTime;
}

/** `load_attributes`: never throws; a non-object or a version other than 1 is a failure. */
export function loadAttributes(
  raw: unknown,
): { ok: true; value: LoadedAttributes } | { ok: false; error: LoadFailure } {
  if (!isJsonObject(raw)) return { ok: false, error: { kind: 'not-object' } };
  const version = raw['version'];
  // `attributes['version'] || 1`, then `version == 1` (Ruby: 1 == 1.0, "1" != 1).
  if (present(version) && version !== 1) return { ok: false, error: { kind: 'version', version } };

  const dates = {} as LoadedAttributes['dates'];
  for (const field of DATE_FIELDS) {
    const v = raw[field];
    dates[field] = typeof v === 'string' ? parseLicenseDate(v) : present(v) ? v : null;
  }
  const dateTimes = {} as LoadedAttributes['dateTimes'];
  for (const field of DATETIME_FIELDS) {
    const v = raw[field];
    dateTimes[field] = typeof v === 'string' ? parseLicenseDateTime(v) : present(v) ? v : null;
  }
  const flags = {} as Record<LicenseFlag, boolean>;
  for (const flag of LICENSE_FLAGS) flags[flag] = raw[flag] === true;
  const restrictions = raw['restrictions'];
  return {
    ok: true,
    value: {
      version: 1,
      licensee: raw['licensee'],
      dates,
      dateTimes,
      flags,
      restrictions: isJsonObject(restrictions) ? restrictions : null,
    },
  };
}

/** Ruby's `to_s` as far as the team-license test needs it. */
function rubyString(v: Json | undefined): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function isTeamLicense(licensee: JsonObject): boolean {
  const company = rubyString(licensee['Company']);
  const email = rubyString(licensee['Email']);
  return /gitlab/i.test(company) && (email.endsWith('@gitlab.com') || email.endsWith('@jihulab.com'));
}

/** Why `valid?` refuses: the field and the rule, in the gem's order of checks. */
export interface ValidationProblem {
  field: string;
  rule: string;
}

const isDate = (v: unknown): v is CalendarDate => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
const isDateTime = (v: unknown): v is LicenseDateTime =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v);

/** The gem 2.x `valid?`, returning the first failing rule (null when valid). */
export function validateAttributes(a: LoadedAttributes): ValidationProblem | null {
  const licensee = a.licensee;
  if (!isJsonObject(licensee) || Object.keys(licensee).length === 0) {
    return { field: 'licensee', rule: 'must be a non-empty object' };
  }
  if (!isDate(a.dates.issued_at)) return { field: 'issued_at', rule: 'must be a date (YYYY-MM-DD)' };
  const expires = a.dates.expires_at;
  if (expires === null && !isTeamLicense(licensee)) {
    return { field: 'expires_at', rule: 'is required (only GitLab and JiHu team licenses may omit it)' };
  }
  for (const field of DATE_FIELDS) {
    const v = a.dates[field];
    if (v !== null && !isDate(v)) return { field, rule: 'must be a date (YYYY-MM-DD)' };
  }
  for (const field of DATETIME_FIELDS) {
    const v = a.dateTimes[field];
    if (v !== null && !isDateTime(v)) return { field, rule: 'must be a date-time' };
  }
  if (!a.flags.cloud_licensing_enabled && a.flags.offline_cloud_licensing_enabled) {
    return { field: 'offline_cloud_licensing_enabled', rule: 'requires cloud_licensing_enabled' };
  }
  return null;
}

/** The gem's `attributes`: the JSON it writes (export) and re-exports (verify), in its key order. */
export function toLicenseJson(a: LoadedAttributes): LicenseJson {
  const out: LicenseJson = { version: a.version, licensee: a.licensee ?? null, issued_at: a.dates.issued_at };
  for (const field of ['expires_at', 'notify_admins_at', 'notify_users_at', 'block_changes_at'] as const) {
    const v = a.dates[field];
    if (v !== null) out[field] = v;
  }
  if (a.dateTimes.next_sync_at !== null) {
    out['next_sync_at'] = a.dateTimes.next_sync_at;
    out['last_synced_at'] = a.dateTimes.last_synced_at;
  }
  if (a.dateTimes.activated_at !== null) out['activated_at'] = a.dateTimes.activated_at;
  for (const flag of LICENSE_FLAGS) out[flag] = a.flags[flag];
  if (a.restrictions && Object.keys(a.restrictions).length > 0) out['restrictions'] = a.restrictions;
  return out;
}

/** The typed view of attributes that passed `validateAttributes`. */
export function toLicense(a: LoadedAttributes): License {
  const date = (v: unknown): CalendarDate | null => (isDate(v) ? v : null);
  const dateTime = (v: unknown): LicenseDateTime | null => (isDateTime(v) ? v : null);
  return {
    version: 1,
    licensee: isJsonObject(a.licensee) ? a.licensee : {},
    issuedAt: date(a.dates.issued_at) as CalendarDate,
    expiresAt: date(a.dates.expires_at),
    notifyAdminsAt: date(a.dates.notify_admins_at),
    notifyUsersAt: date(a.dates.notify_users_at),
    blockChangesAt: date(a.dates.block_changes_at),
    nextSyncAt: dateTime(a.dateTimes.next_sync_at),
    lastSyncedAt: dateTime(a.dateTimes.last_synced_at),
    activatedAt: dateTime(a.dateTimes.activated_at),
    flags: { ...a.flags },
    restrictions: a.restrictions && Object.keys(a.restrictions).length > 0 ? a.restrictions : null,
  };
}

/** `plan` from the restrictions; GitLab treats a missing plan as "starter". */
export function licensePlan(license: Pick<License, 'restrictions'>): string {
  const plan = license.restrictions?.['plan'];
  return typeof plan === 'string' && plan !== '' ? plan : 'starter';
}

/** `trial` from the restrictions: true, false, or null when the key is absent. */
export function licenseTrial(license: Pick<License, 'restrictions'>): boolean | null {
  const trial = license.restrictions?.['trial'];
  return trial === undefined || trial === null ? null : trial === true;
}

/** `active_user_count` from the restrictions (seats), or null. */
export function licenseSeats(license: Pick<License, 'restrictions'>): number | null {
  const n = license.restrictions?.['active_user_count'];
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** A licensee field as a string ("" when absent or not a string). */
export function licenseeField(license: Pick<License, 'licensee'>, key: 'Name' | 'Company' | 'Email'): string {
  const v = license.licensee[key];
  return typeof v === 'string' ? v : '';
}
