/**
 * A Zendesk App Framework client for the built sidebar in a browser test: ticket data from the page's
 * query string, and `client.request` signed in Node as Zendesk signs it (HS256 with the shared
 * secret, at the app's clock) and sent to the real Lifeline; a non-2xx answer rejects, as ZAF's does.
 */
import { SignJWT } from 'jose';
import type { Page } from 'playwright-core';
import type { WebEnv } from './harness.js';

export const ZAF_SDK = 'https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js';

/** The page side: ticket data from the query string, request() through Node, resizes recorded. */
const FAKE_SDK = `
window.ZAFClient = { init() {
  const q = new URLSearchParams(location.search);
  window.__resizes = [];
  return {
    metadata: async () => ({ settings: { backend_url: location.origin + '/' } }),
    get: async (paths) => Object.fromEntries(paths.map((p) => [p, {
      'ticket.id': Number(q.get('ticket')),
      'ticket.requester.email': q.get('email'),
      'ticket.requester.name': 'Dana Ops',
      'currentUser.email': 'robin@example.com',
      'currentUser.name': 'Robin Agent',
    }[p]])),
    invoke: async (name, arg) => { window.__resizes.push([name, arg]); },
    request: async (options) => {
      const r = await window.zafRequest(JSON.parse(JSON.stringify(options)));
      if (r.status >= 200 && r.status < 300) return r;
      throw { status: r.status, responseJSON: r.responseJSON, responseText: r.responseText };
    },
  };
} };`;

export interface ZafOptions {
  url: string;
  type: string;
  contentType: string;
  data?: string;
  secure: boolean;
  httpCompleteResponse: boolean;
  headers: Record<string, string>;
  jwt: { algorithm: string; secret_key: string; expiry: number; claims: Record<string, string> };
}

/**
 * Makes `page` a sidebar inside Zendesk: the SDK is the fake above, and each request is signed with
 * `secret()` at the app's clock (Zendesk and Lifeline share one time). Returns the requests made,
 * recorded as they are made.
 */
export async function actAsZendesk(page: Page, env: WebEnv, secret: () => string): Promise<ZafOptions[]> {
  const seen: ZafOptions[] = [];
  await page.route(ZAF_SDK, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: FAKE_SDK }),
  );
  await page.exposeFunction('zafRequest', async (options: ZafOptions) => {
    seen.push(options);
    const now = Math.floor(env.app.ports.clock.now().getTime() / 1000);
    const jwt = await new SignJWT(options.jwt.claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now)
      .setExpirationTime(now + options.jwt.expiry)
      .sign(new TextEncoder().encode(secret()));
    const res = await fetch(options.url, {
      method: options.type,
      headers: {
        'content-type': options.contentType,
        authorization: (options.headers['Authorization'] ?? '').replace('{{jwt.token}}', jwt),
      },
      ...(options.data !== undefined ? { body: options.data } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, responseJSON: json, responseText: text, headers: {} };
  });
  return seen;
}
