/**
 * Downloading a ticket attachment's bytes, bounded: Zendesk serves an attachment from its own host,
 * which may redirect to its file host. The API credentials go only to the configured Zendesk
 * origin; redirects (at most 3) are followed by hand, to http(s) only, without credentials once the
 * origin changes; the body is read up to `maxBytes` and abandoned past it.
 */
import { DeliveryError } from '../../core/deliveries/ports.js';
import { excerpt, networkError, statusError } from '../http-errors.js';

export interface DownloadOptions {
  /** The configured Zendesk origin (`https://SUB.zendesk.com`). */
  origin: string;
  authorization: string;
  maxBytes: number;
  timeoutMs: number;
  secrets: readonly string[];
}

const MAX_REDIRECTS = 3;

/** The bytes at `url`, or null when there are more than `maxBytes`. */
export async function downloadBounded(url: string, o: DownloadOptions): Promise<Uint8Array | null> {
  let target: URL;
  try {
    target = new URL(url, o.origin);
  } catch {
    throw new DeliveryError('permanent', `Zendesk gave an attachment address that is not a URL`);
  }
  const signal = AbortSignal.timeout(o.timeoutMs);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (target.protocol !== 'https:' && target.origin !== o.origin)
      throw new DeliveryError('permanent', `an attachment address must be https (${target.protocol})`);
    const headers: Record<string, string> =
      target.origin === o.origin ? { authorization: o.authorization } : {};
    let response: Response;
    try {
      response = await fetch(target, { headers, signal, redirect: 'manual' });
    } catch (error) {
      throw networkError('Zendesk', error, o.timeoutMs, o.secrets);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      target = new URL(location, target);
      continue;
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw statusError(response.status, {
        service: 'Zendesk',
        unauthorized: 'Zendesk refused the API token',
        notFound: 'the attachment is no longer on Zendesk',
        detail: excerpt(text, o.secrets, 80),
        retryAfter: response.headers.get('retry-after'),
        secrets: o.secrets,
      });
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > o.maxBytes) {
      await response.body?.cancel();
      return null;
    }
    return readAtMost(response, o.maxBytes, o.timeoutMs, o.secrets);
  }
  throw new DeliveryError('permanent', `more than ${MAX_REDIRECTS} redirects for one attachment`);
}

async function readAtMost(
  response: Response,
  maxBytes: number,
  timeoutMs: number,
  secrets: readonly string[],
): Promise<Uint8Array | null> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
  } catch (error) {
    throw networkError('Zendesk', error, timeoutMs, secrets);
  }
  return Buffer.concat(chunks);
}
