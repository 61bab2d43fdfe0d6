/**
 * Every 5xx answer is logged, whether request logging is on or not: one JSON line with the request
 * id, the route's pattern (never the URL, whose query may hold personal data), the status, the code
 * and the error's message and stack. Configured secrets, PEM blocks, bearer credentials and
 * license-like base64 are replaced first: an error message may quote what it failed on.
 */
import { redactedConfig, type Config } from '../../config.js';

const REDACTED = '[redacted]';
/** Shorter values are not searched for (they would blank out ordinary words). */
const MIN_SECRET_LENGTH = 6;

const PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bllt_[A-Za-z0-9_-]+/g,
  // A license line is 60 base64 characters; nothing else Lifeline logs runs that long.
  /[A-Za-z0-9+/]{60,}={0,2}/g,
];

/**
 * What to search for of a value that `redactedConfig` hides: a URL's password, query values and
 * (when hidden too, as a webhook's) path, so that its host stays readable; else the whole value.
 */
function secretParts(plain: string, redacted: unknown): string[] {
  let url: URL;
  try {
    url = new URL(plain);
  } catch {
    return [plain];
  }
  if (url.host === '') return [plain];
  const parts = [url.password, ...url.searchParams.values()];
  try {
    parts.push(decodeURIComponent(url.password));
  } catch {
    // not percent-encoded text: the raw password is enough
  }
  if (typeof redacted !== 'string' || !redacted.includes(url.pathname)) parts.push(url.pathname);
  return parts;
}

/**
 * The configuration's secret values: every text that `redactedConfig` hides (found by comparing
 * the two, so the list of secret settings stays in config.ts).
 */
export function secretValuesOf(config: Config): string[] {
  const found = new Set<string>();
  const walk = (plain: unknown, redacted: unknown): void => {
    if (typeof plain === 'string') {
      if (plain !== redacted) for (const part of secretParts(plain, redacted)) found.add(part);
      return;
    }
    if (plain && typeof plain === 'object') {
      const other = redacted && typeof redacted === 'object' ? (redacted as Record<string, unknown>) : {};
      for (const [key, value] of Object.entries(plain)) walk(value, other[key]);
    }
  };
  walk(config, redactedConfig(config));
  return [...found].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** `text` with the given secrets and anything shaped like a credential, key or license replaced. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (whole, scheme?: string) =>
      typeof scheme === 'string' && /^(Bearer|Basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED,
    );
  }
  return out;
}

export interface ServerErrorEvent {
  requestId: string;
  method: string;
  /** The matched route's pattern, or "unmatched". */
  route: string;
  status: number;
  code: string;
  error: unknown;
}

/** The fields of the log line for one 5xx answer, already scrubbed. */
export function serverErrorFields(
  event: ServerErrorEvent,
  secrets: readonly string[],
): Record<string, unknown> {
  const { error, ...rest } = event;
  const scrub = (text: string): string => scrubSecrets(text, secrets);
  const describe = (e: unknown, causes: number): Record<string, unknown> | null => {
    if (e === undefined || e === null) return null;
    if (!(e instanceof Error)) return { message: scrub(String(e)) };
    const cause = causes > 0 ? describe(e.cause, causes - 1) : null;
    return {
      type: e.name,
      message: scrub(e.message),
      stack: scrub(e.stack ?? ''),
      ...(cause ? { cause } : {}),
    };
  };
  // The cause (a database or network error behind INFRASTRUCTURE) is what an operator needs.
  return { ...rest, error: describe(error, 2) };
}
