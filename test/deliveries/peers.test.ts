/**
 * Deliveries against real protocol peers on loopback: an SMTP server, and HTTP servers behaving
 * like GitLab's issues API, Slack's chat.postMessage and Zendesk's tickets API — including faults.
 */
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { decodeLicense } from '../../src/core/license/codec.js';
import {
  approveRequest,
  issueEmergencyLicense,
  lookupById,
  rejectRequest,
  resendLicense,
  retryRequest,
} from '../../src/core/issuance/index.js';
import { recordJson } from '../../src/core/issuance/view.js';
import { markdownText } from '../../src/core/text/gitlab-markdown.js';
import { startSmtpServer, type TestSmtpServer } from '../adapters/mail/smtp-test-server.js';
import { startHttpPeer, type HttpPeer, type RecordedRequest } from '../helpers/http-peer.js';
import { testPublicKey } from '../helpers/vectors.js';
import { unusableKey } from '../helpers/issuance.js';
import { appWith, drain, eligibleInput, issue } from './harness.js';
import { unwrap } from '../../src/core/outcome.js';

interface Peers {
  smtp: TestSmtpServer;
  http: HttpPeer;
  gitlabIssues: {
    iid: number;
    title: string;
    description: string;
    labels: string;
    confidential: boolean;
    state: string;
  }[];
  gitlabNotes: { iid: number; body: string }[];
}

async function startPeers(): Promise<Peers> {
  const smtp = await startSmtpServer();
  const http = await startHttpPeer();
  const gitlabIssues: Peers['gitlabIssues'] = [];
  const gitlabNotes: Peers['gitlabNotes'] = [];
  const issueJson = (i: Peers['gitlabIssues'][number]) => ({
    ...i,
    labels: i.labels.split(','),
    web_url: `${http.url}/support/requests/-/issues/${i.iid}`,
  });
  http.on('GET', '/api/v4/projects/42/issues', (req: RecordedRequest) => ({
    body: gitlabIssues.filter((i) => i.description.includes(req.query['search'] ?? '\u0000')).map(issueJson),
  }));
  http.on('POST', '/api/v4/projects/42/issues', (req) => {
    const b = req.body as Record<string, unknown>;
    const created = {
      iid: gitlabIssues.length + 1,
      title: String(b['title']),
      description: String(b['description']),
      labels: String(b['labels']),
      confidential: b['confidential'] === true || b['confidential'] === 'true',
      state: 'opened',
    };
    gitlabIssues.push(created);
    return { status: 201, body: issueJson(created) };
  });
  http.on('PUT', /^\/api\/v4\/projects\/42\/issues\/(\d+)$/, (req) => {
    const iid = Number(/(\d+)$/.exec(req.path)?.[1]);
    const found = gitlabIssues.find((i) => i.iid === iid);
    if (!found) return { status: 404, body: { message: '404 Not found' } };
    const edit = req.body as Record<string, unknown>;
    if (edit['state_event'] === 'close') found.state = 'closed';
    if (edit['state_event'] === 'reopen') found.state = 'opened';
    if (typeof edit['title'] === 'string') found.title = edit['title'];
    if (typeof edit['description'] === 'string') found.description = edit['description'];
    return { body: issueJson(found) };
  });
  http.on('POST', /^\/api\/v4\/projects\/42\/issues\/\d+\/notes$/, (req) => {
    const iid = Number(/issues\/(\d+)\/notes$/.exec(req.path)?.[1]);
    const body = String((req.body as Record<string, unknown>)['body']);
    gitlabNotes.push({ iid, body });
    return { status: 201, body: { id: gitlabNotes.length, body } };
  });
  http.on('POST', '/api/chat.postMessage', { body: { ok: true, ts: '1764331200.000100', channel: 'C1' } });
  http.on('GET', /^\/api\/v2\/tickets\/\d+\/comments\.json$/, {
    body: {
      comments: [{ id: 1, attachments: [{ content_type: 'image/png' }, { content_type: 'image/jpeg' }] }],
      next_page: null,
    },
  });
  http.on('PUT', /^\/api\/v2\/tickets\/\d+\.json$/, { body: { ticket: { id: 1 } } });
  return { smtp, http, gitlabIssues, gitlabNotes };
}

