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
  TRACKER_LABEL,
  type MessageContext,
} from '../../../src/core/deliveries/messages.js';

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

function delivery(
  channel: DeliveryRecord['channel'],
  purpose: DeliveryPurpose,
  overrides: Partial<DeliveryRecord> = {},
): DeliveryRecord {
  return {
    id: `dlv_${channel}_${purpose}`,
    requestId: 'req_01',
    channel,
    purpose,
    status: 'queued',
    recipient: channel === 'email' ? 'ops@acme.example' : null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    externalRef: null,
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
    ...overrides,
  };
}

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
    expect(note).toContain('resent to it@acme.example');
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

  it('notes a permanently failed email and an unknown outcome with the error', () => {
    const c = ctx('tracker', 'issue');
    expect(buildTrackerNote(c, { kind: 'email_failed', error: '550 mailbox unavailable' })).toContain(
      'failed permanently and will not be retried: 550 mailbox unavailable',
    );
    const unknown = buildTrackerNote(c, { kind: 'email_unknown', error: 'connection reset after DATA' });
    expect(unknown).toContain('unknown');
    expect(unknown).toContain('connection reset after DATA');
    expect(unknown).toContain('not re-sent automatically');
  });

  it('notes an email problem from the delivery purpose alone', () => {
    const c = ctx('tracker', 'email_failed', {
      delivery: delivery('tracker', 'email_failed', { lastError: '550 no such user' }),
    });
    expect(buildTrackerNote(c)).toContain('failed permanently and will not be retried: 550 no such user');
    expect(buildTrackerNote(ctx('tracker', 'email_unknown'))).toContain('is unknown');
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
    const n = buildTicketNote(ctx('ticket', 'issue'));
    expect(n).toContain('Emergency license generated');
    expect(n).toContain('Seats: 120');
    expect(n).toContain('2026-12-08');
    expect(n).toContain('Emailed to: ops@acme.example');
    expect(n).toContain('https://gitlab.example/licensing/requests/-/issues/17');
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
    ];
    for (const n of notes) {
      expect(n).not.toContain(LICENSE_TEXT.slice(0, 40));
      for (const line of LICENSE_TEXT.trim().split('\n')) expect(n).not.toContain(line);
    }
  });
});
