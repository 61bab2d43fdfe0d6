/**
 * What the chat post and the ticket note say about the license email, and the follow-ups that keep
 * them true (PRODUCT.md §12 "truthful notes"). A post or note states the email's state when it is
 * written; when the email later reaches a final state (sent, failed, unknown) that the post or note
 * did not state, a follow-up is queued: a delivery of its own (purpose `follow_up`) on the same
 * channel, naming the email it reports (`about`). A failed or unknown email also gets a follow-up on
 * the tracker issue. Pure: the worker hands in the request's deliveries.
 */
import type { DeliveryChannel, DeliveryPurpose, DeliveryRecord } from '../ports.js';

export type EmailState =
  | { kind: 'queued' }
  | { kind: 'sending' }
  | { kind: 'retrying'; failedAttempts: number; error: string }
  | { kind: 'sent' }
  | { kind: 'failed'; error: string }
  | { kind: 'unknown'; error: string };

const FINAL: readonly DeliveryRecord['status'][] = ['sent', 'failed', 'unknown'];

/** Sent, failed or unknown: an email in one of these states never changes again. */
export const isFinal = (email: DeliveryRecord): boolean => FINAL.includes(email.status);

/** The state of an email delivery, in the words the messages use; no record reads as queued. */
export function emailState(email: DeliveryRecord | null | undefined): EmailState {
  if (!email) return { kind: 'queued' };
  const error = email.lastError ?? 'no reason was recorded';
  switch (email.status) {
    case 'sent':
      return { kind: 'sent' };
    case 'failed':
      return { kind: 'failed', error };
    case 'unknown':
      return { kind: 'unknown', error };
    case 'sending':
      return { kind: 'sending' };
    case 'queued':
    case 'claimed':
      if (email.lastError === null)
        return email.status === 'claimed' ? { kind: 'sending' } : { kind: 'queued' };
      // A claim counts its attempt before it is made.
      return {
        kind: 'retrying',
        failedAttempts: email.status === 'claimed' ? email.attempts - 1 : email.attempts,
        error,
      };
  }
}

/** Not tried yet, or on its first try: worth waiting a moment for before saying how it went. */
export const emailOnFirstAttempt = (email: DeliveryRecord): boolean =>
  !isFinal(email) && email.lastError === null;

/** The email whose state a delivery of this purpose reports: a resend's own, else the license's. */
const REPORTS_ON: Partial<Record<DeliveryPurpose, DeliveryPurpose>> = {
  issue: 'issue',
  decision: 'issue',
  resend: 'resend',
};

/**
 * The email a (non-email) delivery reports on, from the request's deliveries in creation order: a
 * follow-up's `about`; for the others, the newest email of the matching purpose queued no later
 * than it (deliveries queued together share their creation time). Null when none.
 */
export function reportedEmail(
  delivery: DeliveryRecord,
  deliveries: readonly DeliveryRecord[],
): DeliveryRecord | null {
  if (delivery.channel === 'email') return null;
  if (delivery.purpose === 'follow_up') return deliveries.find((d) => d.id === delivery.about) ?? null;
  const emails = deliveries.filter((d) => d.channel === 'email' && d.createdAt <= delivery.createdAt);
  // The tracker notes of earlier versions: the email that failed, or whose outcome is unknown.
  if (delivery.purpose === 'email_failed' || delivery.purpose === 'email_unknown') {
    const status = delivery.purpose === 'email_failed' ? 'failed' : 'unknown';
    return emails.filter((d) => d.status === status).at(-1) ?? null;
  }
  const purpose = REPORTS_ON[delivery.purpose];
  return purpose === undefined ? null : (emails.filter((d) => d.purpose === purpose).at(-1) ?? null);
}

/** The chat post a chat follow-up answers (its thread): the newest post sent about that email's purpose. */
export function followedPost(
  followUp: DeliveryRecord,
  email: DeliveryRecord | null,
  deliveries: readonly DeliveryRecord[],
): DeliveryRecord | null {
  if (!email) return null;
  return (
    deliveries
      .filter(
        (d) =>
          d.channel === followUp.channel &&
          d.purpose !== 'follow_up' &&
          d.status === 'sent' &&
          REPORTS_ON[d.purpose] === email.purpose,
      )
      .at(-1) ?? null
  );
}

/**
 * The request's first post on a channel (its pending or issued post), once sent: a decision is
 * told in its thread, so that the engineer who asked reads the answer under the question.
 */
export function firstPost(
  channel: DeliveryChannel,
  deliveries: readonly DeliveryRecord[],
): DeliveryRecord | null {
  return (
    deliveries.find(
      (d) =>
        d.channel === channel && d.status === 'sent' && d.purpose !== 'follow_up' && d.purpose !== 'decision',
    ) ?? null
  );
}

/**
 * The post whose thread a chat delivery answers in, or null for a post of its own: a decision
 * answers the request's first post; a follow-up the post it follows (or, when that post was itself
 * a reply, the thread it is in).
 */
export function threadOf(
  delivery: DeliveryRecord,
  email: DeliveryRecord | null,
  deliveries: readonly DeliveryRecord[],
): DeliveryRecord | null {
  if (delivery.purpose === 'decision') return firstPost(delivery.channel, deliveries);
  if (delivery.purpose !== 'follow_up') return null;
  const followed = followedPost(delivery, email, deliveries);
  return followed?.purpose === 'decision' ? (firstPost(delivery.channel, deliveries) ?? followed) : followed;
}

export interface FollowUpDue {
  channel: DeliveryChannel;
  /** The email whose final state it reports. */
  about: DeliveryRecord;
}

/**
 * The follow-ups due now that `done` has been recorded, from the request's deliveries as they are
 * in the same transaction (`done` with its new status among them):
 *
 * - an email reached a final state: one for each chat post and ticket note already sent about it
 *   (written before, they stated something else), and one for the tracker issue when it failed or
 *   its outcome is unknown;
 * - a chat post or ticket note was sent stating a state that is no longer the email's: its email
 *   reached a final state while it was being written.
 *
 * Never two follow-ups of one channel about the same email. The two cases cannot both miss one:
 * the worker records each outcome in a transaction that locks the audit head first, so one of the
 * two sees the other's write.
 */
export function followUpsDue(
  done: DeliveryRecord,
  stated: DeliveryRecord | null,
  deliveries: readonly DeliveryRecord[],
): FollowUpDue[] {
  const due: FollowUpDue[] = [];
  const add = (channel: DeliveryChannel, about: DeliveryRecord): void => {
    const exists =
      due.some((f) => f.channel === channel) ||
      deliveries.some((d) => d.purpose === 'follow_up' && d.channel === channel && d.about === about.id);
    if (!exists) due.push({ channel, about });
  };
  if (done.channel === 'email') {
    if (!isFinal(done)) return [];
    for (const d of deliveries) {
      if (
        (d.channel === 'chat' || d.channel === 'ticket') &&
        d.status === 'sent' &&
        REPORTS_ON[d.purpose] === done.purpose
      )
        add(d.channel, done);
    }
    if (done.status !== 'sent') add('tracker', done);
    return due;
  }
  if (
    (done.channel === 'chat' || done.channel === 'ticket') &&
    done.purpose !== 'follow_up' &&
    done.status === 'sent' &&
    stated !== null &&
    !isFinal(stated)
  ) {
    const now = deliveries.find((d) => d.id === stated.id);
    if (now && isFinal(now)) add(done.channel, now);
  }
  return due;
}
