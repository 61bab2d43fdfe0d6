/**
 * Zendesk's attachments as a loopback stand-in serves them (on an http-peer): a ticket's comments
 * list its attachments (id, file name, type, size, content_url), `/api/v2/attachments/{id}.json`
 * gives one's address, and that address answers with a redirect to the bytes, as Zendesk's does.
 * The bytes are the committed fixture screenshots (test/fixtures/screenshots/images).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../bench/evidence-fixtures.js';
import { startHttpPeer, type HttpPeer } from './http-peer.js';

/** Two screenshots the workflow asks for: the subscription page and the dashboard. */
export const SUBSCRIPTION_SHOT = 'subscription-light-100-inter.png';
export const DASHBOARD_SHOT = 'dashboard-light-100-inter.png';

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
};

export const fixtureShot = (name: string): Buffer => readFileSync(join(FIXTURES_DIR, 'images', name));

/**
 * Serves each ticket's attachments: `attachmentsOf(ticketId)` names fixture images (a name may end
 * in `.pdf` or `.txt` to stand for a non-image attachment, served as text).
 */
export function serveTicketAttachments(peer: HttpPeer, attachmentsOf: (ticketId: string) => string[]): void {
  const files = new Map<string, string>();
  const idOf = (name: string): string => {
    for (const [id, file] of files) if (file === name) return id;
    const id = String(900_000 + files.size);
    files.set(id, name);
    return id;
  };
  const bytesOf = (name: string): Buffer =>
    /\.(pdf|txt)$/.test(name) ? Buffer.from(`not an image: ${name}`) : fixtureShot(name);
  const typeOf = (name: string): string => TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
  const described = (name: string) => {
    const id = idOf(name);
    return {
      id: Number(id),
      file_name: name,
      content_type: typeOf(name),
      size: bytesOf(name).length,
      content_url: `${peer.url}/attachments/token/t${id}/?name=${encodeURIComponent(name)}`,
    };
  };
  peer.on('GET', /^\/api\/v2\/tickets\/\d+\/comments\.json$/, (req) => {
    const ticketId = /tickets\/(\d+)\//.exec(req.path)?.[1] ?? '';
    const names = attachmentsOf(ticketId);
    return {
      body: {
        comments: [
          { id: 1, body: 'Here are the screenshots.', attachments: names.map(described) },
          { id: 2, body: 'Thanks!', attachments: [] },
        ],
        next_page: null,
      },
    };
  });
  peer.on('GET', /^\/api\/v2\/attachments\/\d+\.json$/, (req) => {
    const id = /attachments\/(\d+)\.json$/.exec(req.path)?.[1] ?? '';
    const name = files.get(id);
    return name
      ? { body: { attachment: described(name) } }
      : { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
  });
  peer.on('GET', /^\/attachments\/token\/t\d+\/$/, (req) => {
    const id = /token\/t(\d+)\//.exec(req.path)?.[1] ?? '';
    return { status: 302, headers: { location: `/files/${id}` } };
  });
  peer.on('GET', /^\/files\/\d+$/, (req) => {
    const name = files.get(/files\/(\d+)$/.exec(req.path)?.[1] ?? '');
    return name
      ? { headers: { 'content-type': typeOf(name) }, body: bytesOf(name) }
      : { status: 404, body: 'no such file' };
  });
}

/** A loopback Zendesk serving each ticket's attachments, and the environment that connects Lifeline to it. */
export async function startZendeskStandIn(
  attachmentsOf: (ticketId: string) => string[],
): Promise<{ peer: HttpPeer; env: Record<string, string> }> {
  const peer = await startHttpPeer();
  serveTicketAttachments(peer, attachmentsOf);
  return {
    peer,
    env: {
      TICKETS: 'zendesk',
      ZENDESK_URL: peer.url,
      ZENDESK_EMAIL: 'agent@support.example',
      ZENDESK_API_TOKEN: 'zd-test-token-789',
    },
  };
}
