/**
 * A request's page in a real Chromium (issue 20 items 4 and 9): the approver decides with the
 * evidence beside the refusal (plan, previous expiry and seats, user counts, license file, licensee,
 * screenshots), the override's reason and who asked when and from where; approve and reject take a
 * note; the events read as words, the deliveries as words or links, the times in the support time
 * zone (Europe/Berlin here). axe-core on every state visited.
 */
import { describe, expect, it } from 'vitest';
import { customerLicense } from '../helpers/customer-license.js';
import { openTab, screenshot, axeViolations, signIn, type Tab } from './harness.js';
import { browserSuite, makePending } from './seed.js';

const suite = browserSuite('licensing', { LIFELINE_SUPPORT_TIMEZONE: 'Europe/Berlin' });

const row = (tab: Tab, scope: string, label: string) =>
  tab.page.locator(`${scope} .report-row`, { has: tab.page.locator('dt', { hasText: label }) }).locator('dd');

/** Every delivery shown as sent. */
async function allSent(tab: Tab, count: number): Promise<void> {
  const statuses = () =>
    tab.page.locator('li.delivery').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
  await expect
    .poll(statuses, { timeout: 20_000, interval: 200 })
    .toSatisfy((s: (string | null)[]) => s.length >= count && s.every((x) => x === 'sent'));
}

