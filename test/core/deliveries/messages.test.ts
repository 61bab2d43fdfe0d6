import { Parser } from 'commonmark';
import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../../../src/core/dates.js';
import type { EligibilityResult } from '../../../src/core/eligibility/index.js';
import type {
  DeliveryPurpose,
  DeliveryRecord,
  LicenseRecord,
  RequestRecord,
} from '../../../src/core/ports.js';
import {
  buildChatMessage,
  buildEmail,
  buildTicketNote,
  buildTrackerIssue,
  buildTrackerNote,
  DEFAULT_CHAT_CHANNEL,
  EMAIL_SUBJECT,
  failureTitle,
  requestMarker,
  successTitle,
  TICKET_FOLLOW_UP_HEADING,
  TRACKER_LABEL,
  type MessageContext,
} from '../../../src/core/deliveries/messages.js';
import { markdownText } from '../../../src/core/text/gitlab-markdown.js';
import { HOSTILE } from '../text/hostile.js';
import { deliveryRecord } from './records.js';

const d = (s: string): CalendarDate => s as CalendarDate;

const LICENSE_TEXT =
  'eyJkYXRhIjoiQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n' +
  'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n' +
  'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBPT0iLCJrZXkiOiJLRVkiLCJpdiI6IklWIn0=\n';

function eligibility(overrides: Partial<EligibilityResult> = {}): EligibilityResult {
  return {
    eligible: true,
    refusals: [],
    warnings: [],
    facts: {
      source: 'typed',
      plan: 'premium',
      trial: null,
      expiresAt: d('2026-11-14'),
      previousSeats: 100,
      graceEndsOn: d('2026-11-28'),
      daysSinceGraceEnd: 0,
      peakUsers: 110,
      recommendedSeats: 121,
      minimumSeats: 110,
      issuedByLifelineRequestId: null,
      isWeekendOrHoliday: true,
      matchingRecentRequestIds: [],
    },
    request: null,
    overridable: false,
    ...overrides,
  };
}

function request(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'req_01',
    ticketId: '4242',
    ticketUrl: 'https://acme.zendesk.com/agent/tickets/4242',
    requesterEmail: 'ops@acme.example',
    engineer: 'sam',
    actorRole: 'engineer',
    seats: 120,
    issueDate: d('2026-11-28'),
    status: 'issued',
    evidence: {
      source: 'typed',
      plan: 'premium',
      expiresAt: d('2026-11-14'),
      previousSeats: 100,
      maximumUsers: 110,
      billableUsers: 105,
      previousLicense: null,
    },
    eligibility: eligibility(),
    override: null,
    decision: null,
    failure: null,
    voided: null,
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
    ...overrides,
  };
}

const LICENSE: LicenseRecord = {
  id: 'lic_01',
  requestId: 'req_01',
  text: LICENSE_TEXT,
  fingerprint: 'ab'.repeat(32),
  fileName: 'GitLab_Emergency_Trial_2026-11-28.gitlab-license',
  email: 'ops@acme.example',
  seats: 120,
  issuedAt: d('2026-11-28'),
  expiresAt: d('2026-12-08'),
  createdAt: '2026-11-28T10:00:00.000Z',
};

const delivery = deliveryRecord;

function ctx(
  channel: DeliveryRecord['channel'],
  purpose: DeliveryPurpose,
  overrides: Partial<MessageContext> = {},
): MessageContext {
  return {
    request: request(),
    license: LICENSE,
    delivery: delivery(channel, purpose),
    tracker: { iid: '17', url: 'https://gitlab.example/licensing/requests/-/issues/17' },
    ...overrides,
  };
}

const OVERRIDDEN = request({
  eligibility: eligibility({
    eligible: false,
    overridable: true,
    refusals: [{ code: 'NOT_WEEKEND', message: 'Emergency licenses are for weekends and holidays.' }],
    warnings: [{ code: 'SCREENSHOTS_MISSING', message: 'The ticket has 1 of 2 screenshots.' }],
  }),
  override: {
    reason: 'Production down during upgrade',
    by: 'erin',
    role: 'engineer',
    codes: ['NOT_WEEKEND'],
  },
  decision: { decision: 'approved', by: 'lou', at: '2026-11-28T11:00:00.000Z', reason: null },
});

const MAIL = { from: 'support@gitlab.example', replyTo: 'support-replies@gitlab.example' };