function envFor(p: Peers): Record<string, string> {
  return {
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: p.smtp.url(),
    MAIL_FROM: 'Lifeline <lifeline@support.example>',
    MAIL_REPLY_TO: 'support@support.example',
    TRACKER: 'gitlab',
    GITLAB_URL: p.http.url,
    GITLAB_TOKEN: 'glpat-test-token-123',
    GITLAB_PROJECT: '42',
    CHAT: 'slack',
    SLACK_TOKEN: 'xoxb-test-token-456',
    SLACK_CHANNEL: '#support_licensing-subscription',
    SLACK_API_URL: `${p.http.url}/api/`,
    TICKETS: 'zendesk',
    ZENDESK_URL: p.http.url,
    ZENDESK_EMAIL: 'agent@support.example',
    ZENDESK_API_TOKEN: 'zd-test-token-789',
  };
}

/** The Slack posts (form fields of chat.postMessage: text, thread_ts) and the Zendesk notes (HTML). */
const slackPosts = (p: Peers) =>
  requestsTo(p, 'POST', '/api/chat.postMessage').map((r) => {
    const form = new URLSearchParams(r.rawBody);
    return { text: form.get('text') ?? '', threadTs: form.get('thread_ts') };
  });
const zendeskNotes = (p: Peers) =>
  requestsTo(p, 'PUT', /^\/api\/v2\/tickets\/\d+\.json$/).map(
    (r) => (r.body as { ticket: { comment: { html_body: string; public: boolean } } }).ticket.comment,
  );

