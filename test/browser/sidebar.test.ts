/**
 * The built sidebar page (dist/web/sidebar) in a real Chromium at 320 px, with a ZAF client that
 * keeps web/sidebar/ZAF.md to the letter: every API call goes through `client.request`, which here
 * signs the HS256 JWT in Node with the app's shared secret and calls the real Lifeline; a non-2xx
 * answer rejects. (The /zendesk/dev stand-in has its own test; this one checks the app's side.)
 * On a ticket that has a request, the sidebar shows that request first (state, deliveries, resend,
 * copy, download, the console link) and no form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  horizontalOverflow,
  issueThroughApi,
  openTab,
  screenshot,
  startWeb,
  ZENDESK_SECRET,
  type Tab,
  type WebEnv,
} from './harness.js';
import { storeOf } from '../../src/app.js';
import { actAsZendesk, ZAF_SDK, type ZafOptions } from './zaf.js';

let env: WebEnv;
let tab: Tab;
/** Every ZAF request the app made, as it made it. */
let seen: ZafOptions[] = [];
let secret = ZENDESK_SECRET;

beforeAll(async () => {
  env = await startWeb();
  // The real sidebar runs inside Zendesk, under Zendesk's headers: Lifeline's /sidebar/ CSP allows
  // no external script, so this test lets the page load the (intercepted) SDK URL.
  tab = await openTab(env, { width: 320, height: 700, bypassCSP: true });
  seen = await actAsZendesk(tab.page, env, () => secret);
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
    expect(await axeViolations(page)).toEqual([]);
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
      // The first call (the ticket's requests) is refused: said, with a way to try again.
      await page.goto(`${env.baseUrl}/sidebar/?ticket=7002&email=ops@sidebar7002.example`);
      await page.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED' }).waitFor();
      expect(await page.getByRole('alert').first().textContent()).toMatch(
        /the signed request is invalid or expired \(UNAUTHENTICATED/,
      );
      expect(await page.locator('form.issue-form').count()).toBe(0);
      secret = ZENDESK_SECRET;
      await page.getByRole('button', { name: 'Try again' }).click();
      await expect.poll(() => page.getByLabel('Ticket', { exact: true }).inputValue()).toBe('7002');
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

describe("the ticket's request first", { timeout: 60_000 }, () => {
  const open = async (ticket: string) => {
    await tab.page.goto(`${env.baseUrl}/sidebar/?ticket=${ticket}&email=ops@sidebar${ticket}.example`);
    await tab.page.locator('.request-state, form.issue-form').first().waitFor();
  };
  const deliveryStates = async () =>
    Promise.all((await tab.page.locator('li.delivery').all()).map((l) => l.getAttribute('data-status')));

  it('shows the form on a ticket without a request, and only the request on a ticket with one', async () => {
    const { page } = tab;
    await open('7101');
    await page.getByLabel('Seats', { exact: true }).waitFor();
    expect(await page.locator('.request-state').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sidebar-ticket-without-request-320px');

    const issued = await issueThroughApi(env, {
      ticketId: '7102',
      requesterEmail: 'ops@sidebar7102.example',
      seats: 20,
      expiresAt: '2026-11-14',
      previousSeats: 20,
    });
    expect(issued.status).toBe(201);
    const asked = seen.length;
    await open('7102');
    const state = page.locator('section.request-state');
    await state.getByRole('heading', { name: 'Emergency license issued' }).waitFor();
    // The request is the first thing under the app's title, and there is no form to fill.
    expect(
      await page.evaluate(
        "document.querySelector('main h1').nextElementSibling === document.querySelector('.request-state')",
      ),
    ).toBe(true);
    expect(await page.locator('form.issue-form').count()).toBe(0);
    expect(await state.textContent()).toMatch(
      /Issued\s*Ticket 7102 · ops@sidebar7102\.example · 20 seats · expires 2026-12-08/,
    );
    await expect(state.locator('.request-times').textContent()).resolves.toMatch(
      /Asked by erin2026-11-28 10:\d\d UTC.*License dated2026-11-28$/,
    );
    // It was found through ZAF: the list by ticket, signed for this ticket.
    const lookups = seen.slice(asked).filter((o) => o.type === 'GET' && o.url.includes('ticket=7102'));
    expect(lookups.length).toBe(1);
    expect(lookups[0]?.jwt.claims['ticket_id']).toBe('7102');
    // Each delivery's state and when; they finish live.
    await expect
      .poll(deliveryStates, { timeout: 20_000 })
      .toSatisfy((s: (string | null)[]) => s.length === 4 && s.every((x) => x === 'sent'));
    for (const text of await state.locator('li.delivery').allTextContents())
      expect(text).toMatch(/Done.* · 2026-11-28 10:\d\d UTC/);

    // The console record, the license file, copy.
    const link = state.getByRole('link', { name: `Open request ${issued.record.id} in the console` });
    expect(await link.getAttribute('href')).toBe(`${env.baseUrl}/requests/${issued.record.id}`);
    expect(await link.getAttribute('target')).toBe('_blank');
    const license = await storeOf(env.app).getLicenseForRequest(issued.record.id);
    const download = state.getByRole('link', { name: /^Download / });
    expect(await download.getAttribute('download')).toBe(license?.fileName);
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(await readDownload(file)).toBe(license?.text);
    await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.baseUrl });
    await state.getByRole('button', { name: 'Copy license' }).click();
    await state.getByText('License copied to the clipboard.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(license?.text);

    expect(await axeViolations(page)).toEqual([]);
    const overflow = await horizontalOverflow(page);
    expect(overflow.offenders).toEqual([]);
    await screenshot(page, 'sidebar-ticket-with-request-320px');

    // Resend: the same license again, to the requester, through a signed request.
    await state.getByRole('button', { name: 'Resend to ops@sidebar7102.example' }).click();
    await state.getByText('The license is queued to be sent again to ops@sidebar7102.example.').waitFor();
    const resend = seen.filter((o) => o.type === 'POST' && o.url.endsWith(`/${issued.record.id}/resend`));
    expect(resend).toHaveLength(1);
    await expect
      .poll(deliveryStates, { timeout: 20_000 })
      .toSatisfy((s: (string | null)[]) => s.length > 4 && s.every((x) => x === 'sent'));
    const deliveries = await storeOf(env.app).listDeliveries(issued.record.id);
    const resent = deliveries.filter((d) => d.purpose === 'resend' && d.channel === 'email');
    expect(resent.map((d) => d.recipient)).toEqual(['ops@sidebar7102.example']);
    expect(tab.problems).toEqual([]);
  });

  it('a request waiting for approval has no resend and no form; a refused one is shown above the form', async () => {
    const { page } = tab;
    const pending = await issueThroughApi(env, {
      ticketId: '7103',
      requesterEmail: 'ops@sidebar7103.example',
      seats: 20,
      expiresAt: '2026-11-20',
      overrideReason: 'The customer is down; the TAM confirmed it on the call.',
    });
    expect(pending.status).toBe(202);
    await open('7103');
    const state = page.locator('section.request-state');
    await state.getByRole('heading', { name: 'Waiting for approval by licensing' }).waitFor();
    expect(await state.getByRole('button', { name: /^Resend/ }).count()).toBe(0);
    expect(await page.locator('form.issue-form').count()).toBe(0);

    const refused = await issueThroughApi(env, {
      ticketId: '7104',
      requesterEmail: 'ops@sidebar7104.example',
      seats: 20,
      expiresAt: '2026-11-20',
    });
    expect(refused.status).toBe(422);
    await open('7104');
    await state.getByRole('heading', { name: 'Refused' }).waitFor();
    // A refusal holds no ticket: the form is there to try again, below the refusal.
    await page.getByRole('heading', { name: 'Try again for this ticket' }).waitFor();
    expect(await page.getByLabel('Ticket', { exact: true }).inputValue()).toBe('7104');
    expect(await axeViolations(page)).toEqual([]);
  });
});

/** The text of a downloaded file. */
async function readDownload(download: import('playwright-core').Download): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await download.createReadStream()) as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
