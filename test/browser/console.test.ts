/**
 * The web console in a real Chromium against a real Lifeline: issuing end to end with the deliveries
 * finishing live, a refusal and the override path with licensing's approval, lookup and resend, the
 * license inspector on a reference vector, keyboard-only use, axe-core, 320 px, and screenshots.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../src/adapters/mail/smtp-mailer.js';
import { loadVectors, VECTORS_DIR } from '../helpers/vectors.js';
import {
  freshCustomer,
  horizontalOverflow,
  openTab,
  screenshot,
  SCREENSHOTS,
  axeViolations,
  signIn,
  startWeb,
  type Tab,
  type WebEnv,
} from './harness.js';
import { storeOf } from '../../src/app.js';
import { makeRequest } from './seed.js';

let env: WebEnv;
let engineer: Tab;
let licensing: Tab;
/** The request issued by the first test (looked up and resent later). */
let issued: { id: string; ticket: string; email: string } | null = null;

beforeAll(async () => {
  env = await startWeb();
  engineer = await openTab(env);
  licensing = await openTab(env);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

async function fillIssueForm(
  page: Page,
  values: {
    ticket: string;
    email: string;
    seats: string;
    plan?: string;
    expiresAt?: string;
    previousSeats?: string;
  },
) {
  await page.getByLabel('Ticket', { exact: true }).fill(values.ticket);
  await page.getByLabel('Requester email').fill(values.email);
  if (values.plan) await page.getByLabel('Plan', { exact: true }).selectOption(values.plan);
  if (values.expiresAt) await page.getByLabel('Expired on').fill(values.expiresAt);
  if (values.previousSeats) await page.getByLabel('Seats of the previous license').fill(values.previousSeats);
  await page.getByLabel('Seats', { exact: true }).fill(values.seats);
}

const ruleState = (page: Page, code: string) => page.locator(`li.rule[data-code="${code}"]`);

/** The data-status of every delivery shown (the page's own state, read without page scripts: CSP). */
async function deliveryStatuses(page: Page): Promise<(string | null)[]> {
  return Promise.all((await page.locator('li.delivery').all()).map((l) => l.getAttribute('data-status')));
}

async function allDeliveriesSent(page: Page, count = 4): Promise<void> {
  await expect
    .poll(() => deliveryStatuses(page), { timeout: 20_000, interval: 200 })
    .toSatisfy((s: (string | null)[]) => s.length >= count && s.every((x) => x === 'sent'));
}

// Generous per-test time: Chromium shares two cores with the rest of the suite under `npm test`.
describe('the web console', { timeout: 60_000 }, () => {
  it('shows the login link error, refuses a bad token, and signs in with a good one', async () => {
    const { page } = engineer;
    await page.goto(`${env.baseUrl}/requests`);
    // No session: the console sends the browser to the login page.
    await page.waitForURL(/\/login/);
    await page.goto(`${env.baseUrl}/login?error=link`);
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(
      /login link was already used/,
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('API token').fill('llt_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token is unknown or revoked.').waitFor();
    await signIn(engineer, env, env.tokens.engineer);
    await expect(page.locator('.topbar .user').textContent()).resolves.toContain('erin');
  });

  it('issues an emergency license end to end and shows the four deliveries finishing live', async () => {
    const { page } = engineer;
    const customer = freshCustomer();
    await page.goto(`${env.baseUrl}/issue`);
    await fillIssueForm(page, {
      ticket: customer.ticket,
      email: customer.email,
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: '100',
      seats: '100',
    });
    await page.getByLabel('Maximum users').fill('118');
    await page.getByLabel('Billable users').fill('112');
    // Live eligibility: 100 seats + 10% do not cover the peak of 118 (rule 7), with its sentence.
    await ruleState(page, 'SEATS_BELOW_INSTANCE_PEAK').and(page.locator('[data-state="failed"]')).waitFor();
    await expect(ruleState(page, 'SEATS_BELOW_INSTANCE_PEAK').textContent()).resolves.toMatch(
      /smallest accepted seat count is 108/,
    );
    await expect(page.locator('[data-fact="recommendedSeats"]').textContent()).resolves.toBe('118');
    await expect(page.locator('[data-fact="minimumSeats"]').textContent()).resolves.toBe('108');
    // Taking the recommendation makes it eligible; every rule is listed as passed.
    await page.getByRole('button', { name: 'Use 118' }).click();
    await page.locator('.eligibility[data-eligible="true"]').waitFor();
    await expect(page.locator('li.rule[data-state="passed"]').count()).resolves.toBe(9);
    await expect(page.getByLabel('Seats', { exact: true }).inputValue()).resolves.toBe('118');
    // The grace window on its timeline: expired 14th, read-only 28th, today the 28th.
    await expect(page.locator('.timeline svg').getAttribute('aria-label')).resolves.toMatch(
      /expired 2026-11-14, grace period ended 2026-11-28, emergency window until 2026-12-01, today 2026-11-28 is inside/,
    );
    await expect(page.locator('.engineer').textContent()).resolves.toBe('erin (engineer)');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-issue-form-eligible');

    await page.getByRole('button', { name: 'Review and issue…' }).click();
    const confirm = page.locator('.confirm-text');
    await expect(confirm.textContent()).resolves.toBe(
      `Send a 10-day emergency license for 118 seats to ${customer.email}, expiring on 2026-12-08, for ticket ${customer.ticket}?`,
    );
    await page.getByRole('button', { name: `Issue and send to ${customer.email}` }).click();
    await page.getByRole('heading', { name: 'Emergency license issued' }).waitFor();
    await allDeliveriesSent(page);
    const channels = await page
      .locator('.issue-result li.delivery')
      .evaluateAll((els) =>
        els.map((e) => (e as unknown as { dataset: Record<string, string> }).dataset['channel']).sort(),
      );
    expect(channels).toEqual(['chat', 'email', 'ticket', 'tracker']);
    await screenshot(page, 'console-issue-delivered');
    // The license to copy or download, and the tracker issue.
    const text = await page.getByLabel(/^License file /).inputValue();
    expect(text.length).toBeGreaterThan(200);
    await expect(page.getByRole('link', { name: /^Download / }).getAttribute('download')).resolves.toMatch(
      /\.gitlab-license$/,
    );
    await expect(page.getByText(/^Tracker issue:/).textContent()).resolves.toMatch(/#\S+/);
    // The email really went to the local outbox.
    const outbox = join(env.app.dataDir, 'outbox');
    const emails = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    expect(emails.some((f) => readFileSync(join(outbox, f), 'utf8').includes(customer.email))).toBe(true);
    const href = await page.getByRole('link', { name: /^Open request / }).getAttribute('href');
    issued = { id: decodeURIComponent(href!.replace('/requests/', '')), ...customer };
    expect(engineer.problems).toEqual([]);
    expect(engineer.external).toEqual([]);
  });

  it("shows a refusal with its code; an engineer's override waits and a licensing user approves it", async () => {
    const { page } = engineer;
    const customer = freshCustomer();
    await page.goto(`${env.baseUrl}/issue`);
    // Expired on the 20th: the instance keeps working until 2026-12-04 (rule 4).
    await fillIssueForm(page, {
      ticket: customer.ticket,
      email: customer.email,
      plan: 'ultimate',
      expiresAt: '2026-11-20',
      previousSeats: '50',
      seats: '50',
    });
    const rule4 = ruleState(page, 'STILL_IN_GRACE');
    await rule4.and(page.locator('[data-state="failed"]')).waitFor();
    await expect(rule4.textContent()).resolves.toMatch(/STILL_IN_GRACE.*read-only on 2026-12-04/);
    await expect(page.locator('.verdict').textContent()).resolves.toMatch(/can be overridden/);
    // Without the override the form refuses to go on.
    await page.getByRole('button', { name: 'Review and issue…' }).click();
    await page.getByText(/override the refusal with a reason/).waitFor();
    await page.getByLabel('Override the refusal with a written reason').check();
    await page.getByLabel(/^Reason \(at least 20/).fill('Bank outage confirmed on the call with the TAM.');
    await page.getByText(/creates a request pending approval/).waitFor();
    await page.getByRole('button', { name: 'Review override request…' }).click();
    await expect(page.locator('.confirm-text').textContent()).resolves.toMatch(
      new RegExp(`^Ask licensing to approve a 10-day emergency license for 50 seats to ${customer.email}`),
    );
    await page.getByRole('button', { name: 'Send for approval' }).click();
    await page.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    await expect(page.locator('.issue-result .badge').textContent()).resolves.toBe('Pending approval');

    // Licensing: the queue, the request, Approve.
    await signIn(licensing, env, env.tokens.licensing);
    const lp = licensing.page;
    await lp.getByRole('link', { name: 'Approvals' }).click();
    const row = lp.locator('tr', { hasText: customer.email });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('STILL_IN_GRACE');
    await screenshot(lp, 'console-approvals');
    expect(await axeViolations(lp)).toEqual([]);
    await row.getByRole('link').click();
    await lp.getByRole('heading', { name: /^Request / }).waitFor();
    await lp.getByRole('button', { name: 'Approve' }).click();
    // Approving generates a license: it is asked once more, in a modal dialog.
    const dialog = lp.getByRole('dialog', { name: 'Approve this override?' });
    await dialog.waitFor();
    expect(await axeViolations(lp)).toEqual([]);
    await dialog.getByRole('button', { name: 'Approve and issue' }).click();
    await lp.getByText('Approved: the license is generated').waitFor();
    await expect(lp.locator('#detail-summary .badge').textContent()).resolves.toBe('Issued');
    await lp.getByText(/^Approved by lee/).waitFor();
    await allDeliveriesSent(lp);
    expect(licensing.problems).toEqual([]);
  });

  it('looks a request up by ticket and resends the same license', async () => {
    expect(issued).not.toBeNull();
    const { page } = engineer;
    await page.getByRole('link', { name: 'Requests' }).click();
    await page.getByLabel('Ticket', { exact: true }).fill(issued!.ticket);
    // The date range includes its last day.
    await page.getByLabel('Created from').fill('2026-11-28');
    await page.getByLabel('Created to').fill('2026-11-28');
    await page.getByLabel('Engineer').fill('erin');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const rows = page.locator('table.list tbody tr');
    await expect
      .poll(async () => (await rows.allTextContents()).map((t) => t.includes(issued!.email)))
      .toEqual([true]);
    expect(await axeViolations(page)).toEqual([]);
    // Any copy of the license finds it by its fingerprint, written sha256:<hex>.
    const license = await storeOf(env.app).getLicenseForRequest(issued!.id);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Search', { exact: true }).fill(`sha256:${license?.fingerprint}`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect
      .poll(async () => (await rows.allTextContents()).map((t) => t.includes(issued!.email)))
      .toEqual([true]);
    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { name: /^Request / }).waitFor();
    // The decoded license and the timeline of events.
    await page.locator('.detail .report-row', { hasText: 'Seats (active users)' }).getByText('118').waitFor();
    await expect(page.locator('ol.events li').count()).resolves.toBeGreaterThan(1);
    // An engineer gets resend (to the original address) but not the licensing actions.
    await expect(page.getByRole('button', { name: 'Void' }).count()).resolves.toBe(0);
    await expect(page.getByLabel(/Resend to another address/).count()).resolves.toBe(0);
    await page.getByRole('button', { name: `Resend to ${issued!.email}` }).click();
    await page.getByText('The license is queued to be sent again.').waitFor();
    await page.locator('li.delivery[data-channel="email"]').nth(1).waitFor();
    await allDeliveriesSent(page, 5);
    // The embedded default's tracker issue, team post and ticket note, kept locally, are shown.
    await page.reload();
    const local = page.locator('section[aria-labelledby="detail-local"]');
    await local
      .getByText(/^\[Success\] - Created a license/)
      .first()
      .waitFor();
    await expect(local.locator('li', { hasText: 'Team post' }).count()).resolves.toBeGreaterThan(0);
    await expect(local.locator('li', { hasText: 'Ticket note' }).count()).resolves.toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-request-detail');
    // Same license: still one license file for the request (resend never generates another).
    const licenses = await storeOf(env.app)
      .db.selectFrom('licenses')
      .select('id')
      .where('request_id', '=', issued!.id)
      .execute();
    expect(licenses).toHaveLength(1);
    // Typing that ticket in the issue form shows its request before anything is issued again.
    await page.getByRole('link', { name: 'Issue' }).click();
    await page.getByLabel('Ticket', { exact: true }).fill(issued!.ticket);
    const earlier = page.locator('.earlier');
    await earlier.waitFor();
    await expect(earlier.textContent()).resolves.toMatch(
      new RegExp(`already has a request:.*Issued.*${issued!.email}, 118 seats, expires 2026-12-08`),
    );
    await expect(earlier.getByRole('link').getAttribute('href')).resolves.toBe(`/requests/${issued!.id}`);
  });

  it('inspects a reference vector license and a license Lifeline issued', async () => {
    const vector = loadVectors().find((v) => v.name === 'premium_expired');
    expect(vector).toBeDefined();
    const { page } = engineer;
    await page.getByRole('link', { name: 'Inspect a license' }).click();
    await page.getByLabel('Choose a license file').setInputFiles(vectorPath('premium_expired'));
    await page.getByRole('heading', { name: 'Decoded license' }).waitFor();
    const value = (label: string | RegExp) =>
      page.locator('.report-row', { has: page.locator('dt', { hasText: label }) }).locator('dd');
    await expect(value('Plan').textContent()).resolves.toBe(vector!.expected.gem_verify.plan);
    await expect(value('Seats (active users)').textContent()).resolves.toBe(
      String(vector!.expected.gem_verify.active_user_count),
    );
    await expect(value('Issued by Lifeline').textContent()).resolves.toBe('no');
    await expect(value(/^Status on /).textContent()).resolves.toMatch(/^expired/);
    expect(await axeViolations(page)).toEqual([]);
    // A tampered vector is refused with its code.
    await page.getByLabel('Choose a license file').setInputFiles(vectorPath('neg_tampered_data'));
    await page.getByRole('heading', { name: 'Invalid license' }).waitFor();
    await expect(page.locator('.inspect .alert').textContent()).resolves.toMatch(/Not a valid license \(/);
    // The license issued in the first test is recognised as Lifeline's own.
    const record = await storeOf(env.app).getLicenseForRequest(issued!.id);
    await page.getByLabel('License', { exact: true }).fill(record!.text);
    await page.getByRole('heading', { name: 'Decoded license' }).waitFor();
    await expect(value('Issued by Lifeline').textContent()).resolves.toBe(`yes, request ${issued!.id}`);
  });

  it("fills plan, seats and dates from the customer's expired license dropped on the form", async () => {
    const { page } = engineer;
    const customer = freshCustomer();
    await page.goto(`${env.baseUrl}/issue`);
    await page.getByLabel('Ticket', { exact: true }).fill(customer.ticket);
    await page.getByLabel('Requester email').fill(customer.email);
    await page.getByLabel('Choose a license file').setInputFiles(vectorPath('premium_expired'));
    await page.getByText(/^Decoded: premium plan, 100 seats, expired 2026-01-05, Expired Corp\./).waitFor();
    await expect(page.getByLabel('Plan', { exact: true }).inputValue()).resolves.toBe('premium');
    await expect(page.getByLabel('Expired on').inputValue()).resolves.toBe('2026-01-05');
    await expect(page.getByLabel('Seats of the previous license').inputValue()).resolves.toBe('100');
    await page.getByLabel('Seats', { exact: true }).fill('100');
    // The license file is the evidence: its grace period ended long before the pinned Saturday.
    const rule5 = ruleState(page, 'GRACE_ENDED_TOO_LONG_AGO');
    await rule5.and(page.locator('[data-state="failed"]')).waitFor();
    await expect(rule5.textContent()).resolves.toMatch(/grace period ended on 2026-01-19/);
    await expect(ruleState(page, 'NOT_PAID_PLAN').getAttribute('data-state')).resolves.toBe('passed');
  });

  it('completes the issue form with the keyboard only', async () => {
    const { page } = engineer;
    const customer = freshCustomer();
    await page.goto(`${env.baseUrl}/issue`);
    const active = async () =>
      (await page.evaluate(
        'document.activeElement && (document.activeElement.id || document.activeElement.textContent)',
      )) as string;
    async function tabTo(id: string): Promise<void> {
      for (let i = 0; i < 40; i++) {
        if ((await active()) === id) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached #${id}`);
    }
    await tabTo('issue-ticket');
    await page.keyboard.type(customer.ticket);
    await tabTo('issue-email');
    await page.keyboard.type(customer.email);
    await tabTo('issue-plan');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown'); // — → Starter → Premium
    await tabTo('issue-expires');
    await page.keyboard.type('11142026');
    await tabTo('issue-previous-seats');
    await page.keyboard.type('40');
    await tabTo('issue-seats');
    await page.keyboard.type('45');
    await page.locator('.eligibility[data-eligible="true"]').waitFor();
    await expect(page.getByLabel('Plan', { exact: true }).inputValue()).resolves.toBe('premium');
    await page.keyboard.press('Enter'); // submits the form: the confirmation takes the focus
    await page.locator('.confirm').waitFor();
    expect(await active()).toBe('issue-confirm-title');
    await page.keyboard.press('Tab');
    expect(await active()).toBe(`Issue and send to ${customer.email}`);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Emergency license issued' }).waitFor();
    expect(await active()).toBe('issue-result-title');
    await allDeliveriesSent(page);
  });

  it('lets licensing reject an override and void an issued request, each with a reason', async () => {
    const { page } = engineer;
    const customer = freshCustomer();
    await page.goto(`${env.baseUrl}/issue`);
    await fillIssueForm(page, {
      ticket: customer.ticket,
      email: customer.email,
      plan: 'premium',
      expiresAt: '2026-11-20',
      previousSeats: '10',
      seats: '10',
    });
    await ruleState(page, 'STILL_IN_GRACE').and(page.locator('[data-state="failed"]')).waitFor();
    await page.getByLabel('Override the refusal with a written reason').check();
    await page.getByLabel(/^Reason \(at least 20/).fill('Too short');
    await page.getByRole('button', { name: 'Review override request…' }).click();
    // A reason under 20 characters is refused in the form, and the focus goes to it.
    await page.getByText('Write the override reason: at least 20 characters.').waitFor();
    await page.getByLabel(/^Reason \(at least 20/).fill('Customer asked twice; the TAM vouches for them.');
    await page.getByRole('button', { name: 'Review override request…' }).click();
    await page.getByRole('button', { name: 'Send for approval' }).click();
    await page.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    const href = await page.getByRole('link', { name: /^Open request / }).getAttribute('href');

    const lp = licensing.page;
    await lp.goto(`${env.baseUrl}${href}`);
    await lp.getByRole('button', { name: 'Reject' }).click();
    await lp.getByText('Write a note to reject this request: the engineer who asked reads it.').waitFor();
    await lp.getByLabel(/^Note to the engineer/).fill('Not a paying customer any more.');
    await lp.getByRole('button', { name: 'Reject' }).click();
    await lp.getByText(/^Rejected\. The engineer who asked is told/).waitFor();
    await expect(lp.locator('#detail-summary .badge').textContent()).resolves.toBe('Rejected');
    await lp.getByText(/^Rejected by lee .*Not a paying customer any more/).waitFor();

    // Licensing may resend to another address, then void the request issued in the first test.
    await lp.goto(`${env.baseUrl}/requests/${issued!.id}`);
    await lp.getByLabel('Resend to another address (licensing)').fill('it-admin@customer.example');
    await lp.getByRole('button', { name: 'Resend to it-admin@customer.example' }).click();
    await lp.getByText('The license is queued to be sent again.').waitFor();
    await lp
      .locator('li.delivery[data-channel="email"]', { hasText: 'to it-admin@customer.example' })
      .waitFor();
    await lp.getByLabel(/^Reason \(required to void/).fill('Issued to the wrong address.');
    await lp.getByRole('button', { name: 'Void' }).click();
    // Cancel first: nothing happens; then confirm.
    const confirmVoid = lp.getByRole('dialog', { name: 'Void this license record?' });
    await confirmVoid.getByRole('button', { name: 'Cancel' }).click();
    await confirmVoid.waitFor({ state: 'hidden' });
    expect((await storeOf(env.app).getRequest(issued!.id))?.status).toBe('issued');
    await lp.getByRole('button', { name: 'Void' }).click();
    await confirmVoid.getByRole('button', { name: 'Void' }).click();
    await lp.getByText(/^Voided\. The license file cannot be revoked/).waitFor();
    await expect(lp.locator('#detail-summary .badge').textContent()).resolves.toBe('Voided');
    const stored = await storeOf(env.app).getRequest(issued!.id);
    expect(stored?.status).toBe('voided');
    expect(stored?.voided?.reason).toBe('Issued to the wrong address.');

    // The voided request is replaced by a corrected one for the same ticket.
    await lp.getByLabel('Corrected requester email (empty: the same)').fill('it-admin@customer.example');
    await lp.getByLabel(/^Reason \(required to replace/).fill('Issued to the wrong address; corrected.');
    await lp.getByRole('button', { name: 'Replace…' }).click();
    const confirmReplace = lp.getByRole('dialog', { name: 'Replace this license?' });
    await expect(confirmReplace.textContent()).resolves.toContain('emailed to it-admin@customer.example');
    await confirmReplace.getByRole('button', { name: 'Void and issue the replacement' }).click();
    await lp.getByRole('link', { name: issued!.id }).waitFor();
    await expect(lp.locator('#detail-summary .badge').textContent()).resolves.toBe('Issued');
    const replaced = await storeOf(env.app).getRequest(issued!.id);
    expect(replaced?.replacedBy).toMatch(/^req_/);
    expect(lp.url()).toContain(`/requests/${replaced?.replacedBy}`);
    expect(await axeViolations(lp)).toEqual([]);
    expect(licensing.problems).toEqual([]);
  });

  it('passes axe on the dashboard and the inspector, and stays within 320 px', async () => {
    // One refusal stored through the API (a weekday), so that the refusals chart has a bar.
    const refused = await fetch(`${env.baseUrl}/api/v1/emergency-licenses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.tokens.engineer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ticketId: freshCustomer().ticket,
        requesterEmail: 'ops@refused.example',
        seats: 10,
        plan: 'premium',
        expiresAt: '2026-11-14',
        today: '2026-12-01',
      }),
    });
    expect(refused.status).toBe(422);
    const lp = licensing.page;
    await lp.getByRole('link', { name: 'Dashboard' }).click();
    await lp.locator('[data-stat="issued"]').waitFor();
    // This file's requests: the first (now voided), its replacement, the approved override and the
    // keyboard one (issued), the rejected override, and the refusal.
    await expect(lp.locator('[data-stat="requests"]').textContent()).resolves.toBe('6');
    await expect(lp.locator('[data-stat="issued"]').textContent()).resolves.toBe('3');
    await expect(lp.locator('.chart svg').first().getAttribute('aria-label')).resolves.toMatch(
      /week of 2026-11-23: 6 \(3 issued, 0 pending approval, 1 refused, 1 rejected, 1 voided, 0 failed\)$/,
    );
    await expect(lp.locator('svg.chart').getAttribute('aria-label')).resolves.toBe(
      'Refusals by code: NOT_WEEKEND 1',
    );
    expect(await axeViolations(lp)).toEqual([]);
    await screenshot(lp, 'console-dashboard');

    const narrow = await openTab(env, { width: 320, height: 800 });
    await signIn(narrow, env, env.tokens.engineer);
    const page = narrow.page;
    await page.goto(`${env.baseUrl}/issue`);
    const customer = freshCustomer();
    await fillIssueForm(page, {
      ticket: customer.ticket,
      email: customer.email,
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: '100',
      seats: '90',
    });
    await page.getByLabel('Maximum users').fill('120');
    await page.locator('.eligibility').waitFor();
    await screenshot(page, 'console-issue-form-320px');
    await page
      .locator('.eligibility-box')
      .screenshot({ path: join(SCREENSHOTS, 'console-eligibility-320px.png') });
    const overflow = await horizontalOverflow(page);
    expect(overflow.offenders).toEqual([]);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.width);
    expect(await axeViolations(page)).toEqual([]);
    for (const path of ['/requests', `/requests/${issued!.id}`, '/inspect', '/dashboard']) {
      await page.goto(`${env.baseUrl}${path}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      await screenshot(page, `console-320px${path.replace(/\//g, '-').replace(/-req_.*/, '-detail')}`);
      const o = await horizontalOverflow(page);
      expect({ path, ...o }).toEqual({ path, scrollWidth: o.width, width: o.width, offenders: [] });
    }
    await screenshot(page, 'console-dashboard-320px');
    expect(narrow.problems).toEqual([]);
    await narrow.context.close();
  });

  it('pages through a long list with Older and Newer', async () => {
    for (let i = 0; i < 27; i++) {
      const res = await fetch(`${env.baseUrl}/api/v1/emergency-licenses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.tokens.engineer}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ticketId: `pager-${i}`,
          requesterEmail: 'ops@pager.example',
          seats: 10,
          plan: 'premium',
          expiresAt: '2026-11-14',
          today: '2026-12-01',
        }),
      });
      expect(res.status).toBe(422);
    }
    const { page } = engineer;
    await page.getByRole('link', { name: 'Requests' }).click();
    await page.getByLabel('Search', { exact: true }).fill('ops@pager.example');
    await page.getByLabel('Status').selectOption('refused');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const rows = page.locator('table.list tbody tr');
    await expect.poll(() => rows.count()).toBe(25);
    const firstPage = await rows.allTextContents();
    expect(firstPage.every((t) => t.includes('ops@pager.example') && t.includes('Refused'))).toBe(true);
    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByText('Page 2').waitFor();
    expect(await page.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    const tickets = (await rows.allTextContents()).join(' ');
    expect(firstPage.join(' ')).not.toContain(tickets.slice(0, 40));
    await page.getByRole('button', { name: 'Newer' }).click();
    await expect.poll(() => rows.count()).toBe(25);
    expect(await rows.allTextContents()).toEqual(firstPage);
  });

  it('shows a failing license email prominently at the top, with the file to attach; not a sent one', async () => {
    const tab = await openTab(env);
    const { page } = tab;
    await signIn(tab, env, env.tokens.engineer);
    const issueFor = async (customer: { ticket: string; email: string }): Promise<string> => {
      const made = await makeRequest(env, {}, customer);
      expect(made.status).toBe('issued');
      return made.id;
    };
    const panel = page.locator('.email-problem[role="alert"]');

    // Sent: no panel.
    const sent = await issueFor(freshCustomer());
    await page.goto(`${env.baseUrl}/requests/${sent}`);
    await allDeliveriesSent(page);
    expect(await panel.count()).toBe(0);

    // The mail server refuses connections: the email keeps failing and is retried.
    const mailer = env.app.channels.mailer;
    env.app.channels.mailer = createSmtpMailer({ url: 'smtp://127.0.0.1:1' });
    try {
      const customer = freshCustomer();
      const failing = await issueFor(customer);
      await page.goto(`${env.baseUrl}/requests/${failing}`);
      await panel.waitFor({ timeout: 20_000 });
      await expect(panel.getByRole('heading').textContent()).resolves.toMatch(
        new RegExp(
          `^The license email to ${customer.email.replace(/\./g, '\\.')} is failing \\(\\d+ attempts? so far, still retrying\\)$`,
        ),
      );
      await expect(panel.textContent()).resolves.toMatch(/Last error: .*(ECONNREFUSED|connect)/);
      await expect(panel.textContent()).resolves.toContain(
        'download the license file and attach it to a reply on the ticket',
      );
      await expect(
        panel.getByRole('link', { name: `ticket ${customer.ticket}` }).getAttribute('href'),
      ).resolves.toBe(`https://acme.zendesk.com/agent/tickets/${customer.ticket}`);
      const download = panel.getByRole('link', { name: /^Download the license file/ });
      await expect(download.getAttribute('download')).resolves.toMatch(/\.gitlab-license$/);
      // At the top: before the request's summary.
      const above = await page.evaluate(
        `document.querySelector('.email-problem').compareDocumentPosition(document.getElementById('detail-summary')) & Node.DOCUMENT_POSITION_FOLLOWING`,
      );
      expect(above).toBeTruthy();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'console-email-failing');
      expect(tab.problems).toEqual([]);
    } finally {
      env.app.channels.mailer = mailer;
      await tab.context.close();
    }
  });

  it('shows a request that could not be signed, and an engineer retries it', async () => {
    const { page } = engineer;
    const customer = freshCustomer();
    const signer = env.app.ports.signer;
    // A key that cannot sign an RSA license: the request is recorded as failed, no license made.
    env.app.ports.signer = {
      ...signer,
      privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    };
    try {
      await page.goto(`${env.baseUrl}/issue`);
      await fillIssueForm(page, {
        ticket: customer.ticket,
        email: customer.email,
        plan: 'premium',
        expiresAt: '2026-11-14',
        previousSeats: '20',
        seats: '20',
      });
      await page.locator('.eligibility[data-eligible="true"]').waitFor();
      await page.getByRole('button', { name: 'Review and issue…' }).click();
      await page.getByRole('button', { name: `Issue and send to ${customer.email}` }).click();
      await page.getByRole('heading', { name: 'No license could be generated' }).waitFor();
      await expect(page.locator('.issue-result .alert-error').textContent()).resolves.toMatch(/KEY_UNUSABLE/);
    } finally {
      env.app.ports.signer = signer;
    }
    await page.getByRole('link', { name: /^Open request / }).click();
    await expect(page.locator('#detail-summary .badge').textContent()).resolves.toBe('Failed');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('The request was run again.').waitFor();
    await expect(page.locator('#detail-summary .badge').textContent()).resolves.toBe('Issued');
    await allDeliveriesSent(page);
  });
});

const vectorPath = (name: string): string => join(VECTORS_DIR, `${name}.gitlab-license`);

describe('the development key', { timeout: 60_000 }, () => {
  let dev: WebEnv;
  beforeAll(async () => {
    // No signing key configured: the embedded default generates a development key.
    dev = await startWeb({ LIFELINE_SIGNING_KEY_FILE: '' });
  }, 60_000);
  afterAll(async () => {
    await dev?.close();
  });

  it('is announced by a banner on every page of the console, and only when it is in use', async () => {
    expect(dev.app.ports.signer.development).toBe(true);
    const tab = await openTab(dev);
    try {
      await signIn(tab, dev, dev.tokens.engineer);
      const banner = tab.page.getByRole('note');
      for (const path of ['/issue', '/requests', '/inspect', '/dashboard']) {
        await tab.page.goto(`${dev.baseUrl}${path}`);
        await tab.page.getByRole('button', { name: 'Sign out' }).waitFor();
        await expect(banner.textContent()).resolves.toBe(
          'Development key: GitLab will not accept these licenses',
        );
        expect(await banner.isVisible()).toBe(true);
      }
      expect(await axeViolations(tab.page)).toEqual([]);
      await screenshot(tab.page, 'console-development-key');
    } finally {
      await tab.context.close();
    }
    // The other server signs with a configured key: no banner there.
    expect(env.app.ports.signer.development).toBe(false);
    const other = await openTab(env);
    try {
      await signIn(other, env, env.tokens.engineer);
      await other.page.getByRole('heading', { name: 'Issue an emergency license' }).waitFor();
      expect(await other.page.locator('.dev-key-banner').count()).toBe(0);
    } finally {
      await other.context.close();
    }
  });
});
