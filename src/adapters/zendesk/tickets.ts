/**
 * The TicketSystem port on Zendesk Support (PRODUCT.md §3 step 1, §6.4), with plain fetch.
 *
 * Authentication is an API token: HTTP Basic with `<email>/token:<api token>`. Every call is one
 * attempt with a timeout; failures become `DeliveryError`s by the table in ../http-errors.ts.
 */
import { ticketUrlUnder } from '../../core/ticket-url.js';
import { DeliveryError, type TicketSystem } from '../../core/deliveries/ports.js';
import type { TicketImage } from '../../core/ports.js';
import { DEFAULT_TIMEOUT_MS, excerpt, networkError, statusError } from '../http-errors.js';
import { downloadBounded } from './attachments.js';

export interface ZendeskTicketsOptions {
  /** `https://SUBDOMAIN.zendesk.com` (no trailing slash needed). */
  url: string;
  email: string;
  apiToken: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** How many pages of ticket comments are read when counting attachments (100 comments a page). */
export const MAX_COMMENT_PAGES = 5;

interface ZendeskAttachment {
  id?: number | string | null;
  content_type?: string | null;
  file_name?: string | null;
  size?: number | null;
}

interface AttachmentReply {
  attachment?: { content_url?: string | null; size?: number | null };
}

interface CommentsPage {
  comments?: { attachments?: ZendeskAttachment[] | null }[];
  next_page?: string | null;
}

interface MeReply {
  user?: { id?: number | null; name?: string | null; email?: string | null; role?: string | null };
}

export function createZendeskTickets(options: ZendeskTicketsOptions): TicketSystem {
  const base = options.url.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secrets = [options.apiToken, `${options.email}/token:${options.apiToken}`];
  const authorization = `Basic ${Buffer.from(`${options.email}/token:${options.apiToken}`).toString('base64')}`;

  async function request<T>(
    method: 'GET' | 'PUT',
    url: string,
    context: { notFound: string; forbidden?: string },
    body?: unknown,
  ): Promise<T> {
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      throw networkError('Zendesk', error, timeoutMs, secrets);
    }
    if (!response.ok) {
      throw statusError(response.status, {
        service: 'Zendesk',
        unauthorized: `Zendesk refused the API token for ${options.email}`,
        forbidden: context.forbidden,
        notFound: context.notFound,
        detail: errorText(text),
        retryAfter: response.headers.get('retry-after'),
        secrets,
      });
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new DeliveryError(
        'temporary',
        `Zendesk gave a reply that is not JSON: ${excerpt(text, secrets, 80)}`,
      );
    }
  }

  function ticketPath(ticketId: string): string {
    if (!/^[0-9]+$/.test(ticketId)) {
      throw new DeliveryError(
        'permanent',
        `"${excerpt(ticketId, secrets, 40)}" is not a Zendesk ticket number`,
      );
    }
    return `${base}/api/v2/tickets/${ticketId}`;
  }

  async function imageAttachments(ticketId: string): Promise<TicketImage[]> {
    let url: string | null = `${ticketPath(ticketId)}/comments.json?per_page=100`;
    const images: TicketImage[] = [];
    for (let page = 0; url !== null && page < MAX_COMMENT_PAGES; page += 1) {
      const reply: CommentsPage = await request<CommentsPage>('GET', url, {
        notFound: `Zendesk ticket ${ticketId} not found`,
        forbidden: `Zendesk does not let ${options.email} read ticket ${ticketId}`,
      });
      for (const comment of reply.comments ?? []) {
        for (const a of comment.attachments ?? []) {
          const type = (a.content_type ?? '').toLowerCase();
          if (!type.startsWith('image/')) continue;
          images.push({
            id: String(a.id ?? ''),
            fileName: a.file_name ?? '',
            contentType: type,
            size: typeof a.size === 'number' ? a.size : null,
          });
        }
      }
      url = nextPage(reply.next_page, origin);
    }
    return images;
  }

  return {
    async addInternalNote(ticketId, html) {
      // `html_body`, not `body`: Zendesk may read `body` as Markdown; the note is built as HTML
      // with every value escaped (core/text/html.ts).
      await request(
        'PUT',
        `${ticketPath(ticketId)}.json`,
        {
          notFound: `Zendesk ticket ${ticketId} not found`,
          forbidden: `Zendesk does not let ${options.email} update ticket ${ticketId}`,
        },
        { ticket: { comment: { html_body: html, public: false } } },
      );
      // Where an agent reads it: the ticket in Zendesk's agent interface.
      return { url: ticketUrlUnder(base, ticketId) };
    },

    imageAttachments,
    imageAttachmentCount: async (ticketId) => (await imageAttachments(ticketId)).length,

    async downloadAttachment(_ticketId, image, maxBytes) {
      // The attachment's address from Zendesk's own API (never a URL from elsewhere).
      if (!/^[0-9]+$/.test(image.id))
        throw new DeliveryError('permanent', `"${excerpt(image.id, secrets, 40)}" is not an attachment id`);
      const reply = await request<AttachmentReply>('GET', `${base}/api/v2/attachments/${image.id}.json`, {
        notFound: `Zendesk attachment ${image.id} not found`,
      });
      const size = reply.attachment?.size;
      if (typeof size === 'number' && size > maxBytes) return null;
      const url = reply.attachment?.content_url;
      if (typeof url !== 'string' || url === '')
        throw new DeliveryError('temporary', `Zendesk gave no address for attachment ${image.id}`);
      return downloadBounded(url, { origin, authorization, maxBytes, timeoutMs, secrets });
    },

    async verify() {
      const reply = await request<MeReply>('GET', `${base}/api/v2/users/me.json`, {
        notFound: `no Zendesk API at ${base} (check ZENDESK_URL)`,
      });
      const user = reply.user;
      // Zendesk answers bad credentials on some endpoints with the anonymous user (id null), not 401.
      if (user === undefined || user.id === null || user.id === undefined) {
        throw new DeliveryError(
          'permanent',
          `Zendesk did not accept the API token for ${options.email} (anonymous user)`,
        );
      }
      const who = user.email ? `${user.name ?? 'unnamed'} <${user.email}>` : (user.name ?? `user ${user.id}`);
      return `Zendesk accepts the API token: ${who}, role ${user.role ?? 'unknown'}`;
    },
  };
}

/** Follows `next_page` only on the configured Zendesk host (never sends the credentials elsewhere). */
function nextPage(next: string | null | undefined, origin: string): string | null {
  if (typeof next !== 'string' || next === '') return null;
  try {
    const url = new URL(next, origin);
    return url.origin === origin ? url.toString() : null;
  } catch {
    return null;
  }
}

/** Zendesk's error bodies: `{"error": "RecordNotFound", "description": "Not found"}`, `{"error": {"title": …, "message": …}}`. */
function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; description?: unknown; details?: unknown };
    const parts: string[] = [];
    if (typeof parsed.error === 'string') parts.push(parsed.error);
    else if (parsed.error && typeof parsed.error === 'object') {
      const e = parsed.error as { title?: unknown; message?: unknown };
      if (typeof e.title === 'string') parts.push(e.title);
      if (typeof e.message === 'string') parts.push(e.message);
    }
    if (typeof parsed.description === 'string') parts.push(parsed.description);
    if (parsed.details !== undefined) parts.push(JSON.stringify(parsed.details));
    return parts.length > 0 ? parts.join(': ') : text;
  } catch {
    return text;
  }
}
