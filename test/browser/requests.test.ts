/**
 * The request list in a real Chromium (issue 20 item 8): the filters live in the address (a shared
 * `/requests?ticket=…` works; Back and Forward bring a search back), one search box finds by the
 * start of an email, a domain or a company, a too-short search is marked on its field, and a whole
 * row opens its request, by mouse and by keyboard. axe-core on every state visited.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openTab, screenshot, axeViolations, signIn } from './harness.js';
import { browserSuite, makeRequest, type Made } from './seed.js';

const suite = browserSuite('engineer');
let bank: Made;
let globex: Made;
let globexRefused: Made;

beforeAll(async () => {
  const env = suite.env;
  bank = await makeRequest(env, { requesterEmail: 'it-ops@first-bank.example' });
  globex = await makeRequest(env, { requesterEmail: 'ops@globex.example' });
  // A weekday: refused (NOT_WEEKEND), still listed.
  globexRefused = await makeRequest(env, { requesterEmail: 'admin@globex.example', today: '2026-12-01' });
}, 60_000);

const rows = () => suite.tab.page.locator('table.list tbody tr');
const rowIds = async (): Promise<string[]> =>
  (await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''))) as string[];
async function listed(ids: string[]): Promise<void> {
  await expect.poll(rowIds, { timeout: 10_000 }).toEqual(ids);
}

describe('the request list', { timeout: 60_000 }, () => {
  it('opens a shared address with its filters: /requests?ticket=…', async () => {
    const { page } = suite.tab;
    await page.goto(`${suite.env.baseUrl}/requests?ticket=${bank.ticket}`);
    await listed([bank.id]);
    await expect(page.getByLabel('Ticket', { exact: true }).inputValue()).resolves.toBe(bank.ticket);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-requests-ticket-1366px');
  });

  it('searches the start of an email, domain or company; the address keeps it; Back and Forward restore it', async () => {
    const { page } = suite.tab;
    await page.goto(`${suite.env.baseUrl}/requests`);
    await page.getByLabel('Search', { exact: true }).fill('globex');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/\/requests\?q=globex$/);
    await listed([globexRefused.id, globex.id]);
    await page.getByLabel('Status').selectOption('refused');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/\/requests\?q=globex&status=refused$/);
    await listed([globexRefused.id]);
    expect(await axeViolations(page)).toEqual([]);

    await page.goBack();
    await page.waitForURL(/\/requests\?q=globex$/);
    await listed([globexRefused.id, globex.id]);
    await expect(page.getByLabel('Status').inputValue()).resolves.toBe('');
    await expect(page.getByLabel('Search', { exact: true }).inputValue()).resolves.toBe('globex');
    await page.goForward();
    await page.waitForURL(/status=refused/);
    await listed([globexRefused.id]);
    await expect(page.getByLabel('Status').inputValue()).resolves.toBe('refused');

    // A domain, and the start of an email.
    await page.goto(`${suite.env.baseUrl}/requests?q=${encodeURIComponent('first-bank.example')}`);
    await listed([bank.id]);
    await page.goto(`${suite.env.baseUrl}/requests?q=${encodeURIComponent('ops@glob')}`);
    await listed([globex.id]);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForURL(/\/requests$/);
    await expect(page.getByLabel('Search', { exact: true }).inputValue()).resolves.toBe('');
  });

  it('marks a search too short to run on its field, and keeps the address', async () => {
    const { page } = suite.tab;
    await page.goto(`${suite.env.baseUrl}/requests`);
    const search = page.getByLabel('Search', { exact: true });
    await search.fill('ab');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('Type at least 3 characters, or leave it empty.').waitFor();
    await expect(search.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(search.getAttribute('aria-describedby')).resolves.toContain('filter-q-problem');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('filter-q');
    expect(new URL(page.url()).search).toBe('');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('opens a request from anywhere on its row, and from the keyboard', async () => {
    const { page } = suite.tab;
    await page.goto(`${suite.env.baseUrl}/requests?q=globex`);
    await listed([globexRefused.id, globex.id]);
    // A click on the requester's cell (not on the link).
    await rows().nth(1).locator('td[data-label="Requester"]').click();
    await page.waitForURL(new RegExp(`/requests/${globex.id}$`));
    await page.getByRole('heading', { name: /^Request / }).waitFor();

    await page.goBack();
    await listed([globexRefused.id, globex.id]);
    // Keyboard: the row's link is in the tab order and names the request.
    const link = rows().first().getByRole('link');
    await expect(link.getAttribute('aria-label')).resolves.toBe(
      `Request for ticket ${globexRefused.ticket}, admin@globex.example`,
    );
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/requests/${globexRefused.id}$`));
    expect(suite.tab.problems).toEqual([]);
    expect(suite.tab.external).toEqual([]);
  });

  it('at 390 px: the rows are cards, nothing overflows, axe passes', async () => {
    const phone = await openTab(suite.env, { width: 390, height: 844 });
    try {
      await signIn(phone, suite.env, suite.env.tokens.engineer);
      await phone.page.goto(`${suite.env.baseUrl}/requests?q=globex`);
      await expect.poll(() => phone.page.locator('table.list tbody tr').count(), { timeout: 10_000 }).toBe(2);
      const overflow = (await phone.page.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth',
      )) as boolean;
      expect(overflow).toBe(true);
      expect(await axeViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'console-requests-390px');
    } finally {
      await phone.context.close();
    }
  });
});
