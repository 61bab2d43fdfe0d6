/** Requests made through the real API for the browser tests of the list, a request and the dashboard. */
import { afterAll, beforeAll, expect } from 'vitest';
import { freshCustomer, openTab, signIn, startWeb, type Tab, type WebEnv } from './harness.js';

/** A test file's Lifeline and Chromium, and a tab signed in with a role's token. */
export interface Suite {
  readonly env: WebEnv;
  readonly tab: Tab;
}

/** Starts them before the file's tests (with `config` added to the app's) and closes them after. */
export function browserSuite(
  role: 'engineer' | 'licensing' | 'admin',
  config: Record<string, string> = {},
  size: { width: number; height: number } = { width: 1366, height: 900 },
): Suite {
  let web: WebEnv | null = null;
  let tab: Tab | null = null;
  beforeAll(async () => {
    web = await startWeb(config);
    tab = await openTab(web, size);
    await signIn(tab, web, web.tokens[role]);
  }, 60_000);
  afterAll(async () => {
    await web?.close();
  });
  const started = <T>(value: T | null): T => {
    if (value === null) throw new Error('the browser suite has not started');
    return value;
  };
  return {
    get env() {
      return started(web);
    },
    get tab() {
      return started(tab);
    },
  };
}

export interface Made {
  id: string;
  ticket: string;
  email: string;
  status: string;
}

/** POST or GET on the API with a role's token; the JSON answer. */
export async function api(
  env: WebEnv,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  token = env.tokens.engineer,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${env.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * An emergency license request for a fresh customer (premium, expired 2026-11-14, decided on the
 * pinned Saturday): issued, or with `expiresAt: '2026-11-20'` and an override reason, pending.
 */
export async function makeRequest(
  env: WebEnv,
  overrides: Record<string, unknown> = {},
  customer: { ticket: string; email: string } = freshCustomer(),
): Promise<Made> {
  const body = {
    ticketId: customer.ticket,
    ticketUrl: `https://acme.zendesk.com/agent/tickets/${customer.ticket}`,
    requesterEmail: customer.email,
    seats: 20,
    plan: 'premium',
    expiresAt: '2026-11-14',
    previousSeats: 20,
    today: '2026-11-28',
    ...overrides,
  };
  const res = await api(env, 'POST', '/api/v1/emergency-licenses', body);
  expect([200, 201, 202, 422], JSON.stringify(res.json)).toContain(res.status);
  const id = (res.json['id'] ?? (res.json as { id?: string }).id) as string;
  return {
    id,
    ticket: customer.ticket,
    email: String(body.requesterEmail),
    status: String(res.json['status'] ?? 'refused'),
  };
}

/** An engineer's override of rule 4 (still in grace), waiting for licensing. */
export const makePending = (env: WebEnv, overrides: Record<string, unknown> = {}): Promise<Made> =>
  makeRequest(env, {
    expiresAt: '2026-11-20',
    overrideReason: 'Bank outage confirmed with the TAM on the call.',
    ...overrides,
  });
