/**
 * What the four channels' texts share (PRODUCT.md §6): the exact titles, label and subject, the
 * records a message is built from, and the sentences said on several channels. Every value is
 * written through the target's TextFormat (src/core/text/), never pasted in.
 */
import { addDays, type CalendarDate } from '../../dates.js';
import type { DeliveryRecord, LicenseRecord, RequestRecord } from '../../ports.js';
import type { TextFormat } from '../../text/format.js';
import { emailState, type EmailState } from '../follow-ups.js';
import type { TrackerRef } from '../ports.js';

export const TRACKER_LABEL = 'Mechanizer::Emergency License Generation';
export const EMAIL_SUBJECT = 'Your 10-day Trial GitLab License';
export const DEFAULT_CHAT_CHANNEL = '#support_licensing-subscription';

/** Said with every void (§7): voiding is a record, not a revocation. */
export const CANNOT_REVOKE = 'the license file cannot be revoked on the instance';

/** Exact (§6.2): people and tools search for it. */
export function successTitle(email: string, seats: number): string {
  return `[Success] - Created a license under ${email} for ${seats} users`;
}

/** Exact (§6.2). */
export function failureTitle(email: string, seats: number): string {
  return `[Failure] - Could not create a license under ${email} for ${seats} users`;
}

/** In every tracker description, so the issue can be found again after a crash. */
export function requestMarker(requestId: string): string {
  return `lifeline-request: ${requestId}`;
}

export interface MessageContext {
  request: RequestRecord;
  license: LicenseRecord | null;
  /** Its purpose and recipient decide what is said. */
  delivery: DeliveryRecord;
  /** The tracker issue once it exists (url may be null for the local tracker). */
  tracker: TrackerRef | null;
  /**
   * The license email this message reports on, as it is now (follow-ups.ts `reportedEmail`); its
   * state is stated as is. Absent: nothing is known of it, so it is not said to be sent.
   */
  email?: DeliveryRecord | null;
}

/** The last day a license works: GitLab treats it as expired from its `expires_at` day on. */
export function lastWorkingDay(expiresAt: CalendarDate): CalendarDate {
  return addDays(expiresAt, -1);
}

export function requireLicense(ctx: MessageContext, what: string): LicenseRecord {
  if (!ctx.license) {
    throw new Error(`${what} needs the license of request ${ctx.request.id}, and there is none`);
  }
  return ctx.license;
}

/**
 * Where the license was (or is being) emailed: the delivery's recipient (a resend's address is on
 * all of its deliveries), else its email's, else the requester.
 */
export function emailRecipient(ctx: MessageContext): string {
  return ctx.delivery.recipient ?? ctx.email?.recipient ?? ctx.request.requesterEmail;
}

/** The ticket as a link labelled "ticket #N" where the format links, else "ticket #N". */
export function ticketRef(request: RequestRecord, f: TextFormat): string {
  const label = `ticket #${request.ticketId}`;
  return request.ticketUrl ? f.link(request.ticketUrl, label) : f.text(label);
}

/** The tracker issue as a link, or its number when there is no URL (local tracker). */
export function trackerLine(tracker: TrackerRef | null, f: TextFormat): string | null {
  if (!tracker) return null;
  const label = `#${tracker.iid}`;
  return `Tracker issue: ${tracker.url ? f.link(tracker.url, label) : f.text(label)}`;
}

export function seatsWord(n: number): string {
  return n === 1 ? '1 seat' : `${n} seats`;
}

/** The lines that are there. */
export const present = (lines: readonly (string | null)[]): string[] =>
  lines.filter((line): line is string => line !== null);

const withoutFinalStop = (text: string): string => text.replace(/[.\s]+$/, '');

/** The override and approval, in plain words: "Override by erin: <reason>. Approved by lou." */
export function overrideInWords(request: RequestRecord, f: TextFormat): string | null {
  const parts: string[] = [];
  if (request.override) {
    parts.push(
      `Override by ${f.text(request.override.by)}: ${withoutFinalStop(f.text(request.override.reason))}.`,
    );
  }
  if (request.decision) {
    const verb = request.decision.decision === 'approved' ? 'Approved' : 'Rejected';
    const reason = request.decision.reason ? `: ${withoutFinalStop(f.text(request.decision.reason))}` : '';
    parts.push(`${verb} by ${f.text(request.decision.by)}${reason}.`);
  }
  return parts.length > 0 ? parts.join(' ') : null;
}

/** What to do when the customer did not get the email: the team still has the file. */
function attachAdvice(requestId: string, f: TextFormat): string {
  return (
    `Download the license file from Lifeline (request ${f.code(requestId)}) and attach it to the ticket, ` +
    `or resend it (${f.code(`lifeline resend ${requestId}`)}, optionally to another address).`
  );
}

/** One line on the license email as it is when the post or note is written (§12 truthful notes). */
export function emailStatusLine(ctx: MessageContext, f: TextFormat): string {
  const to = `Email to ${f.text(emailRecipient(ctx))}`;
  const follow = 'A follow-up will say when it is sent.';
  const state: EmailState = emailState(ctx.email);
  switch (state.kind) {
    case 'sent':
      return `${to}: sent.`;
    case 'queued':
      return `${to}: queued, not sent yet. ${follow}`;
    case 'sending':
      return `${to}: being sent. ${follow}`;
    case 'retrying':
      return (
        `${to}: NOT sent yet, failing (${state.failedAttempts} failed ${state.failedAttempts === 1 ? 'attempt' : 'attempts'}, ` +
        `retrying): ${f.text(state.error)}. A follow-up will say how it ends.`
      );
    case 'failed':
      return `${to}: FAILED, not retried: ${f.text(state.error)}. ${attachAdvice(ctx.request.id, f)}`;
    case 'unknown':
      return (
        `${to}: outcome unknown (the connection was lost after the message was handed over): ` +
        `${f.text(state.error)}. It may have arrived; ask the customer. ${attachAdvice(ctx.request.id, f)}`
      );
  }
}

/**
 * A follow-up (§12): the final state the email reached after the post, note or issue was written.
 * Null while it has none (a follow-up is only queued for a final state).
 */
export function followUpSentence(ctx: MessageContext, f: TextFormat): string | null {
  const to = f.text(emailRecipient(ctx));
  const state = emailState(ctx.email);
  switch (state.kind) {
    case 'sent':
      return `The license email to ${to} was sent.`;
    case 'failed':
      return (
        `The license email to ${to} failed permanently and will not be retried: ${f.text(state.error)}. ` +
        attachAdvice(ctx.request.id, f)
      );
    case 'unknown':
      return (
        `The outcome of the license email to ${to} is unknown (the connection was lost after the message was handed over): ` +
        `${f.text(state.error)}. It may have been delivered, so it is not re-sent automatically: ask the customer. ` +
        attachAdvice(ctx.request.id, f)
      );
    default:
      return null;
  }
}
