/**
 * A ticket's image attachments through Zendesk's API (a loopback stand-in): listed from the
 * comments, fetched by id through /api/v2/attachments, the bytes followed through the redirect to
 * the file host, the credentials sent only to the configured Zendesk origin, and never more than
 * the limit read.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createZendeskTickets } from '../../../src/adapters/zendesk/tickets.js';
import type { TicketSystem } from '../../../src/core/deliveries/ports.js';
import { startHttpPeer, type HttpPeer } from '../../helpers/http-peer.js';
import {
  DASHBOARD_SHOT,
  fixtureShot,
  serveTicketAttachments,
  SUBSCRIPTION_SHOT,
} from '../../helpers/zendesk-attachments.js';

const EMAIL = 'lifeline@vendor.example';
const API_TOKEN = 'zdTOKENsecret0123456789';

describe('Zendesk attachments', () => {
  let zendesk: HttpPeer;
  let files: HttpPeer;
  let tickets: TicketSystem;

  beforeEach(async () => {
    zendesk = await startHttpPeer();
    files = await startHttpPeer();
    serveTicketAttachments(zendesk, () => [SUBSCRIPTION_SHOT, 'notes.txt', DASHBOARD_SHOT]);
    tickets = createZendeskTickets({ url: zendesk.url, email: EMAIL, apiToken: API_TOKEN, timeoutMs: 2_000 });
  });
  afterEach(async () => {
    await zendesk.close();
    await files.close();
  });

  it('lists only the image attachments, with id, name, type and size', async () => {
    const images = await tickets.imageAttachments('4711');
    expect(images.map((i) => [i.fileName, i.contentType])).toEqual([
      [SUBSCRIPTION_SHOT, 'image/png'],
      [DASHBOARD_SHOT, 'image/png'],
    ]);
    expect(images[0]?.size).toBe(fixtureShot(SUBSCRIPTION_SHOT).length);
    expect(await tickets.imageAttachmentCount('4711')).toBe(2);
  });

  it('downloads the bytes through the redirect, with the credentials on Zendesk only', async () => {
    const [image] = await tickets.imageAttachments('4711');
    const bytes = await tickets.downloadAttachment('4711', image!, 10 * 1024 * 1024);
    expect(Buffer.from(bytes!).equals(fixtureShot(SUBSCRIPTION_SHOT))).toBe(true);
    expect(zendesk.requestsTo('GET', /^\/files\//)[0]?.headers.authorization).toMatch(/^Basic /);

    // A file host elsewhere (Zendesk's CDN) gets no credentials.
    files.on('GET', '/cdn/shot.png', {
      headers: { 'content-type': 'image/png' },
      body: fixtureShot(DASHBOARD_SHOT),
    });
    zendesk.on('GET', /^\/attachments\/token\//, {
      status: 302,
      headers: { location: `${files.url}/cdn/shot.png` },
    });
    // (http here; a real file host elsewhere must be https: see the next test)
    const elsewhere = await tickets
      .downloadAttachment('4711', image!, 10 * 1024 * 1024)
      .catch((e: Error) => e.message);
    expect(elsewhere).toMatch(/must be https/);
    expect(files.requests).toHaveLength(0);
  });

  it('reads no more than the limit: null for a larger attachment', async () => {
    const [image] = await tickets.imageAttachments('4711');
    expect(await tickets.downloadAttachment('4711', image!, 1000)).toBeNull();
    // Zendesk said the size: the bytes were not even asked for.
    expect(zendesk.requestsTo('GET', /^\/files\//)).toHaveLength(0);
    zendesk.on('GET', /^\/api\/v2\/attachments\/\d+\.json$/, {
      body: { attachment: { content_url: `${zendesk.url}/files/big` } },
    });
    zendesk.on('GET', '/files/big', { body: Buffer.alloc(5000, 1) });
    expect(await tickets.downloadAttachment('4711', image!, 1000)).toBeNull();
  });

  it('refuses an attachment id that is not a number', async () => {
    const refused = await tickets
      .downloadAttachment('4711', { id: '../x', fileName: 'x.png', contentType: 'image/png', size: 1 }, 100)
      .catch((e: Error) => e.message);
    expect(refused).toMatch(/not an attachment id/);
  });
});