const requestsTo = (p: Peers, method: string, path: RegExp | string) =>
  p.http.requests.filter(
    (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
  );

describe('deliveries to real peers on loopback', () => {
  let peers: Peers;
  let app: App | undefined;
  beforeEach(async () => {
    peers = await startPeers();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await peers.smtp.stop();
    await peers.http.close();
  });

  it('emails the license, opens the closed confidential tracker issue, posts to Slack and notes the ticket', async () => {
    app = await appWith(envFor(peers));
    const view = await issue(app);
    expect(view.request.eligibility.warnings.map((w) => w.code)).not.toContain('SCREENSHOTS_MISSING');
    const summary = await drain(app);
    expect(summary).toMatchObject({ sent: 4, failed: 0, unknown: 0 });

    expect(peers.smtp.received).toHaveLength(1);
    const mail = await simpleParser(peers.smtp.received[0] as Buffer);
    expect(mail.subject).toBe('Your 10-day Trial GitLab License');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(view.request.requesterEmail);
    const after = unwrap(await lookupById(app.ports, view.request.id));
    expect(mail.messageId).toBe(`<${after.deliveries.find((d) => d.channel === 'email')?.id}@lifeline>`);
    const attachment = mail.attachments[0];
    expect(attachment?.filename).toBe('GitLab_Emergency_Trial_2026-11-28.gitlab-license');
    expect(attachment?.content.toString('utf8')).toBe(view.license?.text);
    const decoded = decodeLicense(attachment?.content.toString('utf8') ?? '', [testPublicKey()]);
    expect(decoded.ok && decoded.value.json['restrictions']).toEqual({
      active_user_count: 120,
      plan: 'ultimate',
      trial: true,
    });

    expect(peers.gitlabIssues).toHaveLength(1);
    expect(peers.gitlabIssues[0]).toMatchObject({
      title: `[Success] - Created a license under ${view.request.requesterEmail} for 120 users`,
      labels: 'Mechanizer::Emergency License Generation',
      confidential: true,
      state: 'closed',
    });
    expect(peers.gitlabIssues[0]?.description).toContain(view.license?.text.slice(0, 60));
    expect(after.tracker).toEqual({ iid: '1', url: `${peers.http.url}/support/requests/-/issues/1` });

    const slack = requestsTo(peers, 'POST', '/api/chat.postMessage');
    expect(slack).toHaveLength(1);
    expect(slack[0]?.headers['authorization']).toBe('Bearer xoxb-test-token-456');
    // @slack/web-api posts form-encoded fields.
    const slackText = new URLSearchParams(slack[0]?.rawBody ?? '').get('text') ?? '';
    expect(new URLSearchParams(slack[0]?.rawBody ?? '').get('channel')).toBe(
      '#support_licensing-subscription',
    );
    expect(slackText).toContain(view.request.ticketUrl ?? '');
    expect(slackText).toContain('/support/requests/-/issues/1');

    const note = requestsTo(peers, 'PUT', `/api/v2/tickets/${view.request.ticketId}.json`);
    expect(note).toHaveLength(1);
    expect(
      (note[0]?.body as { ticket: { comment: { public: boolean; body: string } } }).ticket.comment.public,
    ).toBe(false);
    expect(JSON.stringify(note[0]?.body)).not.toContain(view.license?.text.slice(0, 60));
  });

  it('keeps retrying while SMTP is down, delivers once when it is back, and follows up the post and the note that said so', async () => {
    const port = peers.smtp.port;
    await peers.smtp.stop();
    app = await appWith(envFor(peers));
    const view = await issue(app);
    const stop = new AbortController();
    const running = drain(app, { signal: stop.signal, settings: { baseBackoffMs: 200, maxBackoffMs: 400 } });
    await new Promise((r) => setTimeout(r, 1_500));
    const during = unwrap(await lookupById(app.ports, view.request.id));
    const email = during.deliveries.find((d) => d.channel === 'email');
    // Between attempts it is queued; during one, claimed or sending: never sent, failed or unknown.
    expect(['queued', 'claimed', 'sending']).toContain(email?.status);
    expect(email?.attempts).toBeGreaterThanOrEqual(2);
    expect(email?.lastError).toBeTruthy();
    // The post and the note, written meanwhile, say that the email is failing, and why.
    const [post] = slackPosts(peers);
    expect(post?.text).toMatch(
      /Email to \S+: NOT sent yet, failing \(\d+ failed attempts?, retrying\): .*(ECONNREFUSED|connect)/,
    );
    expect(post?.text).not.toMatch(/: sent\./);
    expect(zendeskNotes(peers)[0]?.html_body).toMatch(/NOT sent yet, failing/);
    peers.smtp = await startSmtpServer(port);
    const summary = await running;
    // The four deliveries, and a follow-up each for the post and the note (not for the tracker).
    expect(summary.sent).toBe(6);
    expect(peers.smtp.received).toHaveLength(1);
    const after = unwrap(await lookupById(app.ports, view.request.id));
    expect(after.deliveries.every((d) => d.status === 'sent')).toBe(true);
    const followUps = after.deliveries.filter((d) => d.purpose === 'follow_up');
    expect(followUps.map((d) => d.channel).sort()).toEqual(['chat', 'ticket']);
    const sentEmail = after.deliveries.find((d) => d.channel === 'email');
    expect(
      followUps.every((d) => d.about === sentEmail?.id && d.recipient === view.request.requesterEmail),
    ).toBe(true);
    // The Slack follow-up answers the post in its thread; the ticket gets a second internal note.
    const posts = slackPosts(peers);
    expect(posts).toHaveLength(2);
    const chat = after.deliveries.find((d) => d.channel === 'chat' && d.purpose === 'issue');
    expect(posts[1]?.threadTs).toBe(chat?.externalRef);
    expect(posts[1]?.text).toContain(`The license email to ${view.request.requesterEmail} was sent.`);
    const notes = zendeskNotes(peers);
    expect(notes).toHaveLength(2);
    expect(notes[1]).toMatchObject({ public: false });
    expect(notes[1]?.html_body).toContain(
      `Update on the emergency license: The license email to ${view.request.requesterEmail} was sent.`,
    );
    expect(peers.gitlabNotes).toEqual([]);
  });

  it('says FAILED with the reason and what to do when the email fails for good; only the tracker needs a follow-up', async () => {
    peers.smtp.rcpt = { reply: 550, text: '5.1.1 mailbox unavailable' };
    app = await appWith(envFor(peers));
    const view = await issue(app);
    const summary = await drain(app);
    expect(summary).toMatchObject({ sent: 4, failed: 1 });
    const [post] = slackPosts(peers);
    expect(post?.text).toMatch(
      /: FAILED, not retried: .*550.*mailbox unavailable.*Download the license file from Lifeline/,
    );
    const [note, ...more] = zendeskNotes(peers);
    expect(more).toEqual([]);
    expect(note?.html_body).toMatch(/FAILED, not retried: .*attach it to the ticket/);
    expect(note?.html_body).not.toContain('Emailed to');
    expect(peers.gitlabNotes).toHaveLength(1);
    expect(peers.gitlabNotes[0]?.body).toMatch(/failed permanently and will not be retried: .*550/);
    const after = unwrap(await lookupById(app.ports, view.request.id));
    expect(after.deliveries.filter((d) => d.purpose === 'follow_up').map((d) => d.channel)).toEqual([
      'tracker',
    ]);
  });

  it('after failure → retry → success, the one tracker issue is retitled [Success], given the license copy and closed', async () => {
    app = await appWith(envFor(peers));
    // Saturday 2026-11-28 10:00 UTC, running on: the retry decides on the request's day.
    const started = Date.now();
    app.ports.clock = { now: () => new Date(Date.parse('2026-11-28T10:00:00.000Z') + Date.now() - started) };
    const signer = app.ports.signer;
    app.ports.signer = { ...signer, privateKey: unusableKey() };
    // No ticket URL: the default one is on ZENDESK_URL (the stand-in), as rule 1 requires.
    const failed = unwrap(
      await issueEmergencyLicense(eligibleInput({ ticketUrl: undefined }), app.ports, app.settings),
    );
    app.ports.signer = signer;
    expect(failed.kind).toBe('failed');
    if (failed.kind !== 'failed') return;
    await drain(app);
    expect(peers.gitlabIssues).toHaveLength(1);
    expect(peers.gitlabIssues[0]).toMatchObject({
      title: expect.stringMatching(/^\[Failure\] /),
      state: 'opened',
    });

    const retried = unwrap(
      await retryRequest(
        { requestId: failed.view.request.id, actor: { name: 'lou', role: 'licensing' } },
        app.ports,
        app.settings,
      ),
    );
    expect(retried.kind).toBe('issued');
    const summary = await drain(app);
    expect(summary).toMatchObject({ failed: 0, unknown: 0 });

    const after = unwrap(await lookupById(app.ports, failed.view.request.id));
    expect(peers.gitlabIssues).toHaveLength(1);
    expect(peers.gitlabIssues[0]).toMatchObject({
      title: `[Success] - Created a license under ${after.request.requesterEmail} for 120 users`,
      state: 'closed',
      confidential: true,
    });
    expect(peers.gitlabIssues[0]?.description).toContain('## Emergency license');
    expect(peers.gitlabIssues[0]?.description).toContain(after.license?.text.split('\n')[0]);
    expect(peers.gitlabIssues[0]?.description).toContain(`lifeline-request: ${after.request.id}`);
    // The stand-in really received the edit: one PUT with title, description and close.
    const edits = requestsTo(peers, 'PUT', '/api/v4/projects/42/issues/1');
    expect(edits).toHaveLength(1);
    expect(edits[0]?.body).toMatchObject({
      title: peers.gitlabIssues[0]?.title,
      state_event: 'close',
    });
    expect(requestsTo(peers, 'POST', '/api/v4/projects/42/issues')).toHaveLength(1);
    expect(after.tracker?.iid).toBe('1');
    const trackerIssue = after.deliveries.find((d) => d.channel === 'tracker' && d.purpose === 'issue');
    expect(trackerIssue).toMatchObject({ status: 'sent', externalRef: '1' });
  });

  it('after a resend to another address, the tracker note names that address', async () => {
    app = await appWith(envFor(peers));
    const view = await issue(app);
    await drain(app);
    const other = `it@${view.request.requesterEmail.split('@')[1]}`;
    const resent = unwrap(
      await resendLicense(
        { requestId: view.request.id, actor: { name: 'lou', role: 'licensing' }, to: other },
        app.ports,
        app.settings,
      ),
    );
    expect(resent.deliveries.filter((d) => d.purpose === 'resend').map((d) => d.recipient)).toEqual([
      other,
      other,
    ]);
    await drain(app);
    const mails = await Promise.all(peers.smtp.received.map((raw) => simpleParser(raw)));
    expect(mails.map((m) => (m.to && !Array.isArray(m.to) ? m.to.text : ''))).toEqual([
      view.request.requesterEmail,
      other,
    ]);
    expect(peers.gitlabNotes).toHaveLength(1);
    expect(peers.gitlabNotes[0]?.body).toContain(`was resent to ${markdownText(other)}.`);
    expect(peers.gitlabNotes[0]?.body).not.toContain(markdownText(view.request.requesterEmail));
  });

  it('creates exactly one GitLab issue through 500s, and honours 429 Retry-After', async () => {
    peers.http.once('POST', '/api/v4/projects/42/issues', { status: 500, body: { message: 'boom' } });
    peers.http.once('POST', '/api/v4/projects/42/issues', { status: 500, body: { message: 'boom' } });
    peers.http.once('POST', '/api/chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { ok: false, error: 'ratelimited' },
    });
    app = await appWith(envFor(peers));
    const view = await issue(app);
    const started = Date.now();
    const summary = await drain(app);
    expect(summary).toMatchObject({ sent: 4, failed: 0 });
    expect(peers.gitlabIssues).toHaveLength(1);
    expect(requestsTo(peers, 'POST', '/api/v4/projects/42/issues')).toHaveLength(3);
    expect(requestsTo(peers, 'POST', '/api/chat.postMessage')).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    const tracker = unwrap(await lookupById(app.ports, view.request.id)).deliveries.find(
      (d) => d.channel === 'tracker',
    );
    expect(tracker?.attempts).toBe(3);
  });

  it('marks Slack failed with the reason when it refuses for good; email and tracker still arrive', async () => {
    peers.http.on('POST', '/api/chat.postMessage', { body: { ok: false, error: 'invalid_auth' } });
    app = await appWith(envFor(peers));
    const view = await issue(app);
    const summary = await drain(app);
    expect(summary).toMatchObject({ sent: 3, failed: 1 });
    const after = unwrap(await lookupById(app.ports, view.request.id));
    const byChannel = Object.fromEntries(after.deliveries.map((d) => [d.channel, d]));
    expect(byChannel['email']?.status).toBe('sent');
    expect(byChannel['tracker']?.status).toBe('sent');
    expect(byChannel['ticket']?.status).toBe('sent');
    expect(byChannel['chat']?.status).toBe('failed');
    expect(byChannel['chat']?.lastError).toMatch(/invalid_auth/);
    expect(byChannel['chat']?.lastError).not.toContain('xoxb-test-token-456');
    expect(after.events.map((e) => e.action)).toContain('delivery.failed');
  });

  it('marks an email unknown when the connection drops after the data, and notes it on the tracker issue', async () => {
    peers.smtp.data = 'drop-after-content';
    app = await appWith(envFor(peers));
    const view = await issue(app);
    const summary = await drain(app);
    expect(summary.unknown).toBe(1);
    expect(peers.smtp.received).toHaveLength(1);
    const after = unwrap(await lookupById(app.ports, view.request.id));
    expect(after.deliveries.find((d) => d.channel === 'email')?.status).toBe('unknown');
    expect(after.deliveries.find((d) => d.channel === 'tracker' && d.purpose === 'follow_up')?.status).toBe(
      'sent',
    );
    expect(requestsTo(peers, 'POST', /\/issues\/1\/notes$/)).toHaveLength(1);
    // Not re-sent by a later run.
    await drain(app);
    expect(peers.smtp.received).toHaveLength(1);
  });
});

