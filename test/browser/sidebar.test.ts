/**
 * The built sidebar page (dist/web/sidebar) in a real Chromium at 320 px, with a ZAF client that
 * keeps web/sidebar/ZAF.md to the letter: every API call goes through `client.request`, which here
 * signs the HS256 JWT in Node with the app's shared secret and calls the real Lifeline; a non-2xx
 * answer rejects. (The /zendesk/dev stand-in has its own test; this one checks the app's side.)
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  horizontalOverflow,
  openTab,
  screenshot,
  seriousViolations,
  startWeb,
  ZENDESK_SECRET,
  type Tab,
  type WebEnv,
} from './harness.js';
import { storeOf } from '../../src/app.js';

const ZAF_SDK = 'https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js';

/** The page side of the fake ZAF: ticket data from the query string, request() through Node. */
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

interface ZafOptions {
  url: string;
  type: string;
  contentType: string;
  data?: string;
  secure: boolean;
  httpCompleteResponse: boolean;
  headers: Record<string, string>;
  jwt: { algorithm: string; secret_key: string; expiry: number; claims: Record<string, string> };
}

let env: WebEnv;
let tab: Tab;
const seen: ZafOptions[] = [];
let secret = ZENDESK_SECRET;

beforeAll(async () => {
  env = await startWeb();
  // The real sidebar runs inside Zendesk, under Zendesk's headers: Lifeline's /sidebar/ CSP allows
  // no external script, so this test lets the page load the (intercepted) SDK URL.
  tab = await openTab(env, { width: 320, height: 700, bypassCSP: true });
  await tab.page.route(ZAF_SDK, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: FAKE_SDK }),
  );
  await tab.page.exposeFunction('zafRequest', async (options: ZafOptions) => {
    seen.push(options);
    // What Zendesk does: replace {{jwt.token}} by a JWT of the claims signed with the setting, at
    // the time the app's (pinned) clock says: Zendesk and Lifeline share one time.
    const now = Math.floor(env.app.ports.clock.now().getTime() / 1000);
    const jwt = await new SignJWT(options.jwt.claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now)
      .setExpirationTime(now + options.jwt.expiry)
      .sign(new TextEncoder().encode(secret));
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
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('the sidebar app with a ZAF client', { timeout: 60_000 }, () => {
  it('is pre-filled from the ticket; an engineer override through signed requests waits for approval', async () => {
    const { page } = tab;
    await page.goto(`${env.baseUrl}/sidebar/?ticket=7001&email=ops@sidebar7001.example`);
    const ticket = page.getByLabel('Ticket', { exact: true });
    await expect.poll(() => ticket.inputValue()).toBe('7001');
    expect(await ticket.isEditable()).toBe(false);
    expect(await page.getByLabel('Requester email').inputValue()).toBe('ops@sidebar7001.example');
    expect(await page.locator('output.engineer').textContent()).toBe('Robin Agent (engineer)');
    await page.getByLabel('Plan', { exact: true }).selectOption('ultimate');
    await page.getByLabel('Expired on').fill('2026-11-20');
    await page.getByLabel('Seats of the previous license').fill('30');
    await page.getByLabel('Seats', { exact: true }).fill('30');
    await page.locator('li.rule[data-code="STILL_IN_GRACE"][data-state="failed"]').waitFor();
    // The rule list is the API's, asked through ZAF like every other call.
    await expect(
      page.locator('li.rule[data-code="RECENT_EMERGENCY_LICENSE"] strong').textContent(),
    ).resolves.toBe('9. No emergency license in the last 30 days');
    expect(seen.map((o) => new URL(o.url).pathname)).toContain('/api/v1/eligibility/rules');
    expect(await seriousViolations(page)).toEqual([]);
    const overflow = await horizontalOverflow(page);
    expect(overflow.offenders).toEqual([]);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(320);
    await screenshot(page, 'sidebar-app-refused-320px');

    await page.getByLabel('Override the refusal with a written reason').check();
    await page.getByLabel(/^Reason \(at least 20/).fill('Hospital on call; the TAM confirmed the outage.');
    await page.getByRole('button', { name: 'Review override request…' }).click();
    await page.getByRole('button', { name: 'Send for approval' }).click();
    await page.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    const open = page.getByRole('link', { name: /^Open request / });
    expect(await open.getAttribute('href')).toMatch(new RegExp(`^${env.baseUrl}/requests/req_`));
    expect(await open.getAttribute('target')).toBe('_blank');

    // Stored as the Zendesk agent's request for that ticket.
    const id = decodeURIComponent((await open.getAttribute('href'))!.split('/requests/')[1]!);
    const stored = await storeOf(env.app).getRequest(id);
    expect(stored).toMatchObject({
      ticketId: '7001',
      status: 'pending_approval',
      engineer: 'robin@example.com',
    });

    // Every call kept the ZAF.md contract.
    expect(seen.length).toBeGreaterThan(1);
    for (const options of seen) {
      expect(options.url.startsWith(`${env.baseUrl}/api/v1/`)).toBe(true);
      expect(options).toMatchObject({
        contentType: 'application/json',
        secure: true,
        httpCompleteResponse: true,
        headers: { Authorization: 'Bearer {{jwt.token}}' },
        jwt: {
          algorithm: 'HS256',
          secret_key: '{{setting.shared_secret}}',
          expiry: 3600,
          claims: { ticket_id: '7001', email: 'robin@example.com', name: 'Robin Agent' },
        },
      });
      if (options.type === 'POST') expect(typeof options.data).toBe('string');
      else expect(options.data).toBeUndefined();
    }
    expect(seen.map((o) => new URL(o.url).pathname)).toContain('/api/v1/emergency-licenses');
    // The app asked Zendesk to size the iframe to its content.
    const resizes = (await page.evaluate('window.__resizes')) as [
      string,
      { width: string; height: string },
    ][];
    expect(resizes.length).toBeGreaterThan(0);
    for (const [name, size] of resizes) {
      expect(name).toBe('resize');
      expect(size.width).toBe('100%');
      expect(size.height).toMatch(/^\d+px$/);
    }
    // The last size asked for is the content's own height (so the frame can shrink again), not the
    // document's, which is never shorter than the frame.
    await expect
      .poll(async () => {
        const all = (await page.evaluate('window.__resizes')) as [string, { height: string }][];
        const content = (await page.evaluate(
          "Math.ceil(document.getElementById('app').getBoundingClientRect().height)",
        )) as number;
        return Math.abs(parseInt(all.at(-1)?.[1].height ?? '0', 10) - content) <= 40;
      })
      .toBe(true);
    expect(tab.problems).toEqual([]);
  });

  it('shows the API error when a signed request is refused (the ZAF promise rejects)', async () => {
    const { page } = tab;
    secret = 'not-the-shared-secret-of-this-lifeline-0000';
    try {
      await page.goto(`${env.baseUrl}/sidebar/?ticket=7002&email=ops@sidebar7002.example`);
      await expect.poll(() => page.getByLabel('Ticket', { exact: true }).inputValue()).toBe('7002');
      await page.getByLabel('Seats', { exact: true }).fill('10');
      await page.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED' }).waitFor();
      expect(await page.getByRole('alert').first().textContent()).toMatch(
        /the signed request is invalid or expired \(UNAUTHENTICATED/,
      );
    } finally {
      secret = ZENDESK_SECRET;
    }
  });

  it('says it must run inside Zendesk when there is no ZAF client', async () => {
    const bare = await openTab(env, { width: 320, height: 600 });
    // Lifeline's own CSP blocks the external SDK: no ZAFClient, and no request leaves the machine.
    await bare.page.goto(`${env.baseUrl}/sidebar/`);
    await bare.page.getByText('open it inside Zendesk').waitFor();
    expect(bare.external.every((u) => u === ZAF_SDK)).toBe(true);
    await bare.context.close();
  });
});
