/**
 * The dashboard in a real Chromium (issue 20 item 10): what needs attention (deliveries needing a
 * human, unknown-outcome emails, pending approvals, the outbox) with links to the requests behind
 * each count, the median time to delivery in seconds, and a chart bar that opens the requests of
 * its week and outcome. axe-core on every state visited; screenshots at 1366 and 390 px.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { storeOf } from '../../src/app.js';
import { openTab, screenshot, axeViolations, signIn } from './harness.js';
import { api, browserSuite, makePending, makeRequest, type Made } from './seed.js';

const suite = browserSuite('licensing');
let failing: Made;
let unknown: Made;
let pending: Made;

/** Waits until the worker has finished every delivery of the request. */
async function delivered(id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const record = await api(suite.env, 'GET', `/api/v1/emergency-licenses/${id}`);
    if ((record.json['deliveries'] as { status: string }[]).every((d) => d.status === 'sent')) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the deliveries of ${id} did not finish`);
}

beforeAll(async () => {
  const env = suite.env;
  failing = await makeRequest(env);
  unknown = await makeRequest(env);
  pending = await makePending(env);
  await delivered(failing.id);
  await delivered(unknown.id);
  // As the worker records them: a post refused for good, an email lost after its data.
  const db = storeOf(env.app).db;
  await db
    .updateTable('deliveries')
    .set({ status: 'failed', last_error: 'Slack refused the token: invalid_auth' })
    .where('request_id', '=', failing.id)
    .where('channel', '=', 'chat')
    .execute();
  await db
    .updateTable('deliveries')
    .set({ status: 'unknown', last_error: 'the connection was lost after the data' })
    .where('request_id', '=', unknown.id)
    .where('channel', '=', 'email')
    .execute();
}, 60_000);

const rowIds = () =>
  suite.tab.page
    .locator('table.list tbody tr')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? '')) as Promise<string[]>;

describe('the dashboard', { timeout: 60_000 }, () => {
  it('tells what needs attention, each count linking to its requests', async () => {
    const { page } = suite.tab;
    await page.goto(`${suite.env.baseUrl}/dashboard`);
    const tile = (key: string) => page.locator(`li.tile[data-attention="${key}"]`);
    await tile('failed').waitFor();
    await expect(tile('failed').locator('.tile-value').textContent()).resolves.toBe('1');
    await expect(tile('failed').locator('.tile-label').textContent()).resolves.toBe(
      'deliveries needing a human (1 chat)',
    );
    await expect(tile('unknown').locator('.tile-value').textContent()).resolves.toBe('1');
    await expect(tile('pending').locator('.tile-value').textContent()).resolves.toBe('1');
    await expect(tile('outbox').locator('.tile-value').textContent()).resolves.toBe('—');
    await expect(tile('failed').getAttribute('class')).resolves.toContain('tile-alert');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-dashboard-attention-1366px');

    await tile('failed').getByRole('link').click();
    await page.waitForURL(/\/requests\?attention=failed_delivery$/);
    await expect.poll(rowIds).toEqual([failing.id]);
    await expect(page.getByLabel('Needs attention').inputValue()).resolves.toBe('failed_delivery');
    expect(await axeViolations(page)).toEqual([]);

    await page.goBack();
    await tile('unknown').getByRole('link').click();
    await page.waitForURL(/\/requests\?attention=unknown_email$/);
    await expect.poll(rowIds).toEqual([unknown.id]);

    await page.goBack();
    await tile('pending').getByRole('link').click();
    await page.waitForURL(/\/approvals$/);
    await page.locator('tr', { hasText: pending.email }).waitFor();
  });

  it('gives the median time to delivery in seconds, and a bar opens the requests of its week and outcome', async () => {
    const { page } = suite.tab;
    await page.goto(`${suite.env.baseUrl}/dashboard`);
    const median = page.locator('[data-stat="median"]');
    await median.waitFor();
    // Delivered within seconds: said in seconds, not "0 min".
    await expect(median.textContent()).resolves.toMatch(/^\d+(\.\d)? s$/);
    const bar = page.locator('.chart a[aria-label^="Week of 2026-11-23: 2 issued"]');
    await expect(bar.getAttribute('href')).resolves.toBe(
      '/requests?status=issued&from=2026-11-23&to=2026-11-29',
    );
    await bar.click();
    await page.waitForURL(/\/requests\?status=issued&from=2026-11-23&to=2026-11-29$/);
    await expect.poll(async () => (await rowIds()).sort()).toEqual([failing.id, unknown.id].sort());
    await expect(page.getByLabel('Status').inputValue()).resolves.toBe('issued');
    await expect(page.getByLabel('Created from').inputValue()).resolves.toBe('2026-11-23');
    expect(await axeViolations(page)).toEqual([]);
    // The same from the keyboard: the bar is a link in the tab order.
    await page.goBack();
    await page.locator('.chart a').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/requests\?status=/);
    expect(suite.tab.problems).toEqual([]);
  });

  it('at 390 px: nothing overflows, axe passes', async () => {
    const phone = await openTab(suite.env, { width: 390, height: 844 });
    try {
      await signIn(phone, suite.env, suite.env.tokens.engineer);
      await phone.page.goto(`${suite.env.baseUrl}/dashboard`);
      await phone.page.locator('li.tile[data-attention="failed"]').waitFor();
      await phone.page.locator('[data-stat="median"]').waitFor();
      // An engineer's link to the pending approvals is the filtered list (the queue is licensing's).
      await expect(
        phone.page.locator('li.tile[data-attention="pending"] a').getAttribute('href'),
      ).resolves.toBe('/requests?status=pending_approval');
      const fits = (await phone.page.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth',
      )) as boolean;
      expect(fits).toBe(true);
      expect(await axeViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'console-dashboard-390px');
    } finally {
      await phone.context.close();
    }
  });
});
