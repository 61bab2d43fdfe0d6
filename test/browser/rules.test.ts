/**
 * The rule list of the issue form comes from the API with the configured numbers: a Lifeline started
 * with a 45-day repeat window and a 5-day emergency window shows those, never the defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshCustomer, openTab, signIn, startWeb, type Tab, type WebEnv } from './harness.js';

let env: WebEnv;
let tab: Tab;

beforeAll(async () => {
  env = await startWeb({ LIFELINE_REPEAT_WINDOW_DAYS: '45', LIFELINE_WINDOW_DAYS: '5' });
  tab = await openTab(env);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('the rule list with configured numbers', { timeout: 60_000 }, () => {
  it('says "45 days" for rule 9 and draws a 5-day emergency window', async () => {
    const { page } = tab;
    await signIn(tab, env, env.tokens.engineer);
    const customer = freshCustomer();
    await page.goto(`${env.baseUrl}/issue`);
    await page.getByLabel('Ticket', { exact: true }).fill(customer.ticket);
    await page.getByLabel('Requester email').fill(customer.email);
    await page.getByLabel('Plan', { exact: true }).selectOption('premium');
    await page.getByLabel('Expired on').fill('2026-11-14');
    await page.getByLabel('Seats of the previous license').fill('100');
    await page.getByLabel('Seats', { exact: true }).fill('100');

    await page.locator('.eligibility[data-eligible="true"]').waitFor();
    const rule9 = page.locator('li.rule[data-code="RECENT_EMERGENCY_LICENSE"]');
    await expect(rule9.getAttribute('data-state')).resolves.toBe('passed');
    await expect(rule9.locator('strong').textContent()).resolves.toBe(
      '9. No emergency license in the last 45 days',
    );
    await expect(rule9.locator('.rule-message').textContent()).resolves.toBe(
      'No emergency license was issued for this customer in the last 45 days.',
    );
    await expect(
      page.locator('li.rule[data-code="GRACE_ENDED_TOO_LONG_AGO"] .rule-message').textContent(),
    ).resolves.toMatch(/at most 5 days ago/);
    await expect(page.locator('.rules').textContent()).resolves.not.toMatch(/30 days|3 days/);
    // Read-only since the 28th; a 5-day window ends on 3 December.
    await expect(page.locator('.timeline svg').getAttribute('aria-label')).resolves.toMatch(
      /grace period ended 2026-11-28, emergency window until 2026-12-03, today 2026-11-28 is inside/,
    );
    expect(tab.problems).toEqual([]);
    expect(tab.external).toEqual([]);
  });
});
