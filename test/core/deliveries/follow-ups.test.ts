/**
 * Follow-ups (src/core/deliveries/follow-ups.ts): which email a post or note reports, and which
 * follow-ups an outcome calls for — only a final email state that a post, note or the tracker
 * issue did not state, once per channel and email.
 */
import { describe, expect, it } from 'vitest';
import {
  emailState,
  followedPost,
  followUpsDue,
  reportedEmail,
  threadOf,
} from '../../../src/core/deliveries/follow-ups.js';
import type { DeliveryRecord } from '../../../src/core/ports.js';
import { deliveryRecord } from './records.js';

let seq = 0;
/** A delivery with an id of its own, in creation order. */
function d(
  channel: DeliveryRecord['channel'],
  purpose: DeliveryRecord['purpose'],
  overrides: Partial<DeliveryRecord> = {},
): DeliveryRecord {
  seq++;
  return deliveryRecord(channel, purpose, {
    id: `dlv_${String(seq).padStart(3, '0')}_${channel}`,
    ...overrides,
  });
}

const summary = (due: ReturnType<typeof followUpsDue>) => due.map((f) => `${f.channel}:${f.about.id}`);

describe('emailState', () => {
  it('reads each delivery state as the messages say it', () => {
    expect(emailState(null)).toEqual({ kind: 'queued' });
    expect(emailState(d('email', 'issue'))).toEqual({ kind: 'queued' });
    expect(emailState(d('email', 'issue', { status: 'claimed', attempts: 1 }))).toEqual({ kind: 'sending' });
    expect(emailState(d('email', 'issue', { status: 'sending', attempts: 1 }))).toEqual({ kind: 'sending' });
    expect(emailState(d('email', 'issue', { status: 'queued', attempts: 2, lastError: 'EACCES' }))).toEqual({
      kind: 'retrying',
      failedAttempts: 2,
      error: 'EACCES',
    });
    expect(emailState(d('email', 'issue', { status: 'claimed', attempts: 3, lastError: 'EACCES' }))).toEqual({
      kind: 'retrying',
      failedAttempts: 2,
      error: 'EACCES',
    });
    expect(emailState(d('email', 'issue', { status: 'failed', lastError: '550' }))).toEqual({
      kind: 'failed',
      error: '550',
    });
  });
});

describe('reportedEmail', () => {
  it('is the email queued with it, of the matching purpose; a follow-up reports its own', () => {
    const email = d('email', 'issue');
    const chat = d('chat', 'issue');
    const resendEmail = d('email', 'resend', {
      createdAt: '2026-11-29T10:00:00.000Z',
      recipient: 'it@acme.example',
    });
    const resendNote = d('tracker', 'resend', { createdAt: '2026-11-29T10:00:00.000Z' });
    const later = d('email', 'resend', { createdAt: '2026-11-30T10:00:00.000Z' });
    const followUp = d('ticket', 'follow_up', { about: email.id, createdAt: '2026-12-01T10:00:00.000Z' });
    const all = [email, chat, resendEmail, resendNote, later, followUp];
    expect(reportedEmail(chat, all)?.id).toBe(email.id);
    expect(reportedEmail(resendNote, all)?.id).toBe(resendEmail.id);
    expect(reportedEmail(followUp, all)?.id).toBe(email.id);
    expect(reportedEmail(d('chat', 'void'), all)).toBeNull();
  });
});

describe('followUpsDue', () => {
  it('an email sent after the post and the note were written: one follow-up each, none for the tracker', () => {
    const email = d('email', 'issue', { status: 'sent' });
    const chat = d('chat', 'issue', { status: 'sent', externalRef: '1764331200.000100' });
    const note = d('ticket', 'issue', { status: 'sent' });
    const tracker = d('tracker', 'issue', { status: 'sent' });
    expect(summary(followUpsDue(email, null, [email, chat, note, tracker]))).toEqual([
      `chat:${email.id}`,
      `ticket:${email.id}`,
    ]);
  });

  it('an email that failed: the tracker issue too; not the post that has not been written yet', () => {
    const email = d('email', 'issue', { status: 'failed', lastError: '550' });
    const chat = d('chat', 'issue', { status: 'queued' });
    const note = d('ticket', 'issue', { status: 'sent' });
    expect(summary(followUpsDue(email, null, [email, chat, note]))).toEqual([
      `ticket:${email.id}`,
      `tracker:${email.id}`,
    ]);
  });

  it('nothing while the email is still being tried, nor twice for the same channel and email', () => {
    const retrying = d('email', 'issue', { status: 'queued', lastError: 'EACCES', attempts: 1 });
    const chat = d('chat', 'issue', { status: 'sent' });
    expect(followUpsDue(retrying, null, [retrying, chat])).toEqual([]);
    const sent = { ...retrying, status: 'sent' as const };
    const earlier = d('chat', 'follow_up', { about: sent.id });
    expect(followUpsDue(sent, null, [sent, chat, earlier])).toEqual([]);
  });

  it('a post written while the email was on its way, recorded after the email ended: its follow-up', () => {
    const stated = d('email', 'issue', { status: 'sending', attempts: 1 });
    const now = { ...stated, status: 'unknown' as const, lastError: 'lost' };
    const chat = d('chat', 'issue', { status: 'sent' });
    expect(summary(followUpsDue(chat, stated, [now, chat]))).toEqual([`chat:${stated.id}`]);
    // The post said the final state: nothing to add.
    expect(followUpsDue(chat, now, [now, chat])).toEqual([]);
    // The email is still on its way: its own end will queue the follow-up.
    expect(followUpsDue(chat, stated, [stated, chat])).toEqual([]);
  });

  it('a chat follow-up answers the post it follows', () => {
    const email = d('email', 'issue', { status: 'sent' });
    const post = d('chat', 'issue', { status: 'sent', externalRef: '1764331200.000100' });
    const followUp = d('chat', 'follow_up', { about: email.id });
    expect(followedPost(followUp, email, [email, post, followUp])?.externalRef).toBe('1764331200.000100');
  });

  it("a decision answers the request's first post in its thread; a follow-up of the decision, that thread", () => {
    const pending = d('chat', 'pending', { status: 'sent', externalRef: '1764331200.000100' });
    const email = d('email', 'issue', { status: 'sent' });
    const decision = d('chat', 'decision', { status: 'sent', externalRef: '1764331260.000200' });
    const followUp = d('chat', 'follow_up', { about: email.id });
    const all = [pending, email, decision, followUp];
    expect(threadOf(decision, email, all)?.externalRef).toBe('1764331200.000100');
    // Slack threads have one level: the follow-up of a reply answers the thread, not the reply.
    expect(threadOf(followUp, email, all)?.externalRef).toBe('1764331200.000100');
    // The first post is not sent (it failed): the decision is a post of its own.
    const failed = { ...pending, status: 'failed' as const, externalRef: null };
    expect(threadOf(decision, email, [failed, email, decision])).toBeNull();
    // Other posts (an issued license, a void) are posts of their own.
    expect(threadOf(d('chat', 'void'), null, all)).toBeNull();
    expect(threadOf(d('chat', 'issue'), email, all)).toBeNull();
  });
});
