import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackNotifier } from '../../../src/adapters/slack/notifier.js';
import { DeliveryError, type ChatNotifier } from '../../../src/core/deliveries/ports.js';
import { startHttpPeer, type HttpPeer, type RecordedRequest } from '../../helpers/http-peer.js';

const TOKEN = 'xoxb-1111-2222-SECRETSECRET';
const META = { requestId: 'req_01J9ABC' };
const CHANNEL = '#support_licensing-subscription';
const TEXT =
  'Emergency license for ticket https://support.example/agent/tickets/4711 — admin@customer.example, 120 seats';

async function failure(promise: Promise<unknown>, secret = TOKEN): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).not.toContain(secret);
    return error as DeliveryError;
  }
  throw new Error('expected a DeliveryError');
}

/** The Web API sends application/x-www-form-urlencoded (or JSON); read either. */
function params(request: RecordedRequest | undefined): Record<string, unknown> {
  if (request === undefined) return {};
  if (typeof request.body === 'object' && request.body !== null)
    return request.body as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(request.rawBody).entries());
}

describe('Slack notifier (bot token, Web API)', () => {
  let peer: HttpPeer;
  let slack: ChatNotifier;

  beforeEach(async () => {
    peer = await startHttpPeer();
    slack = createSlackNotifier({
      token: TOKEN,
      channel: CHANNEL,
      apiUrl: `${peer.url}/api`,
      timeoutMs: 500,
    });
  });
  afterEach(async () => {
    await peer.close();
  });

  it('posts chat.postMessage with the channel, text, no unfurling and the Bearer token; returns ts', async () => {
    peer.on('POST', '/api/chat.postMessage', {
      body: { ok: true, channel: 'C0123', ts: '1736000000.000100', message: { text: TEXT } },
    });
    // No permalink from this stand-in (404): the post stands without one.
    expect(await slack.post(TEXT, META)).toEqual({ ref: '1736000000.000100', url: null });
    expect(peer.requestsTo('POST', '/api/chat.postMessage')).toHaveLength(1);
    const request = peer.requests[0];
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(params(request)).toMatchObject({ channel: CHANNEL, text: TEXT, unfurl_links: 'false' });
  });

  it("asks for the post's permalink (chat.getPermalink) for the record", async () => {
    peer.on('POST', '/api/chat.postMessage', {
      body: { ok: true, channel: 'C0123', ts: '1736000000.000100' },
    });
    peer.on('POST', '/api/chat.getPermalink', {
      body: {
        ok: true,
        channel: 'C0123',
        permalink: 'https://acme.slack.com/archives/C0123/p1736000000000100',
      },
    });
    expect(await slack.post(TEXT, META)).toEqual({
      ref: '1736000000.000100',
      url: 'https://acme.slack.com/archives/C0123/p1736000000000100',
    });
    expect(params(peer.requestsTo('POST', '/api/chat.getPermalink')[0])).toMatchObject({
      channel: 'C0123',
      message_ts: '1736000000.000100',
    });
    // Slack refusing the permalink does not undo the post.
    peer.on('POST', '/api/chat.getPermalink', { body: { ok: false, error: 'missing_scope' } });
    expect(await slack.post(TEXT, META)).toEqual({ ref: '1736000000.000100', url: null });
  });

  it('answers a post in its thread (thread_ts) for a follow-up, and posts on its own without one', async () => {
    peer.on('POST', '/api/chat.postMessage', {
      body: { ok: true, channel: 'C0123', ts: '1736000000.000200' },
    });
    await slack.post('Update: the license email was sent.', { ...META, threadRef: '1736000000.000100' });
    await slack.post(TEXT, { ...META, threadRef: null });
    const [reply, post] = peer.requestsTo('POST', '/api/chat.postMessage').map(params);
    expect(reply).toMatchObject({ channel: CHANNEL, thread_ts: '1736000000.000100' });
    expect(post).not.toHaveProperty('thread_ts');
  });

  it.each([
    ['invalid_auth', /Slack refused the token/],
    ['not_authed', /no token/],
    ['account_inactive', /deactivated/],
    ['channel_not_found', /channel not found \(channel #support_licensing-subscription\)/],
    ['not_in_channel', /not a member of the channel/],
    ['some_new_error', /Slack refused the message: some_new_error/],
  ])('ok:false %s → permanent', async (code, message) => {
    peer.on('POST', '/api/chat.postMessage', { body: { ok: false, error: code } });
    const error = await failure(slack.post(TEXT, META));
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(message);
    expect(peer.requests).toHaveLength(1);
  });

  it('ok:false internal_error → temporary', async () => {
    peer.on('POST', '/api/chat.postMessage', { body: { ok: false, error: 'internal_error' } });
    expect((await failure(slack.post(TEXT, META))).kind).toBe('temporary');
  });

  it('HTTP 429 with Retry-After → temporary with retryAfterMs, not waited out, not retried', async () => {
    peer.on('POST', '/api/chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '30' },
      body: { ok: false, error: 'ratelimited' },
    });
    const started = Date.now();
    const error = await failure(slack.post(TEXT, META));
    expect(error.kind).toBe('temporary');
    expect(error.retryAfterMs).toBe(30_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(peer.requests).toHaveLength(1);
  });

  it('HTTP 429 without a usable Retry-After → temporary', async () => {
    peer.on('POST', '/api/chat.postMessage', { status: 429, body: { ok: false, error: 'ratelimited' } });
    const error = await failure(slack.post(TEXT, META));
    expect(error.kind).toBe('temporary');
    expect(peer.requests).toHaveLength(1);
  });

  it('HTTP 500 → temporary, one request', async () => {
    peer.on('POST', '/api/chat.postMessage', { status: 500, body: 'upstream error' });
    const error = await failure(slack.post(TEXT, META));
    expect(error.kind).toBe('temporary');
    expect(error.message).toContain('(500)');
    expect(peer.requests).toHaveLength(1);
  });

  it('HTTP 404 (wrong SLACK_API_URL) → permanent', async () => {
    const error = await failure(slack.post(TEXT, META)); // the peer answers 404 to unknown paths
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('(404)');
  });

  it('a timeout → temporary', async () => {
    peer.on('POST', '/api/chat.postMessage', { delayMs: 2_000, body: { ok: true, ts: '1' } });
    const error = await failure(slack.post(TEXT, META));
    expect(error.kind).toBe('temporary');
    expect(error.message).toContain('did not answer within 0.5 s');
    expect(peer.requests).toHaveLength(1);
  });

  it('verify: auth.test says user and team', async () => {
    peer.on('POST', '/api/auth.test', {
      body: {
        ok: true,
        url: 'https://acme.slack.com/',
        team: 'Acme',
        user: 'lifeline',
        team_id: 'T1',
        user_id: 'U1',
      },
    });
    const said = await slack.verify();
    expect(said).toContain('user lifeline in team Acme');
    expect(said).toContain(CHANNEL);
    expect(peer.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('verify: invalid_auth → permanent without the token', async () => {
    peer.on('POST', '/api/auth.test', { body: { ok: false, error: 'invalid_auth' } });
    const error = await failure(slack.verify());
    expect(error.kind).toBe('permanent');
  });
});

describe('Slack notifier (incoming webhook)', () => {
  let peer: HttpPeer;
  let slack: ChatNotifier;
  const HOOK_PATH = '/services/T000/B000/XXXXSECRETXXXX';

  beforeEach(async () => {
    peer = await startHttpPeer();
    slack = createSlackNotifier({
      channel: CHANNEL,
      apiUrl: 'https://slack.com/api/',
      webhookUrl: `${peer.url}${HOOK_PATH}`,
      timeoutMs: 500,
    });
  });
  afterEach(async () => {
    await peer.close();
  });

  it('POSTs {text} as JSON and accepts "ok"', async () => {
    peer.on('POST', HOOK_PATH, { body: 'ok' });
    expect(await slack.post(TEXT, META)).toEqual({ ref: null });
    expect(peer.requests[0]?.headers['content-type']).toContain('application/json');
    expect(peer.requests[0]?.body).toMatchObject({ text: TEXT });
  });

  it('posts a follow-up as a message of its own (a webhook has no thread and returns no ts)', async () => {
    peer.on('POST', HOOK_PATH, { body: 'ok' });
    const text = 'Update on the emergency license for ticket #4711 (request `req_01J9ABC`): sent.';
    expect(await slack.post(text, { ...META, threadRef: '1736000000.000100' })).toEqual({ ref: null });
    expect(peer.requests[0]?.body).toEqual({ text, unfurl_links: false });
  });

  it.each([
    [404, 'no_service'],
    [403, 'invalid_token'],
    [400, 'invalid_payload'],
    [410, 'channel_is_archived'],
  ])('%i %s → permanent, without the webhook secret', async (status, body) => {
    peer.on('POST', HOOK_PATH, { status, body });
    const error = await failure(slack.post(TEXT, META), 'XXXXSECRETXXXX');
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain(`(${status})`);
  });

  it('429 → temporary with retryAfterMs; 500 → temporary; timeout → temporary', async () => {
    peer.once('POST', HOOK_PATH, { status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' });
    const limited = await failure(slack.post(TEXT, META));
    expect(limited).toMatchObject({ kind: 'temporary', retryAfterMs: 7_000 });

    peer.once('POST', HOOK_PATH, { status: 500, body: 'oops' });
    expect((await failure(slack.post(TEXT, META))).kind).toBe('temporary');

    peer.once('POST', HOOK_PATH, { delayMs: 2_000, body: 'ok' });
    expect((await failure(slack.post(TEXT, META))).kind).toBe('temporary');
  });

  it('verify says a webhook cannot be verified without posting', async () => {
    expect(await slack.verify()).toMatch(/cannot be verified without posting/);
    expect(peer.requests).toHaveLength(0);
  });

  it('needs a token or a webhook', () => {
    expect(() => createSlackNotifier({ channel: CHANNEL, apiUrl: 'https://slack.com/api/' })).toThrow(
      /SLACK_TOKEN/,
    );
  });
});