describe("the approver's page", { timeout: 60_000 }, () => {
  it('shows the evidence beside the refusal, the reason, who asked when; approves with a note the engineer is told', async () => {
    const made = await makePending(suite.env, {
      requesterEmail: 'it-ops@first-bank.example',
      // Expired on the 20th: the instance is still in its grace period (rule 4).
      previousLicense: customerLicense({
        company: 'First Bank AG',
        email: 'admin@first-bank.example',
        expiresAt: '2026-11-20',
        plan: 'ultimate',
        seats: 50,
      }),
      plan: undefined,
      expiresAt: undefined,
      previousSeats: undefined,
      maximumUsers: 48,
      billableUsers: 45,
      seats: 50,
    });
    expect(made.status).toBe('pending_approval');
    const { page } = suite.tab;
    await page.goto(`${suite.env.baseUrl}/requests/${made.id}`);
    const decision = page.locator('section.decision');
    await decision.getByRole('heading', { name: 'The decision: the refusal and the evidence' }).waitFor();
    await expect(decision.locator('.refusal-list li').first().textContent()).resolves.toMatch(
      /^STILL_IN_GRACE .*read-only on 2026-12-04/,
    );
    await expect(decision.locator('.asked').textContent()).resolves.toBe(
      'Asked by erin (engineer) on 2026-11-28 11:00 GMT+1 from the API (with a token):',
    );
    await expect(decision.locator('blockquote').textContent()).resolves.toBe(
      'Bank outage confirmed with the TAM on the call.',
    );
    const evidence = (label: string) => row(suite.tab, 'section.decision', label).textContent();
    await expect(evidence('Evidence from')).resolves.toBe(
      "the customer's license file (decoded and verified)",
    );
    await expect(evidence('Plan')).resolves.toBe('ultimate');
    await expect(evidence('Previous expiry')).resolves.toBe('2026-11-20');
    await expect(evidence('Previous seats')).resolves.toBe('50');
    await expect(evidence('Maximum users')).resolves.toBe('48');
    await expect(evidence('Billable users')).resolves.toBe('45');
    await expect(evidence('Licensee')).resolves.toBe('First Bank AG, admin@first-bank.example');
    await expect(evidence('Screenshots')).resolves.toMatch(/^not counted/);
    // Beside each other on a wide screen.
    const [refusalBox, evidenceBox] = await Promise.all([
      page.locator('section[aria-labelledby="detail-refusal"]').boundingBox(),
      page.locator('section[aria-labelledby="detail-evidence"]').boundingBox(),
    ]);
    expect(evidenceBox!.x).toBeGreaterThan(refusalBox!.x + refusalBox!.width - 1);
    expect(Math.abs(evidenceBox!.y - refusalBox!.y)).toBeLessThan(5);
    await expect(
      row(suite.tab, 'section[aria-labelledby="detail-summary"]', 'Created').textContent(),
    ).resolves.toBe('2026-11-28 11:00 GMT+1');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-approval-evidence-1366px');

    await page.getByLabel(/^Note to the engineer/).fill('Confirmed with the account team.');
    await page.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve this override?' });
    await expect(dialog.textContent()).resolves.toContain(
      'with your note “Confirmed with the account team.”',
    );
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Approve and issue' }).click();
    await page.getByText(/^Approved: the license is generated/).waitFor();
    await page
      .locator('.decision-line', { hasText: 'with the note “Confirmed with the account team.”' })
      .waitFor();
    await allSent(suite.tab, 6);
    await page.reload();
    await allSent(suite.tab, 6);

    // The events in words; the deliveries as words or links, never an id or a path.
    const events = await page.locator('ol.events li strong').allTextContents();
    expect(events).toContain(
      'Override approved by lee: “Confirmed with the account team.”; license issued: 50 seats, expires 2026-12-08',
    );
    expect(events).toContain('Email sent to it-ops@first-bank.example');
    expect(events).toContain("Team told in the thread of the request's post");
    expect(events).toContain(`Internal note added to ticket #${made.ticket}`);
    const references = await page.locator('li.delivery .delivery-reference').allTextContents();
    expect(references).toContain('Reply in the thread of the team post');
    expect(references).toContain(`Internal note on ticket #${made.ticket}`);
    const shown = [
      await page.locator('section[aria-labelledby="detail-deliveries"]').textContent(),
      ...events,
      ...(await page.locator('section[aria-labelledby="detail-local"] li > strong').allTextContents()),
    ];
    for (const text of shown) expect(text).not.toMatch(/dlv_|post_|iss_|\.eml|data\/outbox/);
    await expect(page.locator('ol.events time').first().textContent()).resolves.toMatch(/ GMT\+1$/);
    await expect(
      row(suite.tab, 'section[aria-labelledby="detail-summary"]', 'Made from').textContent(),
    ).resolves.toBe('the API (with a token)');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-approved-request-1366px');
    expect(suite.tab.problems).toEqual([]);
  });

  it('rejects only with a note, and says the engineer is told', async () => {
    const made = await makePending(suite.env);
    const { page } = suite.tab;
    await page.goto(`${suite.env.baseUrl}/requests/${made.id}`);
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Write a note to reject this request: the engineer who asked reads it.').waitFor();
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('detail-note');
    await page.getByLabel(/^Note to the engineer/).fill('Not a paying customer any more.');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText(/^Rejected\. The engineer who asked is told/).waitFor();
    await expect(page.locator('#detail-summary .badge').textContent()).resolves.toBe('Rejected');
    await page
      .locator('ol.events li strong', {
        hasText: 'Override rejected by lee: “Not a paying customer any more.”',
      })
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('at 390 px: the evidence under the refusal, nothing overflows, axe passes', async () => {
    const made = await makePending(suite.env, { maximumUsers: 25 });
    const phone = await openTab(suite.env, { width: 390, height: 844 });
    try {
      await signIn(phone, suite.env, suite.env.tokens.licensing);
      await phone.page.goto(`${suite.env.baseUrl}/requests/${made.id}`);
      await phone.page.locator('section.decision').waitFor();
      const fits = (await phone.page.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth',
      )) as boolean;
      expect(fits).toBe(true);
      const [refusalBox, evidenceBox] = await Promise.all([
        phone.page.locator('section[aria-labelledby="detail-refusal"]').boundingBox(),
        phone.page.locator('section[aria-labelledby="detail-evidence"]').boundingBox(),
      ]);
      expect(evidenceBox!.y).toBeGreaterThan(refusalBox!.y);
      expect(await axeViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'console-approval-evidence-390px');
    } finally {
      await phone.context.close();
    }
  });
});