describe('exact texts', () => {
  it('builds the titles of the spec examples', () => {
    expect(successTitle('ops@acme.example', 120)).toBe(
      '[Success] - Created a license under ops@acme.example for 120 users',
    );
    expect(failureTitle('ops@acme.example', 120)).toBe(
      '[Failure] - Could not create a license under ops@acme.example for 120 users',
    );
  });

  it('has the label, subject, channel and marker', () => {
    expect(TRACKER_LABEL).toBe('Mechanizer::Emergency License Generation');
    expect(EMAIL_SUBJECT).toBe('Your 10-day Trial GitLab License');
    expect(DEFAULT_CHAT_CHANNEL).toBe('#support_licensing-subscription');
    expect(requestMarker('req_01')).toBe('lifeline-request: req_01');
  });
});

describe('buildEmail (§6.1)', () => {
  it('addresses the requester with the subject, from and reply-to', () => {
    const m = buildEmail(
      ctx('email', 'issue', { delivery: delivery('email', 'issue', { recipient: null }) }),
      MAIL,
    );
    expect(m.to).toBe('ops@acme.example');
    expect(m.subject).toBe(EMAIL_SUBJECT);
    expect(m.from).toBe(MAIL.from);
    expect(m.replyTo).toBe(MAIL.replyTo);
    expect(buildEmail(ctx('email', 'issue'), { from: 'x@y.example' })).not.toHaveProperty('replyTo');
  });

  it('uses the delivery recipient when set (resend to another address)', () => {
    const c = ctx('email', 'resend', {
      delivery: delivery('email', 'resend', { recipient: 'it@acme.example' }),
    });
    expect(buildEmail(c, MAIL).to).toBe('it@acme.example');
  });

  it('derives a stable Message-ID from the delivery', () => {
    const first = buildEmail(ctx('email', 'issue'), MAIL);
    const retry = buildEmail(
      ctx('email', 'issue', { delivery: delivery('email', 'issue', { attempts: 3, status: 'sending' }) }),
      MAIL,
    );
    expect(first.messageId).toBe('<dlv_email_issue@lifeline>');
    expect(retry.messageId).toBe(first.messageId);
    expect(buildEmail(ctx('email', 'resend'), MAIL).messageId).not.toBe(first.messageId);
  });

  it('attaches the license file byte for byte', () => {
    const m = buildEmail(ctx('email', 'issue'), MAIL);
    expect(m.attachments).toHaveLength(1);
    const [a] = m.attachments;
    expect(a?.filename).toBe(LICENSE.fileName);
    expect(a?.content).toBe(LICENSE_TEXT);
    expect(Buffer.from(a?.content ?? '').equals(Buffer.from(LICENSE_TEXT))).toBe(true);
    expect(a?.contentType).toBe('application/octet-stream');
  });

  it('says what the license is, when it expires, how to install it and that the renewal is still due', () => {
    const { text } = buildEmail(ctx('email', 'issue'), MAIL);
    expect(text).toContain('10-day GitLab Ultimate trial license');
    expect(text).toContain('ticket #4242');
    expect(text).toContain('2026-12-08');
    expect(text).toContain('works through 2026-12-07');
    expect(text).toContain('Admin Area → Settings → General → Add License');
    expect(text).toContain('Admin Area → Subscription');
    expect(text).toContain('replaces nothing in your subscription');
    expect(text).toContain('renewal must still be completed');
    expect(text).toContain('https://acme.zendesk.com/agent/tickets/4242');
    expect(text).not.toContain('copy of the license');
  });

  it('carries the license text between BEGIN/END lines', () => {
    const { text } = buildEmail(ctx('email', 'issue'), MAIL);
    const begin = text.indexOf('BEGIN GITLAB LICENSE');
    const end = text.indexOf('END GITLAB LICENSE', begin);
    expect(begin).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(begin);
    expect(text.slice(begin, end)).toContain(LICENSE_TEXT.trim());
  });

  it('omits the ticket link when unknown', () => {
    const c = ctx('email', 'issue', { request: request({ ticketUrl: null }) });
    const { text } = buildEmail(c, MAIL);
    expect(text).toContain('ticket #4242');
    expect(text).not.toContain('Your ticket:');
  });

  it("links the ticket under ZENDESK_URL when the request has no URL of its own; the request's own URL first", () => {
    const base = { ...MAIL, ticketUrlBase: 'https://support.example.com/' };
    const bare = ctx('email', 'issue', { request: request({ ticketUrl: null }) });
    expect(buildEmail(bare, base).text).toContain(
      'Your ticket: https://support.example.com/agent/tickets/4242\n',
    );
    expect(buildEmail(ctx('email', 'issue'), base).text).toContain(
      'Your ticket: https://acme.zendesk.com/agent/tickets/4242\n',
    );
    // A stored URL of another scheme is no link, and the base gives the real one.
    const odd = ctx('email', 'issue', { request: request({ ticketUrl: 'javascript:alert(1)' }) });
    expect(buildEmail(odd, base).text).not.toContain('javascript:');
    expect(buildEmail(odd, MAIL).text).not.toContain('Your ticket:');
  });

  it('says in one sentence what happens on day 10: the renewed license, and how to upload it', () => {
    const { text } = buildEmail(ctx('email', 'issue'), MAIL);
    const sentence = text.split('\n').find((line) => line.startsWith('On day 10'));
    expect(sentence).toBe(
      'On day 10 (2026-12-08) this license expires and your instance needs your renewed license: ' +
        'once your renewal is complete, upload the new license file the same way (Admin Area → Subscription, ' +
        'or Admin Area → Settings → General → Add License) before that day.',
    );
  });

  it('says a resend is a copy of the license sent earlier', () => {
    const { text, attachments } = buildEmail(ctx('email', 'resend'), MAIL);
    expect(text).toContain('copy of the license we sent you earlier');
    expect(attachments[0]?.content).toBe(LICENSE_TEXT);
  });

  it('throws without a license', () => {
    expect(() => buildEmail(ctx('email', 'issue', { license: null }), MAIL)).toThrow(Error);
  });
});

