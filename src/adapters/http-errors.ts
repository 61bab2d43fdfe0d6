/**
 * How the HTTP delivery adapters (GitLab, Slack, Zendesk) turn a failed call into a `DeliveryError`.
 * One table for all three, so the worker sees the same kinds everywhere:
 *
 * | what happened                                  | kind        | notes                                   |
 * | ---------------------------------------------- | ----------- | --------------------------------------- |
 * | network error, connection refused, timeout     | temporary   |                                         |
 * | 408, 425, 5xx                                  | temporary   |                                         |
 * | 429                                            | temporary   | `retryAfterMs` from `Retry-After`       |
 * | 400, 401, 403, 404, 405, 409, 410, 413, 422 …  | permanent   | a sentence naming what is wrong         |
 * | a 2xx reply that is not what the API promises  | temporary   | (a proxy's login page, say)             |
 *
 * The adapters never retry by themselves; the caller's outbox does. No message ever contains a
 * credential: everything that echoes text from the peer goes through `scrub`.
 */
import { DeliveryError } from '../core/deliveries/ports.js';

/** The default request timeout of the HTTP adapters. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A `Retry-After` value (delay-seconds or an HTTP date) as milliseconds from `now`; undefined when
 * absent or unreadable. A date in the past gives 0.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^[0-9]+(\.[0-9]+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Removes every secret (and its URL-encoded and base64 forms) from a text that came from the peer. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
      out = out.split(form).join('[redacted]');
    }
  }
  return out;
}

/** A short, single-line excerpt of a peer's error text (for the end of a message). */
export function excerpt(
  text: string | undefined,
  secrets: readonly (string | undefined)[],
  max = 200,
): string {
  if (text === undefined) return '';
  const line = scrub(text, secrets).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** True for the errors fetch/undici and AbortSignal.timeout produce when time ran out. */
export function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isTimeout(cause);
}

/** A failure to get any reply (DNS, refused, reset, TLS, timeout): always temporary. */
export function networkError(
  service: string,
  error: unknown,
  timeoutMs: number,
  secrets: readonly (string | undefined)[],
): DeliveryError {
  if (isTimeout(error)) {
    return new DeliveryError('temporary', `${service} did not answer within ${formatMs(timeoutMs)}`);
  }
  return new DeliveryError(
    'temporary',
    `${service} could not be reached: ${excerpt(describe(error), secrets)}`,
  );
}

export interface StatusContext {
  /** "GitLab", "Slack", "Zendesk". */
  service: string;
  /** What a 404 means here: "project group/tracker not found". */
  notFound?: string;
  /** What a 401 means here; default "<service> refused the credentials". */
  unauthorized?: string;
  /** What a 403 means here; default "<service> denied access". */
  forbidden?: string;
  /** The peer's own error text, if any (scrubbed and shortened here). */
  detail?: string;
  /** The `Retry-After` header. */
  retryAfter?: string | null;
  secrets: readonly (string | undefined)[];
}

/** The DeliveryError for a non-2xx HTTP status (see the table above). */
export function statusError(status: number, ctx: StatusContext): DeliveryError {
  const detail = excerpt(ctx.detail, ctx.secrets);
  const tail = detail === '' ? '' : `: ${detail}`;
  if (status === 429) {
    const ms = parseRetryAfter(ctx.retryAfter);
    const when = ms === undefined ? '' : ` (retry after ${formatMs(ms)})`;
    return new DeliveryError('temporary', `${ctx.service} is rate limiting requests (429)${when}`, ms);
  }
  if (status === 401) {
    return new DeliveryError(
      'permanent',
      `${ctx.unauthorized ?? `${ctx.service} refused the credentials`} (401)${tail}`,
    );
  }
  if (status === 403) {
    return new DeliveryError('permanent', `${ctx.forbidden ?? `${ctx.service} denied access`} (403)${tail}`);
  }
  if (status === 404) {
    return new DeliveryError(
      'permanent',
      `${ctx.notFound ?? `${ctx.service} endpoint not found`} (404)${tail}`,
    );
  }
  if (status === 408 || status === 425 || status >= 500) {
    return new DeliveryError('temporary', `${ctx.service} failed temporarily (${status})${tail}`);
  }
  if (status >= 400) {
    return new DeliveryError('permanent', `${ctx.service} rejected the request (${status})${tail}`);
  }
  return new DeliveryError('temporary', `${ctx.service} gave an unexpected reply (${status})${tail}`);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  const inner = cause instanceof Error && cause.message !== '' ? cause.message : error.message;
  return typeof code === 'string' && !inner.includes(code) ? `${inner} (${code})` : inner;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
