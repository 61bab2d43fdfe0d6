/**
 * The delivery ports. Each channel's port lives with its channel (./channels/*.ts) and is
 * re-exported here. Adapters return on success and throw `DeliveryError` to say how a failure should
 * be treated; anything else they throw counts as temporary. The worker decides retries, never the
 * adapters.
 */

/** How a failed attempt is treated: try again later, give up, or (email) ask a human. */
export type DeliveryErrorKind = 'temporary' | 'permanent' | 'unknown';

export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryErrorKind,
    message: string,
    /** From a `Retry-After` reply: the earliest moment to try again, in milliseconds from now. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export type { EmailAttachment, EmailMessage, Mailer } from './channels/email.js';
export type { IssueTracker, TrackerIssue, TrackerRef } from './channels/tracker.js';
export type { ChatNotifier } from './channels/chat.js';
export type { TicketSystem } from './channels/ticket-note.js';
export type { DeliveryChannels } from './channels/index.js';
