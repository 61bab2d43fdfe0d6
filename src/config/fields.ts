/**
 * The building blocks of the configuration table (src/config.ts): each variable's spec and the
 * field schemas they share. Every schema receives a trimmed, non-empty string, or undefined when the
 * variable is unset; messages never contain the value (`(got "…")` is added centrally, only for
 * variables that are not secret).
 */
import { z } from 'zod';
import { parseCalendarDate, type CalendarDate } from '../core/dates.js';
import { isEmailAddress } from '../core/limits.js';
import type { DatabaseConfig } from './general.js';

export type ConfigGroup =
  'general' | 'keys' | 'rules' | 'http' | 'mail' | 'tracker' | 'chat' | 'tickets' | 'oidc' | 'operations';

/** One variable of the contract, as documentation (the .env.example and docs are made from these). */
export interface ConfigVariable {
  name: string;
  /** What applies when the variable is unset, in words or as the literal value; null when nothing does. */
  default: string | null;
  description: string;
  secret: boolean;
  group: ConfigGroup;
}

export interface Spec<T> extends Omit<ConfigVariable, 'name'> {
  schema: z.ZodType<T, string | undefined>;
  /** Whether a failing value is quoted in its problem (never for secrets; lists name their bad entries). */
  echo?: boolean;
}
export const spec = <T>(s: Spec<T>): Spec<T> => s;

/** The parsed values of a table of specs. */
export type ValuesOf<S> = { [K in keyof S]: S[K] extends Spec<infer T> ? T : never };

/** What a group's rules between its variables may use (src/config.ts makes it). */
export interface RuleContext<N extends string> {
  production: boolean;
  /** LIFELINE_ALLOW_LOCAL_DELIVERIES. */
  allowLocal: boolean;
  /** Unset (as opposed to set but invalid, which is already a problem). */
  missing(name: N): boolean;
  problem(name: N, message: string): void;
  requireFor(setting: string, names: N[]): void;
  /** In production (unless local deliveries are allowed), `name` keeping a local delivery is a problem. */
  localRefusal(name: N, value: unknown, what: string, fix: string): void;
}

/** A value the rules made sure of; reaching the throw is a bug. */
export function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('config: a required value was not checked');
  return value;
}

export function tryUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

export const SIGNING_THREADS_RULE = 'must be auto or an integer from 0 to 16';

export function integer(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^[0-9]+$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message));
}

export function decimal(min: number, max: number) {
  const message = `must be a number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  const message = `must be ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
  return z
    .string()
    .toLowerCase()
    .pipe(z.enum(values, { error: message }));
}

export const flag = z
  .string()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1');

/** An absolute URL with one of `protocols` and a host; returned without trailing slashes. */
export function url(protocols: readonly string[], what: string) {
  return z.string().transform((value, ctx) => {
    const parsed = tryUrl(value);
    if (!parsed || !protocols.includes(parsed.protocol) || parsed.hostname === '') {
      ctx.addIssue(`must be ${what}`);
      return z.NEVER;
    }
    return value.replace(/\/+$/, '');
  });
}

export const HTTP_URL = url(['http:', 'https:'], 'an http:// or https:// URL');

export const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** `addr@example.com`, or `Name <addr@example.com>` (the name optionally in double quotes). */
export const mailbox = z.string().refine((value) => {
  if (/[\r\n]/.test(value)) return false;
  const named = /^(?:"[^"\\]*"|[^"<>]*?)\s*<([^<>]+)>$/.exec(value);
  return isEmailAddress(named ? (named[1] ?? '') : value);
}, 'must be an email address, or "Name <address>"');

export const email = z.string().refine(isEmailAddress, 'must be an email address');

/** A comma-separated list; empty entries are dropped. */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const noWhitespace = (what: string) => z.string().regex(/^\S+$/, `must be ${what} without spaces`);

export const databaseUrl = z.string().transform((value, ctx): DatabaseConfig => {
  if (value.startsWith('sqlite:')) {
    // `sqlite:PATH`; `sqlite://PATH` is read the way URLs are written (`sqlite:///abs/path` → `/abs/path`).
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path !== '') return { kind: 'sqlite', path };
    ctx.addIssue('sqlite: needs a file path (sqlite:PATH)');
    return z.NEVER;
  }
  if (/^postgres(ql)?:\/\//.test(value) && tryUrl(value)) return { kind: 'postgres', url: value };
  ctx.addIssue('must be postgres://…, postgresql://… or sqlite:PATH');
  return z.NEVER;
});

const PEM_PRIVATE_KEY =
  /-----BEGIN (RSA )?PRIVATE KEY-----\s*\n[A-Za-z0-9+/=\s]+\n\s*-----END (RSA )?PRIVATE KEY-----/;

export const inlinePem = z.string().transform((value, ctx) => {
  // A PEM squeezed into one line with literal "\n" (common in secret stores) is accepted too.
  const pem = !value.includes('\n') && value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
  if (PEM_PRIVATE_KEY.test(pem)) return pem.trim() + '\n';
  ctx.addIssue(
    /ENCRYPTED PRIVATE KEY/.test(pem)
      ? 'must be an unencrypted PEM private key (this one is encrypted with a passphrase)'
      : 'must be a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)',
  );
  return z.NEVER;
});

export const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as UTC or Europe/Berlin');

export const holidays = z.string().transform((value, ctx) => {
  const entries = list(value);
  const bad = entries.filter((d) => parseCalendarDate(d) === null);
  if (bad.length > 0) {
    const names = bad.map((d) => JSON.stringify(d)).join(', ');
    ctx.addIssue(
      `${names} ${bad.length === 1 ? 'is not a real date' : 'are not real dates'} in YYYY-MM-DD form`,
    );
    return z.NEVER;
  }
  return [...new Set(entries as CalendarDate[])].sort();
});

export const domains = z.string().transform((value, ctx) => {
  const entries = list(value).map((d) => d.toLowerCase().replace(/^@/, ''));
  const bad = entries.filter((d) => !DOMAIN.test(d) || !d.includes('.'));
  if (bad.length > 0 || entries.length === 0) {
    ctx.addIssue(
      bad.length > 0
        ? `${bad.map((d) => JSON.stringify(d)).join(', ')} ${bad.length === 1 ? 'is not a domain' : 'are not domains'}`
        : 'must be a comma-separated list of domains',
    );
    return z.NEVER;
  }
  return [...new Set(entries)];
});