describe('buildTrackerIssue (§6.2)', () => {
  it('creates a closed, confidential, labelled success issue with the details and the license copy', () => {
    const issue = buildTrackerIssue(ctx('tracker', 'issue'));
    expect(issue.title).toBe('[Success] - Created a license under ops@acme.example for 120 users');
    expect(issue.closed).toBe(true);
    expect(issue.confidential).toBe(true);
    expect(issue.labels).toEqual([TRACKER_LABEL]);
    expect(issue.requestId).toBe('req_01');
    const t = issue.description;
    expect(t).toContain('https://acme.zendesk.com/agent/tickets/4242');
    expect(t).toContain('Engineer: sam');
    expect(t).toContain('Seats: 120');
    expect(t).toContain('Start date: 2026-11-28');
    expect(t).toContain('Expiry date: 2026-12-08');
    expect(t).toContain('Verdict: eligible');
    expect(t).toContain('Source: typed');
    expect(t).toContain('Plan: premium');
    expect(t).toContain('Previous expiry: 2026-11-14');
    expect(t).toContain('Previous seats: 100');
    expect(t).toContain('Maximum users: 110');
    expect(t).toContain('Billable users: 105');
    expect(t).toContain(LICENSE.fingerprint);
    expect(t).toContain(LICENSE.fileName);
    expect(t).toContain('```\n' + LICENSE_TEXT.trimEnd() + '\n```');
    expect(t).toContain(requestMarker('req_01'));
  });

  it('states overridden refusals, warnings, the override and the approver', () => {
    const t = buildTrackerIssue(ctx('tracker', 'issue', { request: OVERRIDDEN })).description;
    expect(t).toContain('not eligible, refusals overridden (NOT_WEEKEND)');
    expect(t).toContain('SCREENSHOTS_MISSING');
    expect(t).toContain('Override by erin (engineer): Production down during upgrade');
    expect(t).toContain('Approved by lou');
  });

  it('shows the previous license fingerprint when there was one', () => {
    const r = request();
    r.evidence = {
      ...r.evidence,
      source: 'license',
      previousLicense: {
        fingerprint: 'cd'.repeat(32),
        json: {},
        licenseeEmail: 'admin@acme.example',
        licenseeCompany: 'Acme',
        subscriptionId: null,
      },
    };
    const t = buildTrackerIssue(ctx('tracker', 'issue', { request: r })).description;
    expect(t).toContain(`Previous license fingerprint: \`${'cd'.repeat(32)}\``);
  });

  it('opens a failure issue with the error, the retry instruction and the marker', () => {
    const r = request({
      status: 'failed',
      failure: { code: 'SIGNING_FAILED', message: 'the signing key is not an RSA private key' },
    });
    const issue = buildTrackerIssue(ctx('tracker', 'failure', { request: r, license: null }));
    expect(issue.title).toBe('[Failure] - Could not create a license under ops@acme.example for 120 users');
    expect(issue.closed).toBe(false);
    expect(issue.confidential).toBe(true);
    expect(issue.labels).toEqual([TRACKER_LABEL]);
    expect(issue.description).toContain('SIGNING_FAILED: the signing key is not an RSA private key');
    expect(issue.description).toContain('signing key configuration');
    expect(issue.description).toContain('`lifeline retry req_01`');
    expect(issue.description).toContain(requestMarker('req_01'));
  });

  it('refuses a request with neither a license nor a failure', () => {
    const r = request({ status: 'pending_approval' });
    expect(() => buildTrackerIssue(ctx('tracker', 'pending', { request: r, license: null }))).toThrow(Error);
  });
});

