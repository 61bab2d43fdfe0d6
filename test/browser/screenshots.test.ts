/**
 * The customer's screenshots in a real Chromium against a real Lifeline (the real reader, one per
 * file): dropped on the console's issue form, the fields fill, each marked with a crop to look at,
 * an unsure read highlighted and a disagreement with a typed value flagged, the request then
 * records what was read and what the engineer changed; and the sidebar, on a ticket whose Zendesk
 * (a loopback stand-in) carries two screenshot attachments, fills the form and names no missing
 * screenshot, and with one names the missing one. axe-core: no serious violation.
 */
import { storeOf } from '../../src/app.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpPeer } from '../helpers/http-peer.js';
import {
  DASHBOARD_SHOT,
  fixtureShot,
  startZendeskStandIn,
  SUBSCRIPTION_SHOT,
} from '../helpers/zendesk-attachments.js';
import {
  freshCustomer,
  openTab,
  screenshot,
  axeViolations,
  signIn,
  startWeb,
  ZENDESK_SECRET,
  type Tab,
  type WebEnv,
} from './harness.js';
import { previousLicense } from '../ops/helpers.js';
import { actAsZendesk } from './zaf.js';

let env: WebEnv;
let zendesk: HttpPeer;
const attachments = new Map<string, string[]>([
  ['4201', [SUBSCRIPTION_SHOT, DASHBOARD_SHOT]],
  ['4202', [DASHBOARD_SHOT]],
]);

beforeAll(async () => {
  const standIn = await startZendeskStandIn((ticket) => attachments.get(ticket) ?? []);
  zendesk = standIn.peer;
  env = await startWeb(standIn.env);
}, 60_000);

afterAll(async () => {
  await env?.close();
  await zendesk?.close();
});

/** A DataTransfer in the page holding fixture screenshots (as the browser makes one). */
function transferOf(page: Page, names: string[]) {
  const files = names.map((name) => ({ name, data: fixtureShot(name).toString('base64') }));
  return page.evaluateHandle(`(() => {
    const dt = new DataTransfer();
    for (const f of ${JSON.stringify(files)}) {
      const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: 'image/png' }));
    }
    return dt;
  })()`);
}

/** Drops image files on the form's drop zone, as a drag from the desktop does. */
async function dropFiles(page: Page, names: string[]): Promise<void> {
  const transfer = await transferOf(page, names);
  const zone = page.locator('fieldset.screenshots .dropzone');
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
}

const mark = (page: Page, field: string) => page.locator(`.read-mark[data-field="${field}"]`);

