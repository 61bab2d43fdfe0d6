/**
 * The console's issue page in a real Chromium against a real Lifeline (issue 20): errors beside the
 * field in the user's words (aria-invalid, aria-describedby), forgiving input with what was
 * understood, the phone layout at 390 px (sticky verdict and Review, the rule list folded when every
 * rule passes, no refusal about fields not reached yet), the favicon, heading order and the skip
 * link; axe-core finds no violation of any impact on each state visited.
 */
import { storeOf } from '../../src/app.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  freshCustomer,
  horizontalOverflow,
  openTab,
  screenshot,
  signIn,
  startWeb,
} from './harness.js';
import type { Tab, WebEnv } from './harness.js';

let env: WebEnv;
let desk: Tab;
let phone: Tab;

beforeAll(async () => {
  env = await startWeb({ LIFELINE_STAFF_DOMAINS: 'lifeline-staff.example' });
  desk = await openTab(env, { width: 1366, height: 900 });
  phone = await openTab(env, { width: 390, height: 844 });
  await signIn(desk, env, env.tokens.engineer);
  await signIn(phone, env, env.tokens.engineer);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

const input = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** Types into a field and leaves it (errors are said once a field is left). */
async function enter(page: Page, label: string, value: string): Promise<void> {
  await input(page, label).fill(value);
  await input(page, label).blur();
}

/** The field's error as the page ties it to the input: aria-invalid and the text aria-describedby names. */
async function errorOf(page: Page, label: string): Promise<string | null> {
  const field = input(page, label);
  if ((await field.getAttribute('aria-invalid')) !== 'true') return null;
  const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.find((t) => t !== null && t.startsWith(`${label.split(' (')[0]}`)) ?? texts.join(' | ');
}

const API_WORDING = /The field "|sent as a number|not as text|LIFELINE_|"requesterEmail"|"seats"/;

describe('the issue form says what is wrong beside the field, in words', { timeout: 60_000 }, () => {
  it('marks each bad field with aria-invalid and a sentence saying what to type', async () => {
    const { page } = desk;
    await page.goto(`${env.baseUrl}/issue`);
    // Review with nothing filled: every required field is marked, the first one focused.
    await page.getByRole('button', { name: 'Review and issue…' }).click();
    await expect
      .poll(() => errorOf(page, 'Ticket'))
      .toBe('Ticket: required — the ticket number, like 50300, or the ticket’s link.');
    expect(await errorOf(page, 'Requester email')).toBe(
      'Requester email: required — the email address of the person who asked, like ops@example.com.',
    );
    expect(await errorOf(page, 'Seats')).toBe('Seats: required — a whole number from 1 to 1,000,000.');
    expect(await page.evaluate('document.activeElement.id')).toBe('issue-ticket');
    await page.getByText('Fix the fields marked: Ticket, Requester email, Seats.').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    const cases: [string, string, string][] = [
      ['Seats', 'ten', 'Seats: a whole number from 1 to 1,000,000 (“ten” is not a number).'],
      ['Seats', '0', 'Seats: a whole number from 1 to 1,000,000 (“0” is below 1).'],
      ['Seats', '2,000,000', 'Seats: a whole number from 1 to 1,000,000 (“2,000,000” is above 1,000,000).'],
      [
        'Seats',
        '12.5',
        'Seats: a whole number from 1 to 1,000,000 (“12.5” has a dot: write whole numbers like 1200 or 1,200).',
      ],
      [
        'Seats of the previous license',
        '-3',
        'Seats of the previous license: a whole number from 0 to 1,000,000 (“-3” is below 0).',
      ],
      [
        'Maximum users',
        'lots',
        'Maximum users: a whole number from 0 to 1,000,000 (“lots” is not a number).',
      ],
      [
        'Requester email',
        'ops@',
        'Requester email: one email address, like ops@example.com (“ops@” has no name before or domain after “@”).',
      ],
      [
        'Requester email',
        'a@x.example, b@y.example',
        'Requester email: one email address, like ops@example.com (only one address: “a@x.example, b@y.example” looks like several).',
      ],
      [
        'Ticket',
        'javascript:alert(1)',
        'Ticket: the ticket number, like 50300, or the ticket’s link (only http and https links are read).',
      ],
    ];
    for (const [label, value, said] of cases) {
      await enter(page, label, value);
      expect(await errorOf(page, label), `${label} ${value}`).toBe(said);
    }
    expect(await axeViolations(page)).toEqual([]);
  });

  it("rewrites the API's rule-1 findings into the field's words and keeps the box for eligibility", async () => {
    const { page } = desk;
    const customer = freshCustomer();
    await page.goto(`${env.baseUrl}/issue`);
    await enter(page, 'Ticket', customer.ticket);
    await enter(page, 'Requester email', 'it@lifeline-staff.example');
    await enter(page, 'Ticket URL (optional)', 'not-a-link');
    await enter(page, 'Seats', '10');
    // Both come from the API (rule 1): the staff domain and the URL are only known there.
    await expect
      .poll(() => errorOf(page, 'Requester email'))
      .toBe(
        `Requester email is "it@lifeline-staff.example", an address of the team's own domain ` +
          "lifeline-staff.example: a license goes to the customer's requester, never to a team member.",
      );
    await expect
      .poll(() => errorOf(page, 'Ticket URL (optional)'))
      .toMatch(/^Ticket URL is not a URL \(got "not-a-link"\)/);
    // The box keeps to eligibility: rule 1 points at the fields, in words.
    const rule1 = page.locator('li.rule[data-code="INPUT_INVALID"]');
    await expect(rule1.getAttribute('data-state')).resolves.toBe('failed');
    await expect(rule1.locator('.rule-message').textContent()).resolves.toBe(
      'Fix the fields marked above: Ticket URL, Requester email.',
    );
    expect(await page.locator('main').textContent()).not.toMatch(API_WORDING);
    expect(await axeViolations(page)).toEqual([]);

    // A plan without its expiry: the API names expiresAt; the form says it beside "Expired on", in
    // its words, once the engineer has been there.
    await enter(page, 'Ticket URL (optional)', '');
    await enter(page, 'Requester email', customer.email);
    await input(page, 'Plan').selectOption('premium');
    await expect.poll(() => rule1.getAttribute('data-state')).toBe('waiting');
    expect(await errorOf(page, 'Expired on')).toBeNull();
    await enter(page, 'Expired on', '');
    await expect
      .poll(() => errorOf(page, 'Expired on'))
      .toMatch(/^Expired on is needed with plan when there is no license file/);
    expect(await page.locator('main').textContent()).not.toMatch(API_WORDING);
  });
});

describe('the issue form reads what people paste', { timeout: 60_000 }, () => {
  it('a ticket link, "Name <address>" and "1,200" are read, said, and issued as understood', async () => {
    const { page } = desk;
    const customer = freshCustomer();
    const link = `https://acme.zendesk.com/agent/tickets/${customer.ticket}?tab=events`;
    await page.goto(`${env.baseUrl}/issue`);
    await enter(page, 'Ticket', link);
    await enter(page, 'Requester email', `Ops Team <${customer.email.toUpperCase()}>`);
    await input(page, 'Plan').selectOption('premium');
    await enter(page, 'Expired on', '2026-11-14');
    await enter(page, 'Seats of the previous license', ' 1,100 ');
    await enter(page, 'Maximum users', "1'150");
    await enter(page, 'Seats', '1,200');
    const understood = (id: string) => page.locator(`#${id}-understood`).textContent();
    await expect(understood('issue-ticket')).resolves.toBe(
      `Understood: ticket ${customer.ticket} (from its link)`,
    );
    await expect(understood('issue-email')).resolves.toBe(`Understood: ${customer.email}`);
    await expect(understood('issue-seats')).resolves.toBe('Understood: 1200');
    await expect(understood('issue-previous-seats')).resolves.toBe('Understood: 1100');
    await expect(understood('issue-maximum-users')).resolves.toBe('Understood: 1150');
    // Said to screen readers with the field, and no field is marked invalid.
    expect(await input(page, 'Ticket').getAttribute('aria-describedby')).toBe('issue-ticket-understood');
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);
    await page.locator('.eligibility[data-eligible="true"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-issue-understood-1366px');

    await page.getByRole('button', { name: 'Review and issue…' }).click();
    await expect(page.locator('.confirm-text').textContent()).resolves.toBe(
      `Send a 10-day emergency license for 1200 seats to ${customer.email}, expiring on 2026-12-08, for ticket ${customer.ticket}?`,
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: `Issue and send to ${customer.email}` }).click();
    await page.getByRole('heading', { name: 'Emergency license issued' }).waitFor();
    const [stored] = await storeOf(env.app).findRequests({ ticketId: customer.ticket, limit: 1 });
    expect(stored).toMatchObject({
      ticketId: customer.ticket,
      requesterEmail: customer.email,
      seats: 1200,
      ticketUrl: `https://acme.zendesk.com/agent/tickets/${customer.ticket}`,
    });
    // Another request starts clean: nothing marked before the engineer has been anywhere.
    await page.getByRole('button', { name: 'Issue another' }).click();
    await expect(input(page, 'Ticket').inputValue()).resolves.toBe('');
    expect(await page.locator('[aria-invalid="true"], .field-error').count()).toBe(0);
    expect(desk.problems).toEqual([]);
  });

  it('writes an internationalised domain in punycode and warns about a look-alike', async () => {
    const { page } = desk;
    await page.goto(`${env.baseUrl}/issue`);
    await enter(page, 'Requester email', 'ops@bücher.example');
    await expect(page.locator('#issue-email-understood').textContent()).resolves.toBe(
      'Understood: ops@xn--bcher-kva.example (bücher.example, written for email)',
    );
    // "exаmple" with a Cyrillic "а": read, and flagged beside the field.
    await enter(page, 'Requester email', 'ops@ex\u0430mple.com');
    await expect(page.locator('#issue-email-warning').textContent()).resolves.toMatch(
      /mixes Latin and Cyrillic letters/,
    );
    expect(await input(page, 'Requester email').getAttribute('aria-describedby')).toBe(
      'issue-email-understood issue-email-warning',
    );
    // The API is asked with the punycode form, and accepts it.
    const customer = freshCustomer();
    await enter(page, 'Ticket', `#${customer.ticket}`);
    await enter(page, 'Requester email', `ops@bücher${customer.ticket}.example`);
    await enter(page, 'Seats', '10');
    await page.locator('li.rule[data-code="INPUT_INVALID"][data-state="passed"]').waitFor();
    await expect(page.locator('#issue-ticket-understood').textContent()).resolves.toBe(
      `Understood: ticket ${customer.ticket}`,
    );
  });
});

