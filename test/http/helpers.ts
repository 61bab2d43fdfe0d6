/** An in-process API on a temporary SQLite app, with one token per role. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.js';
import { createToken } from '../../src/adapters/store/tokens.js';
import type { Role } from '../../src/core/ports.js';
import { createHttpServer, type HttpServerOptions } from '../../src/interfaces/http/server.js';
import { appWith } from '../deliveries/harness.js';
import { storeOf } from '../../src/app.js';

export const ZENDESK_SECRET = 'zendesk-shared-secret-for-tests-0123456789';

export interface Api {
  app: App & { dataDir: string };
  server: FastifyInstance;
  tokens: Record<Role, string>;
  call(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Rate limits are effectively off unless a test sets LIFELINE_RATE_LIMIT_* (role matrices and fuzzing
 * call issue/resend far more than 5 times per customer); `logger` captures the JSON log.
 */
export async function startApi(
  env: Record<string, string> = {},
  options: Pick<HttpServerOptions, 'logger' | 'errorLog'> = {},
): Promise<Api> {
  const app = await appWith({
    ZENDESK_APP_SECRET: ZENDESK_SECRET,
    LIFELINE_RATE_LIMIT_PER_USER: '1000000',
    LIFELINE_RATE_LIMIT_PER_CUSTOMER: '1000000',
    ...env,
  });
  const server = await createHttpServer(app, options);
  const tokens = {} as Record<Role, string>;
  for (const role of ['engineer', 'licensing', 'admin'] as const) {
    tokens[role] = (await createToken(storeOf(app).db, { name: `${role}-bot`, role })).secret;
  }
  return {
    app,
    server,
    tokens,
    call: (method, url, options = {}) => {
      const token = options.token === undefined ? tokens.engineer : options.token;
      return server.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
        ...(options.body !== undefined ? { payload: options.body as string } : {}),
      });
    },
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}

let ticket = 91000;
/** An eligible issue body (premium, expired 2026-11-14, decided on Saturday 2026-11-28). */
export function eligibleBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  ticket++;
  return {
    ticketId: String(ticket),
    ticketUrl: `https://acme.zendesk.com/agent/tickets/${ticket}`,
    requesterEmail: `ops@customer${ticket}.example`,
    seats: 120,
    plan: 'premium',
    expiresAt: '2026-11-14',
    previousSeats: 100,
    today: '2026-11-28',
    ...overrides,
  };
}