describe('buildTrackerNote (§6.2 later events)', () => {
  it('notes a resend and to whom', () => {
    const c = ctx('tracker', 'resend', {
      delivery: delivery('tracker', 'resend', { recipient: 'it@acme.example' }),
    });
    const note = buildTrackerNote(c);
    expect(note).toContain(`resent to ${markdownText('it@acme.example')}`);
    expect(note).not.toContain(LICENSE_TEXT.slice(0, 40));
  });

  it('notes a void with the reason and that the file cannot be revoked', () => {
    const r = request({
      status: 'voided',
      voided: { reason: 'issued to the wrong address', by: 'lou', at: '2026-11-28T12:00:00.000Z' },
    });
    const note = buildTrackerNote(ctx('tracker', 'void', { request: r }));
    expect(note).toContain('Voided by lou: issued to the wrong address');
    expect(note).toContain('the license file cannot be revoked on the instance');
  });

  it('notes a permanently failed email and an unknown outcome with the error (follow-ups)', () => {
    const failed = delivery('email', 'issue', { status: 'failed', lastError: '550 mailbox unavailable' });
    const c = ctx('tracker', 'follow_up', {
      delivery: delivery('tracker', 'follow_up', { recipient: 'ops@acme.example', about: failed.id }),
      email: failed,
    });
    expect(buildTrackerNote(c)).toContain(
      'failed permanently and will not be retried: 550 mailbox unavailable',
    );
    const unknown = buildTrackerNote({
      ...c,
      email: { ...failed, status: 'unknown', lastError: 'connection reset after DATA' },
    });
    expect(unknown).toContain('unknown');
    expect(unknown).toContain('connection reset after DATA');
    expect(unknown).toContain('not re-sent automatically');
  });

  it('notes an email problem of an earlier version (email_failed, email_unknown) from its email', () => {
    const failed = delivery('email', 'issue', { status: 'failed', lastError: '550 no such user' });
    const c = ctx('tracker', 'email_failed', { email: failed });
    expect(buildTrackerNote(c)).toContain('failed permanently and will not be retried: 550 no such user');
    const unknown = delivery('email', 'issue', { status: 'unknown', lastError: 'lost' });
    expect(buildTrackerNote(ctx('tracker', 'email_unknown', { email: unknown }))).toContain('is unknown');
  });

  it('notes approval decisions', () => {
    const approved = buildTrackerNote(ctx('tracker', 'decision', { request: OVERRIDDEN }));
    expect(approved).toContain('approved by lou');
    const rejected = request({
      status: 'rejected',
      decision: { decision: 'rejected', by: 'lou', at: '2026-11-28T11:00:00.000Z', reason: 'not a customer' },
    });
    expect(buildTrackerNote(ctx('tracker', 'decision', { request: rejected, license: null }))).toContain(
      'rejected by lou: not a customer',
    );
  });

  it('keeps multi-line free text on one line (no quick action can start a line)', () => {
    const r = request({
      status: 'voided',
      voided: { reason: 'wrong address\n/close', by: 'lou', at: '2026-11-28T12:00:00.000Z' },
    });
    const note = buildTrackerNote(ctx('tracker', 'void', { request: r }));
    expect(note.split('\n').some((line) => line.startsWith('/'))).toBe(false);
  });
});

