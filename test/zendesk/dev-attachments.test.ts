/**
 * The /zendesk/dev stand-in's tickets API: Lifeline's own Zendesk adapter, pointed at
 * `…/zendesk/dev`, lists the fake ticket's screenshot attachments and downloads them (the fixture
 * screenshots), and the page's `?screenshots=` decides which the ticket carries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZendeskTickets } from '../../src/adapters/zendesk/tickets.js';
import type { TicketSystem } from '../../src/core/deliveries/ports.js';
import { fixtureShot } from '../helpers/zendesk-attachments.js';
import { startApi, type Api } from '../http/helpers.js';

let api: Api;
let base = '';
let tickets: TicketSystem;

beforeAll(async () => {
  api = await startApi({ LIFELINE_ZENDESK_DEV: 'true' });
  await api.server.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
  tickets = createZendeskTickets({
    url: `${base}/zendesk/dev`,
    email: 'dev@localhost',
    apiToken: 'dev-token',
  });
});

afterAll(async () => {
  await api?.close();
});

describe('the stand-in tickets API', () => {
  it("serves the fake ticket's two screenshots to the Zendesk adapter", async () => {
    const images = await tickets.imageAttachments('1001');
    expect(images.map((i) => [i.fileName, i.contentType])).toEqual([
      ['subscription.png', 'image/png'],
      ['dashboard.png', 'image/png'],
    ]);
    const bytes = await tickets.downloadAttachment('1001', images[1]!, 10 * 1024 * 1024);
    expect(Buffer.from(bytes!).equals(fixtureShot('dashboard-light-100-inter.png'))).toBe(true);
    expect(await tickets.verify()).toMatch(/Zendesk stand-in/);
    await expect(tickets.addInternalNote('1001', '<p>note</p>')).resolves.toEqual({
      url: expect.stringMatching(/\/agent\/tickets\/1001$/),
    });
  });

  it('carries the screenshots its page was opened with', async () => {
    const page = await fetch(`${base}/zendesk/dev?ticket=1002&screenshots=dashboard`);
    expect(await page.text()).toContain('Attached screenshots: dashboard');
    expect((await tickets.imageAttachments('1002')).map((i) => i.fileName)).toEqual(['dashboard.png']);
    await fetch(`${base}/zendesk/dev?ticket=1003&screenshots=none`);
    expect(await tickets.imageAttachmentCount('1003')).toBe(0);
    const bad = await fetch(`${base}/zendesk/dev?ticket=1004&screenshots=all`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('screenshots: must be one of both, dashboard, subscription, none');
  });
});
