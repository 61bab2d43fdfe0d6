import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createZendeskTickets } from '../../../src/adapters/zendesk/tickets.js';
import { DeliveryError, type TicketSystem } from '../../../src/core/deliveries/ports.js';
import { startHttpPeer, type HttpPeer } from '../../helpers/http-peer.js';

const EMAIL = 'lifeline@vendor.example';
const API_TOKEN = 'zdTOKENsecret0123456789';
const BASIC = `Basic ${Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString('base64')}`;

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).not.toContain(API_TOKEN);
    expect((error as Error).message).not.toContain(BASIC.slice('Basic '.length));
    return error as DeliveryError;
  }
  throw new Error('expected a DeliveryError');
}

function comment(id: number, attachments: { content_type: string; file_name: string }[]) {
  return {
    id,
    type: 'Comment',
    author_id: 123,
    body: 'See attached',
    public: true,
    created_at: '2025-01-04T10:00:00Z',
    attachments: attachments.map((a, i) => ({
      id: id * 10 + i,
      file_name: a.file_name,
      content_type: a.content_type,
      content_url: `https://support.example/attachments/${id}/${a.file_name}`,
      size: 2048,
      thumbnails: [],
    })),
  };
}

describe('Zendesk tickets', () => {
  let peer: HttpPeer;
  let zendesk: TicketSystem;

  beforeEach(async () => {
    peer = await startHttpPeer();
    zendesk = createZendeskTickets({
      url: `${peer.url}/`,
      email: EMAIL,
      apiToken: API_TOKEN,
      timeoutMs: 500,
    });
  });
  afterEach(async () => {
    await peer.close();
  });

  it('adds an internal note as HTML (html_body, never Markdown): PUT ticket with comment public:false and Basic auth', async () => {
    peer.on('PUT', '/api/v2/tickets/4711.json', {
      body: { ticket: { id: 4711, status: 'open' }, audit: { id: 1, events: [] } },
    });
    await zendesk.addInternalNote('4711', 'Emergency license generated: 120 seats, expires 2025-01-14.');
    expect(peer.requests).toHaveLength(1);
    const request = peer.requests[0];
    expect(request?.headers.authorization).toBe(BASIC);
    expect(request?.headers['content-type']).toContain('application/json');
    expect(request?.body).toEqual({
      ticket: {
        comment: { html_body: 'Emergency license generated: 120 seats, expires 2025-01-14.', public: false },
      },
    });
  });

  it('counts image attachments across comment pages (following next_page)', async () => {
    peer.on('GET', '/api/v2/tickets/4711/comments.json', (req) =>
      req.query['page'] === '2'
        ? {
            body: {
              comments: [comment(3, [{ content_type: 'image/jpeg', file_name: 'license.jpg' }])],
              next_page: null,
              previous_page: `${peer.url}/api/v2/tickets/4711/comments.json?page=1`,
              count: 3,
            },
          }
        : {
            body: {
              comments: [
                comment(1, [
                  { content_type: 'image/png', file_name: 'dashboard.png' },
                  { content_type: 'application/pdf', file_name: 'invoice.pdf' },
                ]),
                comment(2, []),
              ],
              next_page: `${peer.url}/api/v2/tickets/4711/comments.json?page=2&per_page=100`,
              previous_page: null,
              count: 3,
            },
          },
    );
    expect(await zendesk.imageAttachmentCount('4711')).toBe(2);
    expect(peer.requests.map((r) => r.query['page'])).toEqual([undefined, '2']);
    expect(peer.requests.every((r) => r.headers.authorization === BASIC)).toBe(true);
  });

  it('stops after a few pages and never follows next_page to another host', async () => {
    let page = 0;
    peer.on('GET', '/api/v2/tickets/1/comments.json', () => {
      page += 1;
      return {
        body: {
          comments: [comment(page, [{ content_type: 'image/png', file_name: 'x.png' }])],
          next_page: `${peer.url}/api/v2/tickets/1/comments.json?page=${page + 1}`,
        },
      };
    });
    expect(await zendesk.imageAttachmentCount('1')).toBe(5);
    expect(peer.requests).toHaveLength(5);

    peer.reset();
    peer.on('GET', '/api/v2/tickets/2/comments.json', {
      body: { comments: [], next_page: 'https://elsewhere.example/api/v2/tickets/2/comments.json?page=2' },
    });
    expect(await zendesk.imageAttachmentCount('2')).toBe(0);
    expect(peer.requests).toHaveLength(1);
  });

  it('401 → permanent naming the account', async () => {
    peer.on('PUT', '/api/v2/tickets/4711.json', {
      status: 401,
      body: { error: "Couldn't authenticate you" },
    });
    const error = await failure(zendesk.addInternalNote('4711', 'x'));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain(`Zendesk refused the API token for ${EMAIL} (401)`);
  });

  it('404 → permanent "ticket not found (404)"', async () => {
    peer.on('GET', '/api/v2/tickets/9999/comments.json', {
      status: 404,
      body: { error: 'RecordNotFound', description: 'Not found' },
    });
    const error = await failure(zendesk.imageAttachmentCount('9999'));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('Zendesk ticket 9999 not found (404)');
  });

  it('422 → permanent with Zendesk’s reason', async () => {
    peer.on('PUT', '/api/v2/tickets/4711.json', {
      status: 422,
      body: {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { base: [{ description: 'closed' }] },
      },
    });
    const error = await failure(zendesk.addInternalNote('4711', 'x'));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('RecordInvalid');
  });

  it('429 with Retry-After → temporary with retryAfterMs', async () => {
    peer.on('PUT', '/api/v2/tickets/4711.json', {
      status: 429,
      headers: { 'retry-after': '93' },
      body: 'Too Many Requests',
    });
    const error = await failure(zendesk.addInternalNote('4711', 'x'));
    expect(error).toMatchObject({ kind: 'temporary', retryAfterMs: 93_000 });
    expect(peer.requests).toHaveLength(1);
  });

  it('500 → temporary; a timeout → temporary; a dropped connection → temporary', async () => {
    peer.once('PUT', '/api/v2/tickets/4711.json', { status: 500, body: { error: 'InternalError' } });
    expect((await failure(zendesk.addInternalNote('4711', 'x'))).kind).toBe('temporary');

    peer.once('PUT', '/api/v2/tickets/4711.json', { delayMs: 2_000, body: {} });
    const timeout = await failure(zendesk.addInternalNote('4711', 'x'));
    expect(timeout.kind).toBe('temporary');
    expect(timeout.message).toContain('did not answer within 0.5 s');

    peer.once('PUT', '/api/v2/tickets/4711.json', { destroy: true });
    expect((await failure(zendesk.addInternalNote('4711', 'x'))).kind).toBe('temporary');
  });

  it('a ticket id that is not a number → permanent, nothing sent', async () => {
    const error = await failure(zendesk.addInternalNote('../users/1', 'x'));
    expect(error.kind).toBe('permanent');
    expect(peer.requests).toHaveLength(0);
  });

  it('verify: says who the API user is', async () => {
    peer.on('GET', '/api/v2/users/me.json', {
      body: { user: { id: 361, name: 'Lifeline Bot', email: EMAIL, role: 'agent', active: true } },
    });
    expect(await zendesk.verify()).toBe(`Zendesk accepts the API token: Lifeline Bot <${EMAIL}>, role agent`);
    expect(peer.requests[0]?.headers.authorization).toBe(BASIC);
  });

  it('verify: the anonymous user (id null) is an authentication failure', async () => {
    peer.on('GET', '/api/v2/users/me.json', {
      body: {
        user: { id: null, url: null, name: 'Anonymous user', email: 'invalid@example.com', role: 'end-user' },
      },
    });
    const error = await failure(zendesk.verify());
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('anonymous');
  });
});
