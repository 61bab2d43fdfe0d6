/** What the request commands share: loading the configuration and the app, and reading inputs. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { createApp, openStore, type App, type CreateAppOptions } from '../app.js';
import { loadConfig } from '../config.js';
import { parseCalendarDate, type CalendarDate } from '../core/dates.js';
import { LifelineError } from '../core/errors.js';
import { readCount, readEmail, readTicket, type Reading } from '../core/forgiving-input.js';
import { MAX_LICENSE_TEXT_LENGTH } from '../core/license/codec.js';
import { ROLES, type Actor, type Role } from '../core/ports.js';

export interface OpenAppOptions extends CreateAppOptions {
  /**
   * Print the app's warnings (a development signing key) on stderr. Only `serve` and the commands
   * that sign a license ask: said everywhere, it would be read nowhere.
   */
  warnings?: boolean;
}

/** Opens the app from the environment; the caller closes it. */
export async function openApp(options: OpenAppOptions = {}): Promise<App> {
  const config = loadConfig(process.env);
  const app = await createApp(config, options);
  if (options.warnings === true)
    for (const warning of app.warnings) process.stderr.write(`warning: ${warning}\n`);
  return app;
}

export async function withApp<T>(
  run: (app: App) => Promise<T>,
  options: { migrate?: boolean; warnings?: boolean } = {},
): Promise<T> {
  const app = await openApp(options);
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

/** `--today`: a pinned decision date, refused unless the operator allows pinning (PRODUCT.md §12). */
export function parseToday(value: string | undefined, app: Pick<App, 'config'>): CalendarDate | undefined {
  if (value === undefined) return undefined;
  if (!app.config.allowPinnedDates) {
    throw new LifelineError(
      'USAGE',
      `--today is accepted only when LIFELINE_ALLOW_PINNED_DATES=true (tests and demos); leave it out to decide on today in ${app.config.supportTimeZone}`,
    );
  }
  const date = parseCalendarDate(value);
  if (!date)
    throw new LifelineError(
      'USAGE',
      `--today must be a real date as YYYY-MM-DD (got ${JSON.stringify(value)})`,
    );
  return date;
}

/** Says on stderr what a forgiving reading understood (`#50300` → ticket 50300) and any warning. */
function note(option: string, reading: Reading<unknown>): void {
  if (!reading.ok) return;
  if (reading.understood) process.stderr.write(`note: ${option} read as ${reading.understood}\n`);
  if (reading.warning) process.stderr.write(`warning: ${option}: ${reading.warning}\n`);
}

/**
 * Numbers from the command line, read forgivingly (` 1,200 ` is 1200); anything else is passed on:
 * numerals as numbers, the rest as typed, so that the eligibility rules name the field and the rule.
 */
export function numberArg(value: string | undefined, option = 'a number'): unknown {
  if (value === undefined) return undefined;
  const reading = readCount(value, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (reading.ok && reading.value !== null) {
    note(option, reading);
    return reading.value;
  }
  return /^-?\d{1,16}(\.\d{1,16})?$/.test(value.trim()) ? Number(value.trim()) : value;
}

/** `--ticket`: `#50300` or a pasted ticket link is ticket 50300 (the link becomes the ticket URL). */
export function ticketArg(value: string | undefined): { id: string | undefined; url: string | null } {
  if (value === undefined) return { id: undefined, url: null };
  const reading = readTicket(value);
  if (!reading.ok || reading.value === null) return { id: value, url: null };
  note('--ticket', reading);
  return reading.value;
}

/** An email option: `Ops Team <ops@beta.example>` is ops@beta.example; a Unicode domain is written in punycode. */
export function emailArg(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const reading = readEmail(value);
  if (!reading.ok || reading.value === null) return value;
  note(option, reading);
  return reading.value;
}

export function readLicenseFile(path: string): string {
  try {
    if (statSync(path).size > MAX_LICENSE_TEXT_LENGTH) {
      throw new LifelineError('VALIDATION_FAILED', `${path} is larger than a license file can be (1 MiB)`, {
        field: 'previousLicense',
      });
    }
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof LifelineError) throw error;
    throw new LifelineError(
      'USAGE',
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

export function actorFrom(
  options: { engineer?: string; by?: string; role?: string },
  defaultRole: Role,
): Actor {
  const role = (options.role ?? defaultRole) as Role;
  if (!ROLES.includes(role)) throw new LifelineError('USAGE', `--role must be one of ${ROLES.join(', ')}`);
  let name = options.by ?? options.engineer;
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = 'unknown';
    }
  }
  return { name: name.slice(0, 100), role, via: 'cli' };
}

/**
 * "Issued by Lifeline as request R": looks a license fingerprint up in the configured store, if
 * there is one. Never creates a database or keys, and never fails a decode: no store, no answer.
 */
export async function lookupIssuedLicense(fingerprint: string): Promise<{ requestId: string } | null> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch {
    return null;
  }
  const dataDir = resolve(config.dataDir);
  if (config.database.kind === 'sqlite' && !existsSync(resolve(config.database.path))) return null;
  const store = openStore(config, dataDir);
  try {
    const license = await store.findLicenseByFingerprint(fingerprint);
    return license ? { requestId: license.requestId } : null;
  } catch {
    return null;
  } finally {
    await store.close();
  }
}