describe('a licensing decision reaches the engineer who asked', () => {
  let peers: Peers;
  let app: App | undefined;
  beforeEach(async () => {
    peers = await startPeers();
    // Each post gets a ts of its own, as Slack gives them.
    let n = 0;
    peers.http.on('POST', '/api/chat.postMessage', () => ({
      body: { ok: true, ts: `1764331200.${String(++n).padStart(6, '0')}`, channel: 'C1' },
    }));
    peers.http.on('POST', '/api/chat.getPermalink', (req) => {
      const form = new URLSearchParams(req.rawBody);
      const ts = (form.get('message_ts') ?? '').replace('.', '');
      return {
        body: { ok: true, permalink: `https://acme.slack.com/archives/${form.get('channel')}/p${ts}` },
      };
    });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await peers.smtp.stop();
    await peers.http.close();
  });

  /** An engineer's override (rule 4 refuses: the instance is still in its grace period). */
  async function pendingOverride(a: App) {
    const input = eligibleInput({ expiresAt: '2026-11-20' });
    input.request.ticketUrl = `${peers.http.url}/agent/tickets/${String(input.request.ticketId)}`;
    input.overrideReason = 'Bank outage confirmed with the TAM on the call.';
    const outcome = unwrap(await issueEmergencyLicense(input, a.ports, a.settings));
    if (outcome.kind !== 'pending_approval') throw new Error(`expected pending, got ${outcome.kind}`);
    await drain(a);
    return outcome.view.request;
  }
  const licensing = { name: 'lee', role: 'licensing' as const };

  it('a rejection: a reply in the Slack thread of the approval request, and a second internal note', async () => {
    app = await appWith(envFor(peers));
    const request = await pendingOverride(app);
    expect(slackPosts(peers)).toHaveLength(1);
    expect(slackPosts(peers)[0]).toMatchObject({ threadTs: null });
    expect(slackPosts(peers)[0]?.text).toMatch(/^Approval needed: emergency license for/);
    expect(zendeskNotes(peers)).toHaveLength(1);
    expect(zendeskNotes(peers)[0]).toMatchObject({ public: false });
    expect(zendeskNotes(peers)[0]?.html_body).toContain('waiting for approval by the licensing team');

    unwrap(
      await rejectRequest(
        { requestId: request.id, actor: licensing, reason: 'Not a paying customer any more.' },
        app.ports,
      ),
    );
    await drain(app);
    const posts = slackPosts(peers);
    expect(posts).toHaveLength(2);
    expect(posts[1]?.threadTs).toBe('1764331200.000001');
    expect(posts[1]?.text).toContain('Rejected by lee: Not a paying customer any more.');
    const notes = zendeskNotes(peers);
    expect(notes).toHaveLength(2);
    expect(notes[1]).toMatchObject({ public: false });
    expect(notes[1]?.html_body).toContain('Emergency license request rejected by the licensing team.');
    expect(notes[1]?.html_body).toContain('Rejected by lee: Not a paying customer any more.');
    const notePaths = requestsTo(peers, 'PUT', /^\/api\/v2\/tickets\/\d+\.json$/).map((r) => r.path);
    expect(notePaths).toEqual([
      `/api/v2/tickets/${request.ticketId}.json`,
      `/api/v2/tickets/${request.ticketId}.json`,
    ]);
    expect(peers.smtp.received).toHaveLength(0);
  });

  it("an approval: the license is emailed, the decision answers in the thread with the approver's note, a second note", async () => {
    app = await appWith(envFor(peers));
    const request = await pendingOverride(app);
    unwrap(
      await approveRequest(
        { requestId: request.id, actor: licensing, reason: 'Confirmed with the account team.' },
        app.ports,
        app.settings,
      ),
    );
    await drain(app);
    expect(peers.smtp.received).toHaveLength(1);
    const posts = slackPosts(peers);
    expect(posts).toHaveLength(2);
    expect(posts[1]?.threadTs).toBe('1764331200.000001');
    expect(posts[1]?.text).toMatch(/^Override approved; emergency license issued for/);
    expect(posts[1]?.text).toContain('Approved by lee: Confirmed with the account team.');
    expect(posts[1]?.text).toContain('sent.');
    const notes = zendeskNotes(peers);
    expect(notes).toHaveLength(2);
    expect(notes[1]?.html_body).toContain('Override approved: emergency license generated');
    expect(notes[1]?.html_body).toContain('Approved by lee: Confirmed with the account team.');
    expect(peers.gitlabIssues).toHaveLength(1);
    expect(peers.gitlabIssues[0]?.state).toBe('closed');

    // The record links each delivery where people can see it, and keeps what was decided on.
    const record = recordJson(unwrap(await lookupById(app.ports, request.id)), true) as {
      evidence: { ticketImages: number | null };
      deliveries: { channel: string; purpose: string; reference: unknown }[];
    };
    expect(record.evidence.ticketImages).toBe(2);
    const reference = (channel: string, purpose: string) =>
      record.deliveries.find((d) => d.channel === channel && d.purpose === purpose)?.reference;
    expect(reference('tracker', 'issue')).toEqual({
      text: 'Issue #1',
      url: `${peers.http.url}/support/requests/-/issues/1`,
    });
    expect(reference('chat', 'pending')).toEqual({
      text: 'Team post',
      url: 'https://acme.slack.com/archives/C1/p1764331200000001',
    });
    expect(reference('chat', 'decision')).toEqual({
      text: 'Reply in the thread of the team post',
      url: 'https://acme.slack.com/archives/C1/p1764331200000002',
    });
    expect(reference('ticket', 'decision')).toEqual({
      text: `Internal note on ticket #${request.ticketId}`,
      url: `${peers.http.url}/agent/tickets/${request.ticketId}`,
    });
  });
});

describe('the screenshots of step 1, from Zendesk', () => {
  let peers: Peers;
  let app: App | undefined;
  beforeEach(async () => {
    peers = await startPeers();
  });
  afterEach(async () => {
    await app?.close();
    await peers.smtp.stop();
    await peers.http.close();
  });

  it('warns when the ticket carries fewer than two images, and never blocks when Zendesk is down', async () => {
    peers.http.once('GET', /^\/api\/v2\/tickets\/\d+\/comments\.json$/, {
      body: {
        comments: [{ id: 1, attachments: [{ content_type: 'image/png' }, { content_type: 'text/plain' }] }],
        next_page: null,
      },
    });
    app = await appWith(envFor(peers));
    const one = await issue(app);
    const warning = one.request.eligibility.warnings.find((w) => w.code === 'SCREENSHOTS_MISSING');
    expect(warning?.message).toMatch(/1/);

    peers.http.once('GET', /^\/api\/v2\/tickets\/\d+\/comments\.json$/, { status: 503, body: {} });
    const down = await issue(app);
    expect(down.request.status).toBe('issued');
    expect(down.request.eligibility.warnings.map((w) => w.code)).not.toContain('SCREENSHOTS_MISSING');
  });
});
