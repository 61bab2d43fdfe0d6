/**
 * A request's events in words (src/core/issuance/events.ts) and its deliveries' references (each
 * channel's `reference`): what people read on the record instead of action names, ids and paths.
 */
import { describe, expect, it } from 'vitest';
import { channelNamed } from '../../../src/core/deliveries/channels/index.js';
import { eventInWords } from '../../../src/core/issuance/events.js';
import type { RequestView } from '../../../src/core/issuance/view.js';
import type { AuditEntry, DeliveryRecord } from '../../../src/core/ports.js';
import { deliveryRecord } from '../deliveries/records.js';

const email = deliveryRecord('email', 'issue', {
  id: 'dlv_email',
  status: 'sent',
  attempts: 2,
  externalRef: '250 2.0.0 Ok: queued as 4FQ1',
});
const tracker = deliveryRecord('tracker', 'issue', {
  id: 'dlv_tracker',
  status: 'sent',
  externalRef: '412',
  externalUrl: 'https://gitlab.example/support/requests/-/issues/412',
});
const decision = deliveryRecord('chat', 'decision', {
  id: 'dlv_chat',
  status: 'sent',
  externalRef: '1764331260.000200',
  externalUrl: 'https://acme.slack.com/archives/C1/p1764331260000200',
});

const view = {
  request: { id: 'req_01', ticketId: '4242', requesterEmail: 'ops@acme.example' },
  deliveries: [email, tracker, decision],
  tracker: { iid: '412', url: 'https://gitlab.example/support/requests/-/issues/412' },
} as unknown as RequestView;

const entry = (action: string, details: AuditEntry['details'], actor = 'lee (licensing)'): AuditEntry => ({
  seq: 1,
  id: 'aud_1',
  at: '2026-11-28T10:00:00.000Z',
  actor,
  action,
  requestId: 'req_01',
  details,
  detailsDigest: '',
  prevHash: '',
  hash: '',
});

const worker = 'delivery worker (admin)';
const sent = (d: DeliveryRecord, attempts = 1) =>
  entry('delivery.sent', { deliveryId: d.id, channel: d.channel, purpose: d.purpose, attempts }, worker);

describe('events in words', () => {
  it('says what each delivery did, with the attempt when it took more than one', () => {
    expect(eventInWords(sent(email, 2), view)).toBe('Email sent to ops@acme.example (attempt 2)');
    expect(eventInWords(sent(tracker), view)).toBe('Tracker issue #412 closed (license recorded)');
    expect(eventInWords(sent(decision), view)).toBe("Team told in the thread of the request's post");
    expect(
      eventInWords(entry('delivery.sent', { channel: 'ticket', purpose: 'follow_up', attempts: 1 }), view),
    ).toBe('Follow-up note added to ticket #4242');
    expect(
      eventInWords(
        entry('delivery.failed', { channel: 'chat', attempts: 12, error: 'gave up after 12 attempts: 503' }),
        view,
      ),
    ).toBe('Team notification failed (attempt 12): gave up after 12 attempts: 503');
  });

  it('says who decided what, with the note', () => {
    expect(
      eventInWords(
        entry('request.approved', { reason: 'Bank, confirmed', seats: 50, expiresAt: '2026-12-08' }),
        view,
      ),
    ).toBe('Override approved by lee: “Bank, confirmed”; license issued: 50 seats, expires 2026-12-08');
    expect(eventInWords(entry('request.rejected', { reason: 'Not a customer' }), view)).toBe(
      'Override rejected by lee: “Not a customer”',
    );
    expect(
      eventInWords(
        entry('request.pending_approval', { overriddenCodes: ['STILL_IN_GRACE'] }, 'erin (engineer)'),
        view,
      ),
    ).toBe('Override asked by erin (STILL_IN_GRACE): waiting for licensing');
    expect(
      eventInWords(entry('request.replaced', { replacedBy: 'req_02', reason: 'wrong seats' }), view),
    ).toBe('License replaced by req_02: “wrong seats”');
    expect(eventInWords(entry('request.refused', { codes: ['NOT_WEEKEND', 'PROSPECT'] }), view)).toBe(
      'Refused by the rules (NOT_WEEKEND, PROSPECT)',
    );
    expect(
      eventInWords(entry('license.failed', { failure: { code: 'KEY_UNUSABLE', message: 'x' } }), view),
    ).toBe('No license could be generated (KEY_UNUSABLE)');
  });
});

describe('delivery references', () => {
  const context = { ticketId: '4242', tracker: view.tracker };
  const reference = (d: DeliveryRecord) => channelNamed(d.channel)?.reference(d, context);

  it('links the GitLab issue, the Slack permalink and the Zendesk ticket; says the email in words', () => {
    expect(reference(tracker)).toEqual({
      text: 'Issue #412',
      url: 'https://gitlab.example/support/requests/-/issues/412',
    });
    expect(reference(decision)).toEqual({
      text: 'Reply in the thread of the team post',
      url: 'https://acme.slack.com/archives/C1/p1764331260000200',
    });
    const note = deliveryRecord('ticket', 'issue', {
      status: 'sent',
      externalUrl: 'https://acme.zendesk.com/agent/tickets/4242',
    });
    expect(reference(note)).toEqual({
      text: 'Internal note on ticket #4242',
      url: 'https://acme.zendesk.com/agent/tickets/4242',
    });
    // The SMTP reply's queue id is the mail server's, not for people.
    expect(reference(email)).toEqual({
      text: 'Accepted by the mail server (to ops@acme.example)',
      url: null,
    });
  });

  it('never links a URL of another scheme, and never shows a local record id', () => {
    const odd = { ...decision, externalUrl: 'javascript:alert(1)' };
    expect(reference(odd)?.url).toBeNull();
    const local = deliveryRecord('tracker', 'void', { status: 'sent', externalRef: 'iss_839f8291575da503' });
    expect(channelNamed('tracker')?.reference(local, { ticketId: '4242', tracker: null })).toEqual({
      text: 'Note on the tracker issue (kept locally)',
      url: null,
    });
  });
});