describe('the console issue form', { timeout: 120_000 }, () => {
  let tab: Tab;

  it('fills the fields from a dropped screenshot, marked, with a disagreement flagged', async () => {
    tab = await openTab(env);
    const { page } = tab;
    await signIn(tab, env, env.tokens.engineer);
    await page.goto(`${env.baseUrl}/issue`);
    const customer = freshCustomer();
    await page.getByLabel('Ticket', { exact: true }).fill(customer.ticket);
    await page.getByLabel('Requester email').fill(customer.email);
    await page.getByLabel('Seats', { exact: true }).fill('300');
    // Typed before the screenshot is read: it stays, and the read flags that it differs.
    await page.getByLabel('Seats of the previous license').fill('260');

    await dropFiles(page, [SUBSCRIPTION_SHOT]);
    await page.getByText(/^Read 1 screenshot;/).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('status').filter({ hasText: 'Missing:' }).textContent()).toContain(
      'Missing: the Admin Area dashboard.',
    );
    expect(await page.getByLabel('Plan', { exact: true }).inputValue()).toBe('premium');
    expect(await page.getByLabel('Expired on').inputValue()).toBe('2026-03-07');
    expect(await page.getByLabel('Maximum users').inputValue()).toBe('271');
    expect(await page.getByLabel('Billable users').inputValue()).toBe('262');
    expect(await page.getByLabel('Seats of the previous license').inputValue()).toBe('260');
    expect(await mark(page, 'plan').textContent()).toContain('Read from screenshot 1.');
    expect(await mark(page, 'previousSeats').textContent()).toContain(
      'Differs from screenshot 1, which reads “250”.',
    );
    expect(await page.locator('.field-differs #issue-previous-seats').count()).toBe(1);
    // The input is described by its mark (screen readers hear it with the field).
    expect(await page.getByLabel('Maximum users').getAttribute('aria-describedby')).toBe(
      'read-mark-maximumUsers',
    );

    // The crop the value was read from.
    await mark(page, 'previousSeats').getByRole('button', { name: 'Show where it was read' }).click();
    const crop = page.getByRole('img', {
      name: 'The part of screenshot 1 where “Users in subscription” was read',
    });
    await crop.waitFor();
    expect(await crop.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBeGreaterThan(50);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-screenshots-read');
  });

  it('highlights an unsure read: two subscription pages that disagree', async () => {
    const { page } = tab;
    await dropFiles(page, [SUBSCRIPTION_SHOT, 'subscription-dark-100-inter.png']);
    await page.getByText(/^Read 2 screenshots;/).waitFor({ timeout: 30_000 });
    // Two images reading different values leave the field below high confidence.
    const check = mark(page, 'maximumUsers').locator('.read-mark-warning');
    await check.waitFor();
    expect(await check.textContent()).toMatch(/Check it: read with low confidence \(\d+%\)/);
    expect(await page.locator('.field-check #issue-maximum-users').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    expect(tab.problems).toEqual([]);
    expect(tab.external).toEqual([]);
  });

  it('reads a screenshot pasted on the page (Ctrl+V after a screen capture)', async () => {
    const { page } = tab;
    const transfer = await transferOf(page, [DASHBOARD_SHOT]);
    // (The test files are compiled without the DOM's types: the page's globals are named here.)
    await transfer.evaluate((dt) => {
      const page = globalThis as unknown as {
        document: { dispatchEvent(event: unknown): boolean };
        ClipboardEvent: new (type: string, init: unknown) => unknown;
      };
      page.document.dispatchEvent(new page.ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    });
    await page.getByText('Missing: the Subscription (or License) page.').waitFor({ timeout: 30_000 });
  });

  it('issues on the values confirmed; the request records the read and what was changed', async () => {
    const { page } = tab;
    // Back to the first read, then correct the expiry (the screenshot is an old one).
    await dropFiles(page, [SUBSCRIPTION_SHOT]);
    await page.getByText(/^Read 1 screenshot;/).waitFor({ timeout: 30_000 });
    await page.getByLabel('Plan', { exact: true }).selectOption('premium');
    await page.getByLabel('Maximum users').fill('271');
    await page.getByLabel('Billable users').fill('262');
    await page.getByLabel('Expired on').fill('2026-11-14');
    await expect.poll(() => mark(page, 'expiresAt').textContent()).toContain('which reads “2026-03-07”');
    // The rules judge the values as corrected (the window is open), not the screenshot's.
    await page.locator('li.rule[data-code="GRACE_ENDED_TOO_LONG_AGO"][data-state="passed"]').waitFor();
    await page.getByRole('button', { name: 'Review and issue…' }).click();
    await page.getByRole('button', { name: /^Issue and send to / }).click();
    const open = page.getByRole('link', { name: /^Open request / });
    await open.waitFor({ timeout: 20_000 });
    const id = decodeURIComponent((await open.getAttribute('href'))!.split('/requests/')[1]!);
    const stored = await storeOf(env.app).getRequest(id);
    expect(stored?.evidence.screenshots?.changed).toEqual([
      { field: 'expiresAt', read: '2026-03-07', sent: '2026-11-14' },
      { field: 'previousSeats', read: 250, sent: 260 },
    ]);
    await page.goto(`${env.baseUrl}/requests/${encodeURIComponent(id)}`);
    const section = page.getByRole('region', { name: "Customer's screenshots" });
    await section.waitFor();
    expect(await section.locator('tr[data-field="previousSeats"]').textContent()).toContain('changed to 260');
    expect(await section.locator('tr[data-field="plan"]').textContent()).toContain('as read');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('flags a value read that the decoded license file contradicts', async () => {
    const { page } = tab;
    await page.goto(`${env.baseUrl}/issue`);
    await dropFiles(page, [SUBSCRIPTION_SHOT]);
    await page.getByText(/^Read 1 screenshot;/).waitFor({ timeout: 30_000 });
    // The license (100 seats, expired 2026-11-14) fills its fields; the screenshot said 250.
    const license = previousLicense({
      Name: 'Jane Doe',
      Company: 'Acme Corp',
      Email: 'jane.doe@example.com',
    });
    await page.getByLabel(/^Customer's expired license/).fill(license);
    await page.getByText(/^Decoded: premium plan/).waitFor();
    await expect
      .poll(() => mark(page, 'previousSeats').textContent())
      .toContain('The license file says “100”.');
    expect(await mark(page, 'expiresAt').textContent()).toContain('The license file says “2026-11-14”.');
    expect(await mark(page, 'plan').textContent()).not.toContain('license file');
  });
});

describe('the sidebar on a ticket with screenshot attachments', { timeout: 120_000 }, () => {
  let tab: Tab;

  beforeAll(async () => {
    tab = await openTab(env, { width: 320, height: 800, bypassCSP: true });
    await actAsZendesk(tab.page, env, () => ZENDESK_SECRET);
  });

  it('fills the form from the two screenshots and names none missing', async () => {
    const { page } = tab;
    await page.goto(`${env.baseUrl}/sidebar/?ticket=4201&email=ops@sidebar4201.example`);
    await page.getByRole('button', { name: "Fill from the ticket's screenshots" }).click();
    await page.getByText('Both screenshots are there.').waitFor({ timeout: 30_000 });
    expect(await page.getByLabel('Seats of the previous license').inputValue()).toBe('250');
    expect(await page.getByLabel('Plan', { exact: true }).inputValue()).toBe('premium');
    expect(await mark(page, 'plan').textContent()).toContain('Read from screenshot 1.');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sidebar-screenshots-read-320px');
  });

  it('names the missing screenshot when the ticket carries only the dashboard', async () => {
    const { page } = tab;
    await page.goto(`${env.baseUrl}/sidebar/?ticket=4202&email=ops@sidebar4202.example`);
    await page.getByRole('button', { name: "Fill from the ticket's screenshots" }).click();
    await page.getByText('Missing: the Subscription (or License) page.').waitFor({ timeout: 30_000 });
    expect(await page.getByLabel('Seats of the previous license').inputValue()).toBe('');
    expect(tab.problems).toEqual([]);
  });
});