describe('the issue form on a phone (390 px)', { timeout: 60_000 }, () => {
  it('keeps the verdict and Review in reach, says no refusal before its fields, folds a clean list', async () => {
    const { page } = phone;
    const customer = freshCustomer();
    await page.goto(`${env.baseUrl}/issue`);
    const bar = page.locator('.action-bar');
    const inView = async (): Promise<boolean> => {
      const box = await bar.boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= 844 + 0.5;
    };
    await enter(page, 'Ticket', customer.ticket);
    await enter(page, 'Requester email', customer.email);
    await enter(page, 'Seats', '40');
    // The API refuses PROSPECT (no evidence yet), but the evidence fields were never reached.
    const prospect = page.locator('li.rule[data-code="PROSPECT"]');
    await expect.poll(() => prospect.getAttribute('data-state')).toBe('waiting');
    expect(await page.locator('.verdict-refused').count()).toBe(0);
    await expect(bar.locator('.action-verdict').textContent()).resolves.toMatch(/^Not judged yet/);
    await page.evaluate('window.scrollTo(0, 0)');
    expect(await inView()).toBe(true);
    expect(await bar.getByRole('button', { name: 'Review and issue…' }).isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-issue-390px-start', false);

    // Reaching the evidence fields lets the refusal be said.
    await input(page, 'Plan').focus();
    await expect.poll(() => prospect.getAttribute('data-state')).toBe('failed');
    await expect(bar.locator('.action-verdict').textContent()).resolves.toMatch(/^Refused by one rule/);

    await input(page, 'Plan').selectOption('premium');
    await enter(page, 'Expired on', '2026-11-14');
    await enter(page, 'Seats of the previous license', '40');
    await page.locator('.eligibility[data-eligible="true"]').waitFor();
    // Every rule passes: the list is folded behind one line, the verdict stays in the bar.
    const folded = page.locator('details.rules-folded');
    expect(await folded.getAttribute('open')).toBeNull();
    expect(await page.locator('li.rule').first().isVisible()).toBe(false);
    await expect(bar.locator('.action-verdict').textContent()).resolves.toBe('Eligible: every rule passes.');
    await page.evaluate('window.scrollTo(0, 0)');
    expect(await inView()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    const overflow = await horizontalOverflow(page);
    expect(overflow.offenders).toEqual([]);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(390);
    await screenshot(page, 'console-issue-390px-eligible', false);
    await folded.locator('summary').click();
    expect(await page.locator('li.rule').first().isVisible()).toBe(true);
    // Review from the top of the page, without scrolling to the end of the form.
    await page.evaluate('window.scrollTo(0, 0)');
    await bar.getByRole('button', { name: 'Review and issue…' }).click();
    await page.locator('.confirm').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // The other pages at 390 px: readable without scrolling sideways, and clean for axe.
    for (const path of ['/requests', '/inspect', '/dashboard']) {
      await page.goto(`${env.baseUrl}${path}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      const o = await horizontalOverflow(page);
      expect({ path, offenders: o.offenders, violations: await axeViolations(page) }).toEqual({
        path,
        offenders: [],
        violations: [],
      });
      await screenshot(page, `console-390px${path.replace(/\//g, '-')}`);
    }
    expect(phone.problems).toEqual([]);
  });
});

describe('small things', { timeout: 60_000 }, () => {
  it('serves a favicon, no page answers 404, headings are in order and the skip link moves the focus', async () => {
    const { page } = desk;
    const failed: string[] = [];
    const watch = (response: import('playwright-core').Response): void => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    };
    page.on('response', watch);
    try {
      for (const path of ['/issue', '/requests', '/inspect', '/dashboard']) {
        await page.goto(`${env.baseUrl}${path}`);
        await page.locator('main h1').waitFor();
        await page.waitForLoadState('networkidle');
        const violations = await axeViolations(page);
        expect({ path, violations }).toEqual({ path, violations: [] });
        await screenshot(page, `console-1366px${path.replace(/\//g, '-')}`);
      }
    } finally {
      page.off('response', watch);
    }
    expect(failed).toEqual([]);
    const icon = await page.request.get(`${env.baseUrl}/favicon.ico`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toBe('image/x-icon');
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg');

    // The skip link is the first stop; it moves the focus to the page's heading, then on into the page.
    await page.goto(`${env.baseUrl}/issue`);
    await input(page, 'Ticket').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(
      await page.evaluate('document.activeElement.tagName + " " + document.activeElement.textContent'),
    ).toBe('H1 Issue an emergency license');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('issue-ticket');

    // Heading order on the issue page's other states: refused with warnings, and the confirmation.
    const customer = freshCustomer();
    await enter(page, 'Ticket', customer.ticket);
    await enter(page, 'Requester email', customer.email);
    await input(page, 'Plan').selectOption('ultimate');
    await enter(page, 'Expired on', '2026-11-20');
    await enter(page, 'Seats', '50');
    await page.locator('li.rule[data-code="STILL_IN_GRACE"][data-state="failed"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-issue-refused-1366px');
  });
});