describe('buildChatMessage (§6.3)', () => {
  it('announces an issued license with ticket, customer, seats, expiry, engineer and tracker link', () => {
    const m = buildChatMessage(ctx('chat', 'issue'));
    expect(m).toContain('https://acme.zendesk.com/agent/tickets/4242');
    expect(m).toContain('ops@acme.example');
    expect(m).toContain('Seats: 120');
    expect(m).toContain('2026-12-08');
    expect(m).toContain('Engineer: sam');
    expect(m).toContain('https://gitlab.example/licensing/requests/-/issues/17');
    expect(m).not.toContain(LICENSE_TEXT.slice(0, 40));
  });

  it('falls back to the ticket id and the tracker iid', () => {
    const m = buildChatMessage(
      ctx('chat', 'issue', { request: request({ ticketUrl: null }), tracker: { iid: '17', url: null } }),
    );
    expect(m).toContain('ticket #4242');
    expect(m).toContain('Tracker issue: #17');
  });

  it('states an override and approval in plain words', () => {
    const m = buildChatMessage(ctx('chat', 'issue', { request: OVERRIDDEN }));
    expect(m).toContain('Override by erin: Production down during upgrade. Approved by lou.');
  });

  it('asks licensing to approve a pending request', () => {
    const r = request({ ...OVERRIDDEN, status: 'pending_approval', decision: null });
    const m = buildChatMessage(ctx('chat', 'pending', { request: r, license: null, tracker: null }));
    expect(m).toContain('`lifeline approve req_01`');
    expect(m).toContain('Production down during upgrade');
  });

  it('says who rejected a request and why', () => {
    const r = request({
      ...OVERRIDDEN,
      status: 'rejected',
      decision: { decision: 'rejected', by: 'lou', at: '2026-11-28T11:00:00.000Z', reason: 'not a customer' },
    });
    const m = buildChatMessage(ctx('chat', 'decision', { request: r, license: null, tracker: null }));
    expect(m).toContain('Rejected by lou: not a customer');
    expect(m).toContain('No license was issued.');
  });

  it('announces an approval decision as the issued license', () => {
    const m = buildChatMessage(ctx('chat', 'decision', { request: OVERRIDDEN }));
    expect(m).toContain('Approved by lou.');
    expect(m).toContain('Expires: 2026-12-08');
  });

  it('says who voided a license, why, and that it cannot be revoked', () => {
    const r = request({
      status: 'voided',
      voided: { reason: 'issued to the wrong address', by: 'lou', at: '2026-11-28T12:00:00.000Z' },
    });
    const m = buildChatMessage(ctx('chat', 'void', { request: r }));
    expect(m).toContain('Voided by lou: issued to the wrong address');
    expect(m).toContain('cannot be revoked on the instance');
    expect(m).not.toContain(LICENSE_TEXT.slice(0, 40));
  });

  it('reports a failure with the error', () => {
    const r = request({
      status: 'failed',
      failure: { code: 'SIGNING_FAILED', message: 'the signing key is unusable' },
    });
    const m = buildChatMessage(ctx('chat', 'failure', { request: r, license: null }));
    expect(m).toContain('No emergency license could be generated');
    expect(m).toContain('SIGNING_FAILED: the signing key is unusable');
  });

  it('neutralises Slack mentions in free text', () => {
    const r = request({
      ...OVERRIDDEN,
      override: { reason: 'outage <!channel>', by: 'erin', role: 'engineer', codes: ['NOT_WEEKEND'] },
    });
    const m = buildChatMessage(ctx('chat', 'issue', { request: r }));
    expect(m).not.toContain('<!channel>');
    expect(m).toContain('&lt;!channel&gt;');
  });
});

