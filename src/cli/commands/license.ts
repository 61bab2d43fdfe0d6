/**
 * `lifeline license decode` and `lifeline license encode`: read or write a license file with the
 * key files given on the command line. Parsing and printing only; the format is src/core/license.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { parseCalendarDate, relativeDays, type CalendarDate } from '../../core/dates.js';
import { EXIT } from '../../core/errors.js';
import {
  MAX_LICENSE_TEXT_LENGTH,
  decodeLicense,
  encodeLicense,
  isValidBoundaryName,
  licenseFingerprint,
  refusedLicenseReport,
  validLicenseReport,
  type License,
  type LicenseReport,
} from '../../core/license/index.js';
import { EMERGENCY_LICENSEE } from '../../core/issuance/emergency-license.js';
import { loadPrivateKeyFile, loadPublicKeyFiles } from '../../compose/keys.js';
import { failure, type CommandOutcome, type OutputOptions } from '../output.js';

/** A command's outcome (kept as a name for the command modules). */
export type CliOutcome = CommandOutcome;

/** What a later issue can plug in to recognise licenses Lifeline issued itself. */
export interface IssuedLicenseRef {
  /** The emergency-license request the license was issued for. */
  requestId: string;
  [detail: string]: unknown;
}

export interface LicenseCommandDeps {
  /**
   * "Issued by Lifeline as request R": given the SHA-256 fingerprint of a valid license text (and
   * the license), the request that issued it, or null. Default: `lookupInStore`.
   */
  lookupFingerprint?: (
    fingerprint: string,
    license: License,
  ) => Promise<IssuedLicenseRef | null> | IssuedLicenseRef | null;
  /** Today's date when --today is not given; defaults to the system clock's date in UTC. */
  today?: () => CalendarDate;
}

/**
 * The default lookup, in the configured store. Lifeline issues licenses to its emergency licensee
 * only, so the fingerprint of any other license cannot be one of its own: that is answered without
 * loading the configuration and the database driver, which would cost a decode most of its time.
 */
async function lookupInStore(fingerprint: string, license: License): Promise<IssuedLicenseRef | null> {
  const { Name, Company } = license.licensee;
  if (Name !== EMERGENCY_LICENSEE.Name || Company !== EMERGENCY_LICENSEE.Company) return null;
  const { lookupIssuedLicense } = await import('../context.js');
  return lookupIssuedLicense(fingerprint);
}

/** The system clock's current date in UTC: read here, at the edge, never in the core. */
export function utcToday(): CalendarDate {
  return parseCalendarDate(new Date().toISOString().slice(0, 10)) as CalendarDate;
}

/** At most this many bytes of license text are read (the core reads 1 Mi characters at most). */
const MAX_INPUT_BYTES = 4 * MAX_LICENSE_TEXT_LENGTH;
const MAX_ATTRIBUTES_BYTES = 1024 * 1024;

type Input =
  { ok: true; text: string } | { ok: false; outcome: CliOutcome } | { ok: false; tooLarge: number };

async function readStdin(limit: number): Promise<Input> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) {
      process.stdin.destroy();
      return { ok: false, tooLarge: size };
    }
    chunks.push(buffer);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

function readFileLimited(path: string, what: string, limit: number): Input {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return { ok: false, outcome: failure('USAGE', `cannot read the ${what} ${path}: ${fsReason(error)}.`) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, outcome: failure('USAGE', `the ${what} ${path} is not a file.`) };
    if (stat.size > limit) return { ok: false, tooLarge: stat.size };
    return { ok: true, text: readFileSync(fd, 'utf8') };
  } catch (error) {
    return { ok: false, outcome: failure('USAGE', `cannot read the ${what} ${path}: ${fsReason(error)}.`) };
  } finally {
    closeSync(fd);
  }
}

