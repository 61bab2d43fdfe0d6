/**
 * /zendesk/dev, the Zendesk sidebar stand-in: off by default (404); refused by the configuration
 * without a secret or in production; when on, its proxy signs a JWT that the API accepts, a tampered
 * or wrongly signed one is refused, it forwards only to Lifeline's own API, never puts the secret
 * where it could come back, and answers only this machine. Then, with the
 * real sidebar build, real Chromium opens the stand-in, sees the form pre-filled from the fake
 * ticket, issues a license on a pinned date and sees it issued (and a 320 px screenshot is saved).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt, SignJWT } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import {
  DEV_CSP,
  projectRoot,
  STAND_IN_SDK_PATH,
  ZAF_SDK_URL,
} from '../../src/interfaces/http/zendesk-dev.js';
import { fakeTicket } from '../../src/interfaces/http/zendesk-dev/page.js';
import { signSidebarJwt } from '../../src/interfaces/http/zendesk-dev/proxy.js';
import { eligibleBody, startApi, ZENDESK_SECRET, type Api } from '../http/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the sidebar sends through client.request (web/sidebar/ZAF.md), for one call. */
function sidebarRequest(
  host: string,
  path: string,
  body: unknown,
  claims: Record<string, string>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...unsignedRequest(host, path, body, { Authorization: 'Bearer {{jwt.token}}' }),
    secure: true,
    httpCompleteResponse: true,
    jwt: { algorithm: 'HS256', secret_key: '{{setting.shared_secret}}', expiry: 3600, claims },
    ...overrides,
  };
}

