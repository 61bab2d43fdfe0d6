/**
 * The Zendesk App Framework (v2) as the sidebar uses it, and an ApiClient over `client.request`
 * (Zendesk signs each request with the app's shared secret; see ZAF.md for the exact contract).
 */
import type { ApiClient, ApiResponse } from '../shared/api.js';

export interface ZafRequestOptions {
  url: string;
  type: 'GET' | 'POST';
  contentType: 'application/json';
  data?: string;
  secure: true;
  httpCompleteResponse: true;
  headers: Record<string, string>;
  jwt: {
    algorithm: 'HS256';
    secret_key: string;
    expiry: number;
    claims: Record<string, string>;
  };
}

export interface ZafResponse {
  status: number;
  responseJSON?: unknown;
  responseText?: string;
  headers?: Record<string, string>;
}

export interface ZafClient {
  metadata(): Promise<{ settings: Record<string, unknown> }>;
  get(paths: string[]): Promise<Record<string, unknown>>;
  invoke(name: string, ...args: unknown[]): Promise<unknown>;
  request(options: ZafRequestOptions): Promise<ZafResponse>;
  context?(): Promise<{ account?: { subdomain?: string } }>;
  on?(event: string, handler: (...args: unknown[]) => void): void;
}

declare global {
  interface Window {
    ZAFClient?: { init(): ZafClient | undefined };
  }
}

export interface SidebarContext {
  backendUrl: string;
  ticketId: string;
  requesterEmail: string;
  requesterName: string;
  agentEmail: string;
  agentName: string;
  ticketUrl: string;
}

const str = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

/** Reads the app's settings and the ticket the sidebar is on. */
export async function loadContext(client: ZafClient): Promise<SidebarContext> {
  const metadata = await client.metadata();
  const backendUrl = str(metadata.settings['backend_url']).replace(/\/+$/, '');
  const data = await client.get([
    'ticket.id',
    'ticket.requester.email',
    'ticket.requester.name',
    'currentUser.email',
    'currentUser.name',
  ]);
  let ticketUrl = '';
  const ticketId = str(data['ticket.id']);
  try {
    const context = client.context ? await client.context() : undefined;
    const subdomain = context?.account?.subdomain;
    if (subdomain && /^[a-z0-9-]+$/i.test(subdomain) && ticketId)
      ticketUrl = `https://${subdomain}.zendesk.com/agent/tickets/${encodeURIComponent(ticketId)}`;
  } catch {
    // No context: the API fills the ticket URL from ZENDESK_URL when it is configured.
  }
  return {
    backendUrl,
    ticketId,
    requesterEmail: str(data['ticket.requester.email']),
    requesterName: str(data['ticket.requester.name']),
    agentEmail: str(data['currentUser.email']),
    agentName: str(data['currentUser.name']),
    ticketUrl,
  };
}

function bodyOf(response: ZafResponse | undefined): unknown {
  if (!response) return null;
  if (response.responseJSON !== undefined && response.responseJSON !== null) return response.responseJSON;
  const text = response.responseText ?? '';
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** API calls through Zendesk's proxy, signed with an HS256 JWT naming the ticket and the agent. */
export function createZafApiClient(client: ZafClient, context: SidebarContext): ApiClient {
  async function call<T>(type: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse<T>> {
    const options: ZafRequestOptions = {
      url: `${context.backendUrl}${path}`,
      type,
      contentType: 'application/json',
      ...(type === 'POST' ? { data: JSON.stringify(body ?? {}) } : {}),
      secure: true,
      httpCompleteResponse: true,
      headers: { Authorization: 'Bearer {{jwt.token}}' },
      jwt: {
        algorithm: 'HS256',
        secret_key: '{{setting.shared_secret}}',
        expiry: 3600,
        claims: { ticket_id: context.ticketId, email: context.agentEmail, name: context.agentName },
      },
    };
    try {
      const response = await client.request(options);
      return { status: response.status, body: bodyOf(response) as T };
    } catch (failure) {
      const response = failure as ZafResponse | undefined;
      // No status at all: Zendesk could not reach Lifeline.
      if (!response || typeof response.status !== 'number' || response.status === 0)
        throw new Error('Lifeline could not be reached through Zendesk.');
      return { status: response.status, body: bodyOf(response) as T };
    }
  }
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
  };
}