describe('buildTicketNote (§6.4)', () => {
  it('says a license was generated, seats, expiry, to whom, and links the tracker issue', () => {
    const n = buildTicketNote(
      ctx('ticket', 'issue', { email: delivery('email', 'issue', { status: 'sent' }) }),
    );
    expect(n).toContain('Emergency license generated');
    expect(n).toContain('Seats: 120');
    expect(n).toContain('2026-12-08');
    expect(n).toContain('Email to ops@acme.example: sent.');
    expect(n).toContain('https://gitlab.example/licensing/requests/-/issues/17');
  });

  it('tells the engineer on the ticket that the override waits, then the decision with its note', () => {
    const pending = request({ ...OVERRIDDEN, status: 'pending_approval', decision: null });
    const waiting = buildTicketNote(
      ctx('ticket', 'pending', { request: pending, license: null, tracker: null }),
    );
    expect(waiting).toContain(
      'Emergency license requested with an override; waiting for approval by the licensing team.',
    );
    expect(waiting).toContain('Override by erin: Production down during upgrade.');
    const rejected = request({
      ...OVERRIDDEN,
      status: 'rejected',
      decision: { decision: 'rejected', by: 'lou', at: '2026-11-28T11:00:00.000Z', reason: 'Not a customer' },
    });
    const no = buildTicketNote(
      ctx('ticket', 'decision', { request: rejected, license: null, tracker: null }),
    );
    expect(no).toContain('Emergency license request rejected by the licensing team.');
    expect(no).toContain(
      'Override by erin: Production down during upgrade. Rejected by lou: Not a customer.',
    );
    expect(no).toContain('No license was issued.');
    const approved = request({
      ...OVERRIDDEN,
      decision: {
        decision: 'approved',
        by: 'lou',
        at: '2026-11-28T11:00:00.000Z',
        reason: 'Bank, confirmed',
      },
    });
    const yes = buildTicketNote(
      ctx('ticket', 'decision', { request: approved, email: delivery('email', 'issue', { status: 'sent' }) }),
    );
    expect(yes).toContain('Override approved: emergency license generated (10-day Ultimate trial).');
    expect(yes).toContain('Approved by lou: Bank, confirmed.');
    expect(yes).toContain('Email to ops@acme.example: sent.');
  });

  it('never holds the license text, whatever the purpose', () => {
    const voided = request({
      status: 'voided',
      voided: { reason: 'wrong address', by: 'lou', at: '2026-11-28T12:00:00.000Z' },
    });
    const notes = [
      buildTicketNote(ctx('ticket', 'issue', { request: OVERRIDDEN })),
      buildTicketNote(ctx('ticket', 'resend')),
      buildTicketNote(ctx('ticket', 'void', { request: voided })),
      buildTicketNote(ctx('ticket', 'decision', { request: OVERRIDDEN })),
      buildTicketNote(ctx('ticket', 'pending', { request: OVERRIDDEN })),
    ];
    for (const n of notes) {
      expect(n).not.toContain(LICENSE_TEXT.slice(0, 40));
      for (const line of LICENSE_TEXT.trim().split('\n')) expect(n).not.toContain(line);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Escaping (PRODUCT.md §12): every free-text value is written for its target.

/** A request whose every free-text field holds `value`, at each stage that shows them. */
function hostileRequest(value: string, overrides: Partial<RequestRecord> = {}): RequestRecord {
  return request({
    engineer: value,
    evidence: { ...request().evidence, plan: value },
    eligibility: eligibility({
      eligible: false,
      overridable: true,
      refusals: [{ code: 'NOT_WEEKEND', message: value }],
      warnings: [{ code: 'SCREENSHOTS_MISSING', message: value }],
    }),
    override: { reason: value, by: value, role: 'engineer', codes: ['NOT_WEEKEND'] },
    decision: { decision: 'approved', by: value, at: '2026-11-28T11:00:00.000Z', reason: value },
    ...overrides,
  });
}

/** Every link and image a CommonMark parser (GitLab's dialect) finds, and whether it found HTML. */
function markdownParts(markdown: string): { links: string[]; images: number; html: number; text: string } {
  const parts = { links: [] as string[], images: 0, html: 0, text: '' };
  const walker = new Parser().parse(markdown).walker();
  for (let step = walker.next(); step; step = walker.next()) {
    if (!step.entering) continue;
    const node = step.node;
    if (node.type === 'link') parts.links.push(node.destination ?? '');
    if (node.type === 'image') parts.images++;
    if (node.type === 'html_inline' || node.type === 'html_block') parts.html++;
    if (node.type === 'text' || node.type === 'code') parts.text += node.literal ?? '';
  }
  return parts;
}

/** GitLab mentions, references and quick actions that are not escaped. */
function liveGitLabMarkup(markdown: string): string[] {
  const found: string[] = [];
  for (const pattern of [
    /(?<!\\)@(all|here|channel)\b/g,
    /(?<!\\)[#!$&]\d/g,
    /(?<!\\)~(bug|urgent|")/g,
    /(?<!\\)%"/g,
    /^\/\w+/gm,
  ]) {
    found.push(...(markdown.match(pattern) ?? []));
  }
  return found;
}

describe('GitLab Markdown in the tracker issue and notes', () => {
  const TICKET = 'https://acme.zendesk.com/agent/tickets/4242';

  it.each(HOSTILE)(
    'shows %j in every field as text: no mention, link, image, HTML or quick action',
    (value) => {
      const r = hostileRequest(value, { ticketUrl: TICKET });
      const voided = {
        ...r,
        status: 'voided' as const,
        voided: { reason: value, by: value, at: '2026-11-29T09:00:00.000Z' },
      };
      const failed = {
        ...r,
        status: 'failed' as const,
        failure: { code: 'KEY_UNUSABLE', message: value },
      };
      const email = delivery('email', 'issue', {
        status: 'failed',
        lastError: value,
        recipient: 'ops@acme.example',
      });
      const texts = [
        buildTrackerIssue(ctx('tracker', 'issue', { request: voided })).description,
        buildTrackerIssue(ctx('tracker', 'failure', { request: failed, license: null })).description,
        buildTrackerNote(ctx('tracker', 'void', { request: voided })),
        buildTrackerNote(ctx('tracker', 'decision', { request: r })),
        buildTrackerNote(ctx('tracker', 'pending', { request: r })),
        buildTrackerNote(ctx('tracker', 'failure', { request: failed, license: null })),
        buildTrackerNote(ctx('tracker', 'follow_up', { request: r, email })),
      ];
      for (const text of texts) {
        const parts = markdownParts(text);
        expect(parts.links.every((l) => new URL(l).host === 'acme.zendesk.com')).toBe(true);
        expect(parts.images).toBe(0);
        expect(parts.html).toBe(0);
        expect(liveGitLabMarkup(text)).toEqual([]);
        // Shown, not dropped: the value is there as text.
        expect(parts.text).toContain(markdownParts(markdownText(value)).text);
      }
    },
  );

  it('links the ticket only by its normalised URL, and never a URL of another scheme', () => {
    const hostile = 'https://zd.example/agent/tickets/3001<!channel>|<https://evil.example|Click>';
    const shown = markdownParts(
      buildTrackerIssue(ctx('tracker', 'issue', { request: request({ ticketUrl: hostile }) })).description,
    );
    expect(shown.links.map((l) => new URL(l).host)).toEqual(['zd.example']);
    const script = buildTrackerIssue(
      ctx('tracker', 'issue', { request: request({ ticketUrl: 'javascript:alert(1)' }) }),
    );
    expect(markdownParts(script.description).links).toEqual([]);
  });

  it('keeps the titles exact', () => {
    const issue = buildTrackerIssue(ctx('tracker', 'issue', { request: hostileRequest('@all <b>') }));
    expect(issue.title).toBe('[Success] - Created a license under ops@acme.example for 120 users');
  });
});

/** Slack's control sequences in a message: links, mentions, `<!channel>`. */
const slackControls = (text: string): string[] => text.match(/<[^>]*>/g) ?? [];

describe('Slack mrkdwn in the chat message', () => {
  it('escapes every free-text value and links the ticket only by its normalised URL', () => {
    const ticketUrl = 'https://zd.example/agent/tickets/3001<!channel>|<https://evil.example|Click>';
    const value = '<!channel> <@U123> <https://evil.example|Your ticket> & more';
    const r = hostileRequest(value, { ticketUrl });
    const messages = [
      buildChatMessage(
        ctx('chat', 'issue', {
          request: r,
          email: delivery('email', 'issue', { status: 'failed', lastError: value }),
        }),
      ),
      buildChatMessage(
        ctx('chat', 'pending', {
          request: { ...r, status: 'pending_approval', decision: null },
          license: null,
        }),
      ),
      buildChatMessage(
        ctx('chat', 'void', {
          request: { ...r, status: 'voided', voided: { reason: value, by: value, at: 'x' } },
        }),
      ),
      buildChatMessage(
        ctx('chat', 'failure', {
          request: { ...r, status: 'failed', failure: { code: 'KEY_UNUSABLE', message: value } },
          license: null,
        }),
      ),
      buildChatMessage(
        ctx('chat', 'follow_up', {
          request: r,
          email: delivery('email', 'issue', { status: 'unknown', lastError: value }),
        }),
      ),
    ];
    for (const m of messages) {
      const links = slackControls(m);
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) {
        // Our links only: `<url|label>` to the ticket's or the tracker's host.
        const url = link.slice(1, -1).split('|')[0] ?? '';
        expect(['zd.example', 'gitlab.example']).toContain(new URL(url.replace(/&amp;/g, '&')).host);
      }
      expect(m).not.toContain('<!channel>');
      expect(m).not.toContain('<@U123>');
      expect(m).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });
});

describe('HTML in the ticket note', () => {
  it.each(HOSTILE)('shows %j as text; the only tags are its own', (value) => {
    const r = hostileRequest(value, { ticketUrl: 'https://acme.zendesk.com/agent/tickets/4242' });
    const notes = [
      buildTicketNote(
        ctx('ticket', 'issue', {
          request: r,
          email: delivery('email', 'issue', { status: 'failed', lastError: value }),
        }),
      ),
      buildTicketNote(
        ctx('ticket', 'decision', {
          request: { ...r, decision: { decision: 'rejected', by: value, at: 'x', reason: value } },
          license: null,
        }),
      ),
      buildTicketNote(
        ctx('ticket', 'void', {
          request: { ...r, status: 'voided', voided: { reason: value, by: value, at: 'x' } },
        }),
      ),
      buildTicketNote(
        ctx('ticket', 'follow_up', { request: r, email: delivery('email', 'issue', { status: 'sent' }) }),
      ),
      buildTicketNote(ctx('ticket', 'pending', { request: { ...r, decision: null }, license: null })),
    ];
    for (const n of notes) {
      const tags = n.match(/<[^>]*>/g) ?? [];
      for (const tag of tags)
        expect(tag).toMatch(/^<(\/?(p|br|code|a)|a href="https:\/\/gitlab\.example\/[^"]*")>$/);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Truthful notes (PRODUCT.md §12): the post and the note say the email's real state.

describe("the chat post and the ticket note state the email's real state", () => {
  const email = (overrides: Partial<DeliveryRecord>) => delivery('email', 'issue', overrides);
  const states: [string, DeliveryRecord | undefined, RegExp][] = [
    [
      'nothing known',
      undefined,
      /Email to ops@acme\.example: queued, not sent yet\. A follow-up will say when it is sent\./,
    ],
    ['queued', email({ status: 'queued' }), /: queued, not sent yet/],
    ['being sent', email({ status: 'sending', attempts: 1 }), /: being sent\. A follow-up/],
    [
      'failing, retrying',
      email({
        status: 'queued',
        attempts: 2,
        lastError: "EACCES: permission denied, open '<outbox>/.x.tmp'",
      }),
      /: NOT sent yet, failing \(2 failed attempts, retrying\): EACCES: permission denied.*A follow-up will say how it ends\./,
    ],
    ['sent', email({ status: 'sent' }), /Email to ops@acme\.example: sent\./],
    [
      'failed',
      email({ status: 'failed', lastError: '550 no such user' }),
      /: FAILED, not retried: 550 no such user\. Download the license file from Lifeline .* attach it to the ticket/,
    ],
    [
      'unknown',
      email({ status: 'unknown', lastError: 'connection lost' }),
      /: outcome unknown .*connection lost.*ask the customer/,
    ],
  ];

  it.each(states)('%s', (_name, state, expected) => {
    const chat = buildChatMessage(ctx('chat', 'issue', { email: state ?? null }));
    const note = buildTicketNote(ctx('ticket', 'issue', { email: state ?? null }));
    expect(chat).toMatch(expected);
    expect(note).toMatch(expected);
    expect(note).not.toContain('Emailed to');
  });

  it('names the resend recipient of a resend', () => {
    const sent = delivery('email', 'resend', { status: 'sent', recipient: 'it@acme.example' });
    const c = ctx('chat', 'resend', {
      delivery: delivery('chat', 'resend', { recipient: 'it@acme.example' }),
      email: sent,
    });
    expect(buildChatMessage(c)).toContain('Email to it@acme.example: sent.');
  });

  it('follows up with the final state: a chat reply naming the ticket and request, a ticket note, a tracker note', () => {
    const failed = delivery('email', 'issue', { status: 'failed', lastError: '550 no such user' });
    const chat = buildChatMessage(ctx('chat', 'follow_up', { email: failed }));
    expect(chat).toMatch(
      /^Update on the emergency license for <https:\/\/acme\.zendesk\.com\/agent\/tickets\/4242\|ticket #4242> \(request `req_01`\): The license email to ops@acme\.example failed permanently/,
    );
    const note = buildTicketNote(
      ctx('ticket', 'follow_up', { email: { ...failed, status: 'sent', lastError: null } }),
    );
    expect(note).toContain(`${TICKET_FOLLOW_UP_HEADING} The license email to ops@acme.example was sent.`);
    const tracker = buildTrackerNote(ctx('tracker', 'follow_up', { email: failed }));
    expect(tracker).toContain('failed permanently and will not be retried: 550 no such user');
  });
});