/** A request the stand-in proxy forwards without signing (not marked secure). */
function unsignedRequest(
  host: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Record<string, unknown> {
  return {
    url: `http://${host}${path}`,
    type: 'POST',
    contentType: 'application/json',
    data: JSON.stringify(body),
    headers,
  };
}

interface Envelope {
  status: number;
  headers: Record<string, string>;
  body: string;
}

describe('off unless enabled', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi(); // ZENDESK_APP_SECRET is set, LIFELINE_ZENDESK_DEV is not
  });
  afterAll(async () => {
    await api.close();
  });

  it('every /zendesk/dev path answers 404', async () => {
    for (const [method, url] of [
      ['GET', '/zendesk/dev'],
      ['GET', '/zendesk/dev?ticket=1001'],
      ['GET', STAND_IN_SDK_PATH],
      ['GET', '/zendesk/dev/app/iframe.html'],
      ['POST', '/zendesk/dev/proxy'],
    ] as const) {
      const res = await api.server.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('the configuration refuses it without ZENDESK_APP_SECRET, and in production', () => {
    expect(parseConfig({ LIFELINE_ZENDESK_DEV: 'true' })).toEqual({
      ok: false,
      error: [{ variable: 'ZENDESK_APP_SECRET', message: 'required when LIFELINE_ZENDESK_DEV=true' }],
    });
    const production = parseConfig({
      LIFELINE_ENV: 'production',
      LIFELINE_ALLOW_LOCAL_DELIVERIES: 'true',
      LIFELINE_SIGNING_KEY: 'x',
      ZENDESK_APP_SECRET: 's',
      LIFELINE_ZENDESK_DEV: 'true',
    });
    expect(production.ok).toBe(false);
    expect(!production.ok && production.error.map((p) => p.variable)).toContain('LIFELINE_ZENDESK_DEV');
    const on = parseConfig({ LIFELINE_ZENDESK_DEV: 'true', ZENDESK_APP_SECRET: 's' });
    expect(on.ok && on.value.zendeskDev).toBe(true);
    const off = parseConfig({ ZENDESK_APP_SECRET: 's' });
    expect(off.ok && off.value.zendeskDev).toBeUndefined();
    expect(parseConfig({ LIFELINE_ZENDESK_DEV: 'maybe', ZENDESK_APP_SECRET: 's' })).toMatchObject({
      ok: false,
      error: [{ variable: 'LIFELINE_ZENDESK_DEV' }],
    });
  });
});

describe('on (LIFELINE_ZENDESK_DEV=true)', () => {
  let api: Api;
  const host = 'localhost:80'; // what light-my-request sends as Host
  const proxy = async (options: unknown, headers: Record<string, string> = {}) =>
    api.server.inject({ method: 'POST', url: '/zendesk/dev/proxy', payload: options as object, headers });
  beforeAll(async () => {
    api = await startApi({ LIFELINE_ZENDESK_DEV: 'true' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('the page imitates the ticket, frames the sidebar at 320 px and sets a self-only CSP', async () => {
    const res = await api.server.inject({
      method: 'GET',
      url: '/zendesk/dev?ticket=4242&requester=ops@acme.example&requesterName=Ada%20Ops&agent=sam@example.com',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(DEV_CSP);
    expect(DEV_CSP).toContain("frame-ancestors 'self'");
    expect(DEV_CSP).not.toMatch(/unsafe|https?:/);
    expect(res.body).toContain('Ticket #4242');
    expect(res.body).toContain('Ada Ops &lt;ops@acme.example&gt;');
    expect(res.body).toContain(
      'src="/zendesk/dev/app/iframe.html?ticket=4242&amp;requester=ops%40acme.example&amp;requesterName=Ada+Ops&amp;agent=sam%40example.com&amp;agentName=Support+Engineer"',
    );
    const css = await api.server.inject({ method: 'GET', url: '/zendesk/dev/dev.css' });
    expect(css.body).toMatch(/#lifeline-app\{[^}]*width:320px/);
  });

  it('bad fake-ticket values are refused by name, so nothing reaches the page unescaped', async () => {
    const res = await api.server.inject({ method: 'GET', url: '/zendesk/dev?requesterName=%3Cscript%3E' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('requesterName: must be a name of at most 100 characters\n');
    expect(fakeTicket({ ticket: '12ab' })).toEqual({ field: 'ticket', rule: 'must be a ticket number' });
    expect(fakeTicket({})).toMatchObject({ ticket: { ticket: '1001', agent: 'engineer@example.com' } });
  });

  it('serves the stand-in SDK, and the sidebar page with its ZAF SDK script pointed at it', async () => {
    const sdk = await api.server.inject({ method: 'GET', url: STAND_IN_SDK_PATH });
    expect(sdk.statusCode).toBe(200);
    expect(sdk.headers['content-type']).toMatch(/^text\/javascript/);
    expect(sdk.body).toContain('window.ZAFClient');
    expect(sdk.body).not.toContain(ZENDESK_SECRET);
    const traversal = await api.server.inject({
      method: 'GET',
      url: '/zendesk/dev/app/..%2F..%2Fpackage.json',
    });
    expect(traversal.statusCode).toBe(404);
    const built = existsSync(join(ROOT, 'dist/web/sidebar/index.html'));
    if (built) {
      const page = await api.server.inject({ method: 'GET', url: '/zendesk/dev/app/iframe.html?ticket=1' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`src="${STAND_IN_SDK_PATH}"`);
      expect(page.body).not.toContain(ZAF_SDK_URL);
      expect(page.headers['content-security-policy']).toBe(DEV_CSP);
      expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
  });

  it('the proxy signs a JWT the API accepts: eligibility answers 200, and the secret never comes back', async () => {
    const body = eligibleBody();
    const claims = { ticket_id: String(body['ticketId']), email: 'agent@acme.example', name: 'Agent Smith' };
    const res = await proxy(sidebarRequest(host, '/api/v1/eligibility', body, claims));
    expect(res.statusCode).toBe(200);
    const envelope = res.json() as Envelope;
    expect(envelope.status).toBe(200);
    expect(envelope.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(envelope.body)).toMatchObject({ eligible: true });
    expect(res.body).not.toContain(ZENDESK_SECRET);
  });

  it('issues for the ticket named in the JWT, and refuses another ticket', async () => {
    const body = eligibleBody();
    const claims = { ticket_id: String(body['ticketId']), email: 'agent@acme.example', name: 'Agent Smith' };
    const issued = (
      await proxy(sidebarRequest(host, '/api/v1/emergency-licenses', body, claims))
    ).json() as Envelope;
    expect(issued.status).toBe(201);
    expect(JSON.parse(issued.body)).toMatchObject({
      status: expect.any(String),
      license: expect.any(Object),
    });
    const other = eligibleBody();
    const refused = (
      await proxy(sidebarRequest(host, '/api/v1/emergency-licenses', other, claims))
    ).json() as Envelope;
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({
      error: { code: 'VALIDATION_FAILED', field: 'ticketId' },
    });
  });

  it('a tampered or wrongly signed JWT is refused by the API (401)', async () => {
    const body = eligibleBody();
    const claims = { ticket_id: String(body['ticketId']), email: 'agent@acme.example', name: 'Agent' };
    // The signature changed after signing.
    const tampered = await proxy(
      sidebarRequest(host, '/api/v1/eligibility', body, claims, {
        headers: { Authorization: 'Bearer {{jwt.token}}AA' },
      }),
    );
    expect((tampered.json() as Envelope).status).toBe(401);
    // Signed with a secret that is not the app's.
    const wrongKey = await proxy(
      sidebarRequest(host, '/api/v1/eligibility', body, claims, {
        jwt: { algorithm: 'HS256', secret_key: 'not-the-shared-secret', expiry: 3600, claims },
      }),
    );
    expect((wrongKey.json() as Envelope).status).toBe(401);
    // A token the proxy would sign, its payload changed to another agent: the API refuses it.
    const now = Math.floor(Date.now() / 1000);
    const genuine = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(ZENDESK_SECRET));
    const [head, , signature] = genuine.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...decodeJwt(genuine), email: 'boss@acme.example' }),
    ).toString('base64url');
    const direct = (token: string) =>
      api.server.inject({
        method: 'POST',
        url: '/api/v1/eligibility',
        headers: { authorization: `Bearer ${token}` },
        payload: body,
      });
    expect((await direct(genuine)).statusCode).toBe(200);
    expect((await direct(`${head}.${forged}.${signature}`)).statusCode).toBe(401);
  });

  it('the JWT carries the claims plus iat and exp = iat + expiry (what the proxy signs)', async () => {
    const claims = { ticket_id: '77', email: 'claims@acme.example', name: 'Claims Agent' };
    const token = await signSidebarJwt(ZENDESK_SECRET, claims, 60, 1_800_000_000);
    expect(decodeJwt(token)).toEqual({ ...claims, iat: 1_800_000_000, exp: 1_800_000_060 });
    const [head] = token.split('.');
    expect(JSON.parse(Buffer.from(head ?? '', 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    // An expired one (issued long ago) is refused by the API.
    const old = await signSidebarJwt(ZENDESK_SECRET, claims, 60, 1_700_000_000);
    const res = await api.server.inject({
      method: 'POST',
      url: '/api/v1/eligibility',
      headers: { authorization: `Bearer ${old}` },
      payload: eligibleBody({ ticketId: '77' }),
    });
    expect(res.statusCode).toBe(401);
  });

  it('the proxy keeps the secret for secure requests to its own API, and refuses anything else', async () => {
    const body = eligibleBody();
    const claims = { ticket_id: String(body['ticketId']), email: 'a@acme.example', name: 'A' };
    const cases: [Record<string, unknown>, Record<string, string>, number, string][] = [
      [{ secure: false }, {}, 400, 'secure'],
      [{ url: 'http://evil.example/api/v1/eligibility' }, {}, 400, 'url'],
      [{ url: `http://${host}/zendesk/dev` }, {}, 400, 'url'],
      [{ data: { not: 'a string' } }, {}, 400, 'data'],
      [{ type: 'TRACE' }, {}, 400, 'type'],
      [{ headers: { client_id: 'x' } }, {}, 400, 'headers.client_id'],
      [{ jwt: { algorithm: 'RS256', secret_key: 'k', expiry: 60, claims } }, {}, 400, 'jwt.algorithm'],
      [
        { jwt: { algorithm: 'HS256', secret_key: '{{setting.nope}}', expiry: 60, claims } },
        {},
        400,
        'jwt.secret_key',
      ],
      [{ jwt: { algorithm: 'HS256', secret_key: 'k', expiry: 0, claims } }, {}, 400, 'jwt.expiry'],
      [{}, { origin: 'https://evil.example' }, 403, 'origin'],
    ];
    for (const [overrides, headers, status, field] of cases) {
      const res = await proxy(sidebarRequest(host, '/api/v1/eligibility', body, claims, overrides), headers);
      expect(res.statusCode, field).toBe(status);
      expect(res.json(), field).toMatchObject({ error: { field } });
      expect(res.body).not.toContain(ZENDESK_SECRET);
    }
    // Without secure, the placeholder is not replaced (as in Zendesk): the literal text is no secret.
    const plain = await proxy(
      unsignedRequest(host, '/api/v1/eligibility', body, {
        Authorization: 'Bearer {{setting.shared_secret}}',
      }),
    );
    expect((plain.json() as Envelope).status).toBe(401);
  });

  it('never puts the shared secret into a header or the URL, whose values may come back (x-request-id)', async () => {
    const body = eligibleBody();
    const claims = { ticket_id: String(body['ticketId']), email: 'a@acme.example', name: 'A' };
    const echoed = { Authorization: 'Bearer {{jwt.token}}', 'X-Request-Id': '{{setting.shared_secret}}' };
    const refused = await proxy(
      sidebarRequest(host, '/api/v1/eligibility', body, claims, { headers: echoed }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        field: 'headers.x-request-id',
        message: expect.stringMatching(/JWT/),
      },
    });
    expect(refused.body).not.toContain(ZENDESK_SECRET);
    const inUrl = await proxy(
      sidebarRequest(host, '/api/v1/eligibility', body, claims, {
        url: `http://${host}/api/v1/{{setting.shared_secret}}`,
      }),
    );
    expect(inUrl.statusCode).toBe(400);
    expect(inUrl.json()).toMatchObject({ error: { field: 'url' } });
    expect(inUrl.body).not.toContain(ZENDESK_SECRET);
    // Not marked secure: the placeholder stays as written (no secret), and the API does not echo it.
    const notSecure = await proxy(
      unsignedRequest(host, '/api/v1/eligibility', body, { 'X-Request-Id': '{{setting.shared_secret}}' }),
    );
    expect(notSecure.statusCode).toBe(200);
    expect(notSecure.body).not.toContain(ZENDESK_SECRET);
    // The plain setting still fills a URL, and a signed request with a sane request id goes through.
    const ok = await proxy(
      sidebarRequest(host, '/api/v1/eligibility', body, claims, {
        url: '{{setting.backend_url}}/api/v1/eligibility',
        headers: { Authorization: 'Bearer {{jwt.token}}', 'X-Request-Id': 'dev-1' },
      }),
    );
    expect(ok.json()).toMatchObject({ status: 200, headers: { 'x-request-id': 'dev-1' } });
    expect(ok.body).not.toContain(ZENDESK_SECRET);
  });

  it('answers only a loopback Host from a loopback peer; anything else gets 403 in the error envelope', async () => {
    const routes = [
      ['GET', '/zendesk/dev'],
      ['GET', '/zendesk/dev/dev.css'],
      ['GET', '/zendesk/dev/logo-small.png'],
      ['GET', STAND_IN_SDK_PATH],
      ['GET', '/zendesk/dev/app/iframe.html'],
      ['POST', '/zendesk/dev/proxy'],
    ] as const;
    const body = eligibleBody();
    const claims = { ticket_id: String(body['ticketId']), email: 'a@acme.example', name: 'A' };
    const call = (method: 'GET' | 'POST', url: string, hostHeader: string, remoteAddress = '127.0.0.1') =>
      api.server.inject({
        method,
        url,
        remoteAddress,
        headers: { host: hostHeader },
        ...(method === 'POST'
          ? { payload: sidebarRequest(hostHeader, '/api/v1/eligibility', body, claims) }
          : {}),
      });
    const foreign: [string, string][] = [
      ['evil.example', '127.0.0.1'],
      ['localhost.evil.example', '127.0.0.1'],
      ['127.0.0.1.nip.io:8080', '127.0.0.1'],
      ['192.168.1.5:8080', '127.0.0.1'],
      ['localhost:3000', '192.168.1.7'],
      ['localhost:3000', '::ffff:10.0.0.1'],
    ];
    for (const [method, url] of routes) {
      for (const [hostHeader, peer] of foreign) {
        const res = await call(method, url, hostHeader, peer);
        expect(res.statusCode, `${method} ${url} Host ${hostHeader} from ${peer}`).toBe(403);
        expect(res.json()).toMatchObject({
          error: {
            code: 'FORBIDDEN',
            message: expect.stringMatching(/localhost/),
            requestId: expect.any(String),
          },
        });
        expect(res.body).not.toContain(ZENDESK_SECRET);
      }
    }
    for (const hostHeader of ['localhost', 'LOCALHOST:3000', '127.0.0.1:8080', '[::1]:8080']) {
      expect((await call('GET', '/zendesk/dev', hostHeader)).statusCode, hostHeader).toBe(200);
      expect((await call('GET', '/zendesk/dev', hostHeader, '::1')).statusCode, hostHeader).toBe(200);
      const proxied = await call('POST', '/zendesk/dev/proxy', hostHeader);
      expect(proxied.json(), hostHeader).toMatchObject({ status: 200 });
    }
  });

  it('finds the project root from its own folder', () => {
    expect(projectRoot()).toBe(ROOT.replace(/\/$/, ''));
  });
});

describe('in real Chromium, with the built sidebar', () => {
  const built = existsSync(join(ROOT, 'dist/web/sidebar/index.html'));
  let api: Api;
  let base = '';
  let browser: Browser | null = null;
  beforeAll(async () => {
    if (!built) return;
    api = await startApi({ LIFELINE_ZENDESK_DEV: 'true' });
    base = await api.server.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (built) await api.close();
  });

  it.skipIf(!built)(
    'the sidebar is pre-filled from the fake ticket, issues on a pinned date and shows the license issued',
    async () => {
      const page = await (browser as Browser).newPage({ viewport: { width: 1100, height: 1000 } });
      const external: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(base)) external.push(r.url());
      });
      // Dates are inputs: every call the sidebar makes through the proxy is pinned to Saturday 2026-11-28.
      const sentToApi: string[] = [];
      await page.route('**/zendesk/dev/proxy', async (route) => {
        const options = route.request().postDataJSON() as { url: string; data?: string };
        sentToApi.push(new URL(options.url).pathname);
        if (typeof options.data === 'string') {
          options.data = JSON.stringify({ ...(JSON.parse(options.data) as object), today: '2026-11-28' });
        }
        await route.continue({ postData: JSON.stringify(options) });
      });
      const query = new URLSearchParams({
        ticket: '5151',
        requester: 'ops@customer5151.example',
        requesterName: 'Dana Ops',
        agent: 'robin@example.com',
        agentName: 'Robin Agent',
      });
      await page.goto(`${base}/zendesk/dev?${query.toString()}`);
      const frame = page.frameLocator('#lifeline-app');

      // Pre-filled from the ticket, the agent shown as the engineer.
      await expect.poll(() => frame.getByLabel('Ticket', { exact: true }).inputValue()).toBe('5151');
      expect(await frame.getByLabel('Requester email').inputValue()).toBe('ops@customer5151.example');
      expect(await frame.locator('output.engineer').textContent()).toBe('Robin Agent (engineer)');
      expect(await frame.getByLabel('Ticket', { exact: true }).isEditable()).toBe(false);

      // The rest, as read from the customer's screenshots.
      await frame.getByLabel('Plan').selectOption('premium');
      await frame.getByLabel('Expired on').fill('2026-11-14');
      await frame.getByLabel('Seats of the previous license').fill('100');
      await frame.getByLabel('Seats', { exact: true }).fill('120');
      await frame
        .getByRole('region', { name: 'Eligibility' })
        .getByText('Eligible: every rule passes.')
        .waitFor();

      // The 320 px sidebar, as an agent sees it.
      const sidebarFrame = page.locator('#lifeline-app');
      expect((await sidebarFrame.boundingBox())?.width).toBe(320);
      const shots = join(ROOT, 'test-results', 'screenshots');
      mkdirSync(shots, { recursive: true });
      await sidebarFrame.screenshot({ path: join(shots, 'sidebar-320.png') });

      await frame.getByRole('button', { name: 'Review and issue…' }).click();
      await frame.getByRole('button', { name: 'Issue and send to ops@customer5151.example' }).click();
      await frame.getByRole('heading', { name: 'Emergency license issued' }).waitFor();
      await sidebarFrame.screenshot({ path: join(shots, 'sidebar-320-issued.png') });

      // Issued for that ticket, by that agent, on the pinned date (expires 10 days later).
      const list = await api.call('GET', '/api/v1/emergency-licenses?ticket=5151', {
        token: api.tokens.admin,
      });
      const records = (list.json() as { items?: unknown[]; requests?: unknown[] }) ?? {};
      const all = JSON.stringify(records);
      expect(all).toContain('"ticketId":"5151"');
      expect(all).toContain('robin@example.com');
      expect(all).toMatch(/"expiresAt":"2026-12-08"/);
      expect(sentToApi).toContain('/api/v1/eligibility');
      expect(sentToApi).toContain('/api/v1/emergency-licenses');
      // Nothing was loaded from the internet: the ZAF SDK is the stand-in.
      expect(external).toEqual([]);

      // The stand-in's contract, from inside the frame: metadata, bulk get, and a non-2xx answer
      // rejecting with { status, responseJSON, responseText }.
      const appFrame = page.frame({ url: /\/zendesk\/dev\/app\/iframe\.html/ });
      const contract = await appFrame?.evaluate(async () => {
        type Client = {
          metadata(): Promise<{ settings: Record<string, unknown> }>;
          get(paths: string[]): Promise<Record<string, unknown>>;
          request(options: Record<string, unknown>): Promise<unknown>;
        };
        const w = globalThis as unknown as { ZAFClient: { init(): Client }; location: { origin: string } };
        const client = w.ZAFClient.init();
        const metadata = await client.metadata();
        const got = await client.get(['ticket.id', 'currentUser.email', 'ticket.nope']);
        const rejection = await client
          .request({
            url: `${w.location.origin}/api/v1/emergency-licenses`,
            type: 'POST',
            contentType: 'application/json',
            data: JSON.stringify({ ticketId: '999999', requesterEmail: 'x@y.example', seats: 1 }),
            secure: true,
            httpCompleteResponse: true,
            headers: { Authorization: 'Bearer {{jwt.token}}' },
            jwt: {
              algorithm: 'HS256',
              secret_key: '{{setting.shared_secret}}',
              expiry: 3600,
              claims: { ticket_id: '5151', email: 'robin@example.com', name: 'Robin Agent' },
            },
          })
          .then(
            () => null,
            (e: unknown) => e,
          );
        return { settings: metadata.settings, got, rejection };
      });
      expect(contract?.settings).toEqual({ backend_url: base, title: 'Lifeline' });
      expect(contract?.got).toMatchObject({
        'ticket.id': 5151,
        'currentUser.email': 'robin@example.com',
        errors: { 'ticket.nope': expect.any(Object) },
      });
      expect(contract?.rejection).toMatchObject({
        status: 400,
        responseJSON: { error: { code: 'VALIDATION_FAILED', field: 'ticketId' } },
        responseText: expect.stringContaining('ticketId'),
      });
      await page.close();
    },
  );
});