function fsReason(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** FILE, or stdin for "-" (or no FILE when stdin is not a terminal). A leading BOM is dropped. */
async function readInput(file: string | undefined, what: string, limit: number): Promise<Input> {
  let input: Input;
  if (file === undefined || file === '-') {
    if (file === undefined && process.stdin.isTTY) {
      return {
        ok: false,
        outcome: failure('USAGE', `give the ${what} as FILE, or pipe it in (FILE "-" reads standard input).`),
      };
    }
    input = await readStdin(limit);
  } else {
    input = readFileLimited(file, what, limit);
  }
  return input.ok ? { ok: true, text: input.text.replace(/^\uFEFF/, '') } : input;
}

// ---------------------------------------------------------------------------------------------------
// license decode

export interface DecodeOptions extends OutputOptions {
  publicKey?: string[];
  today?: string;
}

function graceSentence(days: number): string {
  return `grace period ${days > 0 ? 'ended' : 'ends'} ${relativeDays(days)}`;
}

function humanReport(r: LicenseReport, keyCount: number): string {
  const rows: [string, string][] = [
    ['Plan', r.plan ?? ''],
    ['Seats', r.activeUserCount === null ? 'not set' : `${r.activeUserCount} (active_user_count)`],
    ['Trial', r.trial === null ? 'not set' : r.trial ? 'yes' : 'no'],
    ['Licensee name', r.licensee?.name || '(none)'],
    ['Licensee company', r.licensee?.company || '(none)'],
    ['Licensee email', r.licensee?.email || '(none)'],
    ['Issued', r.issuedAt ?? ''],
    ['Expires', r.expiresAt ?? 'never (GitLab team license)'],
    ['Expired', `${r.expired ? 'yes' : 'no'} (as of ${r.today})`],
    ['Grace ends on', r.graceEndsOn ?? 'never'],
    [
      'Days since grace end',
      r.daysSinceGraceEnd === null ? '-' : `${r.daysSinceGraceEnd} (${graceSentence(r.daysSinceGraceEnd)})`,
    ],
  ];
  if (r.notifyAdminsAt) rows.push(['Notify admins from', r.notifyAdminsAt]);
  if (r.notifyUsersAt) rows.push(['Notify users from', r.notifyUsersAt]);
  if (r.blockChangesAt) rows.push(['Block changes from', r.blockChangesAt]);
  rows.push(['Fingerprint', `sha256:${r.fingerprint}`]);
  if (r.verifiedBy) {
    const which = keyCount > 1 ? ` (key ${r.verifiedBy.index + 1} of ${keyCount})` : '';
    rows.push(['Verified by', `${r.verifiedBy.path}${which}`]);
  }
  if (r.issuedBy) rows.push(['Issued by Lifeline', `request ${r.issuedBy.requestId}`]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return ['Valid license', ...rows.map(([label, value]) => `  ${(label + ':').padEnd(width)}${value}`)].join(
    '\n',
  );
}

function refusedHuman(r: LicenseReport): string {
  const field = r.field ? ` (field: ${r.field})` : '';
  return `error [${r.code}]: the license is not valid: ${r.message}${field}`;
}

export async function decodeCommand(
  file: string | undefined,
  options: DecodeOptions,
  deps: LicenseCommandDeps,
): Promise<CliOutcome> {
  const keyPaths = options.publicKey ?? [];
  if (keyPaths.length === 0) {
    return failure('USAGE', 'give the public key to check the license with: --public-key PEM (repeatable).');
  }
  let today: CalendarDate;
  if (options.today !== undefined) {
    const parsed = parseCalendarDate(options.today);
    if (!parsed)
      return failure('USAGE', `--today must be a real date written YYYY-MM-DD, not "${options.today}".`);
    today = parsed;
  } else {
    today = (deps.today ?? utcToday)();
  }
  const input = await readInput(file, 'license file', MAX_INPUT_BYTES);
  if (!input.ok && 'outcome' in input) return input.outcome;
  const keys: KeyObject[] = loadPublicKeyFiles(keyPaths); // configuration errors: exit 3

  let report: LicenseReport;
  if (!input.ok) {
    report = refusedLicenseReport(
      {
        code: 'MALFORMED_ENVELOPE',
        message: `the license text is ${input.tooLarge} bytes or more; a license is a few KB`,
      },
      today,
      null,
    );
  } else {
    const fingerprint = licenseFingerprint(input.text);
    const result = decodeLicense(input.text, keys);
    if (result.ok) {
      const issuedBy = await (deps.lookupFingerprint ?? lookupInStore)(fingerprint, result.value.license);
      report = validLicenseReport(result.value, today, fingerprint, { keyLabels: keyPaths, issuedBy });
    } else {
      report = refusedLicenseReport(result.error, today, fingerprint);
    }
  }
  return report.valid
    ? { exit: EXIT.OK, human: humanReport(report, keyPaths.length), json: report }
    : { exit: EXIT.REFUSED, human: refusedHuman(report), json: report };
}

// ---------------------------------------------------------------------------------------------------
// license encode

export interface EncodeOptions extends OutputOptions {
  privateKey?: string;
  boundary?: string;
}

export async function encodeCommand(file: string, options: EncodeOptions): Promise<CliOutcome> {
  if (!options.privateKey) {
    return failure('USAGE', 'give the private key to write the license with: --private-key PEM.');
  }
  if (options.boundary !== undefined && !isValidBoundaryName(options.boundary)) {
    return failure(
      'USAGE',
      `--boundary must be a product name such as "GitLab" (letters, digits, spaces, ".", "_", "-"; ` +
        `at most 40 characters), not "${options.boundary}".`,
    );
  }
  const input = await readInput(file, 'attributes file', MAX_ATTRIBUTES_BYTES);
  if (!input.ok) {
    return 'outcome' in input
      ? input.outcome
      : failure('USAGE', `the attributes file is ${input.tooLarge} bytes or more; at most 1 MiB is read.`);
  }
  let attributes: unknown;
  try {
    attributes = JSON.parse(input.text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failure('VALIDATION_FAILED', `the attributes file ${file} is not valid JSON: ${reason}`);
  }
  const privateKey = loadPrivateKeyFile(options.privateKey); // configuration errors: exit 3

  const result = encodeLicense(
    attributes,
    privateKey,
    options.boundary ? { boundary: options.boundary } : {},
  );
  if (!result.ok) {
    const { code, message, field } = result.error;
    const outcome = failure(code, message, field ? { field } : {});
    return field ? { ...outcome, human: `${outcome.human} (field: ${field})` } : outcome;
  }
  const { text, json } = result.value;
  // Read back what was written with the matching public key before handing it out.
  const check = decodeLicense(text, [createPublicKey(privateKey)]);
  if (!check.ok) {
    return failure('INTERNAL', `the license just written does not read back: ${check.error.message}`);
  }
  return {
    exit: EXIT.OK,
    raw: true,
    human: text,
    json: { text, fingerprint: licenseFingerprint(text), attributes: json },
  };
}
