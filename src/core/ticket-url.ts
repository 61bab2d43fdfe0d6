/** Where a request's ticket can be opened: its own URL, else the one the ticket system's base gives. */
import { webUrl } from './text/format.js';

/** `<base>/agent/tickets/<id>`: a Zendesk ticket's address under the configured ZENDESK_URL. */
export function ticketUrlUnder(base: string, ticketId: string): string {
  return `${base.replace(/\/+$/, '')}/agent/tickets/${encodeURIComponent(ticketId)}`;
}

/** The ticket's web address in its normalised form, or null when none is known. */
export function ticketWebUrl(
  request: { ticketId: string; ticketUrl: string | null },
  base?: string | null,
): string | null {
  return webUrl(request.ticketUrl) ?? (base ? webUrl(ticketUrlUnder(base, request.ticketId)) : null);
}
