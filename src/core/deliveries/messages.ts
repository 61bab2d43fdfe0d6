/**
 * The texts of PRODUCT.md §6: the customer's email (§6.1), the tracker issue and its notes (§6.2),
 * the team's chat message (§6.3) and the ticket's internal note (§6.4). Pure builders: the worker
 * loads the records and hands them in; nothing here reads a clock, a file or the environment.
 *
 * Titles, label and subject are exact: people and tools search for them. The license text goes
 * only to the customer (email) and to the licensing team's confidential tracker issue — never into
 * the chat message or the ticket note.
 */
import { addDays, type CalendarDate } from '../dates.js';
import { addBoundary } from '../license/boundary.js';
import type { DeliveryRecord, LicenseRecord, RequestRecord } from '../ports.js';
import type { EmailMessage, TrackerIssue, TrackerRef } from './ports.js';

export const TRACKER_LABEL = 'Mechanizer::Emergency License Generation';
export const EMAIL_SUBJECT = 'Your 10-day Trial GitLab License';
export const DEFAULT_CHAT_CHANNEL = '#support_licensing-subscription';

/** The product name in the BEGIN/END lines around the license text in the email body. */
const BOUNDARY_PRODUCT = 'GitLab';

/** Said with every void (§7): voiding is a record, not a revocation. */
const CANNOT_REVOKE = 'the license file cannot be revoked on the instance';

export function successTitle(email: string, seats: number): string {
  return `[Success] - Created a license under ${email} for ${seats} users`;
}

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
}

export interface MailSettings {
  from: string;
  replyTo?: string;
}

export interface TrackerNoteEvent {
  kind: 'email_failed' | 'email_unknown';
  error: string;
}

// ---------------------------------------------------------------------------------------------
// helpers

/** The last day a license works: GitLab treats it as expired from its `expires_at` day on. */
function lastWorkingDay(expiresAt: CalendarDate): CalendarDate {
  return addDays(expiresAt, -1);
}

/**
 * Free text typed by people (reasons, error messages) on one line: no line of it can start a
 * GitLab quick action (`/close`) or break the layout of a list.
 */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Slack treats `<…>` as links and mentions (`<!channel>`); `&` starts an entity. */
function slackText(text: string): string {
  return oneLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function requireLicense(ctx: MessageContext, what: string): LicenseRecord {
  if (!ctx.license) {
    throw new Error(`${what} needs the license of request ${ctx.request.id}, and there is none`);
  }
  return ctx.license;
}

/** Where the license was (or is being) emailed: the delivery's recipient, else the requester. */
function emailRecipient(ctx: MessageContext): string {
  return ctx.delivery.recipient ?? ctx.request.requesterEmail;
}

function ticketLabel(request: RequestRecord): string {
  return request.ticketUrl ?? `ticket #${request.ticketId}`;
}

/** The tracker issue as a link, or its number when there is no URL (local tracker). */
function trackerLink(tracker: TrackerRef | null): string | null {
  if (!tracker) return null;
  return tracker.url ?? `#${tracker.iid}`;
}

function seatsWord(n: number): string {
  return n === 1 ? '1 seat' : `${n} seats`;
}

/** The override and approval, in plain words: "Override by erin: <reason>. Approved by lou." */
function overrideInWords(request: RequestRecord, escape: (text: string) => string = oneLine): string | null {
  const parts: string[] = [];
  if (request.override) {
    const reason = escape(request.override.reason).replace(/[.\s]+$/, '');
    parts.push(`Override by ${escape(request.override.by)}: ${reason}.`);
  }
  if (request.decision) {
    const verb = request.decision.decision === 'approved' ? 'Approved' : 'Rejected';
    const reason = request.decision.reason
      ? `: ${escape(request.decision.reason).replace(/[.\s]+$/, '')}`
      : '';
    parts.push(`${verb} by ${escape(request.decision.by)}${reason}.`);
  }
  return parts.length > 0 ? parts.join(' ') : null;
}

function show(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? 'not given' : String(value);
}

/**
 * The license email failed for good, or its outcome is unknown (§6). `error` is already made safe
 * for where it goes; null when the detail is recorded elsewhere.
 */
function emailProblem(
  kind: 'email_failed' | 'email_unknown',
  to: string,
  error: string | null,
  requestId: string,
): string {
  const detail = error ? `: ${error}` : '';
  return kind === 'email_failed'
    ? `The license email to ${to} failed permanently and will not be retried${detail}. ` +
        `Check the address, then \`lifeline resend ${requestId}\` (optionally to another address).`
    : `The outcome of the license email to ${to} is unknown (the connection was lost after the message was handed over)${detail}. ` +
        `It may have been delivered, so it is not re-sent automatically: ask the customer, and \`lifeline resend ${requestId}\` if needed.`;
}

// ---------------------------------------------------------------------------------------------
// §6.1 email

export function buildEmail(ctx: MessageContext, mail: MailSettings): EmailMessage {
  const license = requireLicense(ctx, 'The email');
  const { request, delivery } = ctx;
  const resend = delivery.purpose === 'resend';
  const lines: string[] = ['Hello,', ''];
  if (resend) {
    lines.push(
      'This is a copy of the license we sent you earlier; it is the same license, not a new one.',
      '',
    );
  }
  lines.push(
    `Attached is a temporary 10-day GitLab Ultimate trial license, issued for support ticket #${request.ticketId}.`,
    '',
    `It expires on ${license.expiresAt}: it works through ${lastWorkingDay(license.expiresAt)}, the day before.`,
    '',
    'To install it, as an administrator of your GitLab instance:',
    '1. Go to Admin Area → Settings → General → Add License (in newer versions: Admin Area → Subscription).',
    `2. Upload the attached file (${license.fileName}), or paste the license text shown below.`,
    '',
    'This license replaces nothing in your subscription: your renewal must still be completed.',
  );
  if (request.ticketUrl) lines.push('', `Your ticket: ${request.ticketUrl}`);
  lines.push(
    '',
    'If your mail client removed the attachment, paste the license text between the two lines below',
    '(the lines themselves may be included):',
    '',
    addBoundary(license.text, BOUNDARY_PRODUCT),
    '',
    'GitLab Support',
  );
  const message: EmailMessage = {
    messageId: `<${delivery.id}@lifeline>`,
    from: mail.from,
    to: emailRecipient(ctx),
    subject: EMAIL_SUBJECT,
    text: `${lines.join('\n')}\n`,
    attachments: [
      { filename: license.fileName, content: license.text, contentType: 'application/octet-stream' },
    ],
  };
  if (mail.replyTo !== undefined) message.replyTo = mail.replyTo;
  return message;
}

// ---------------------------------------------------------------------------------------------
// §6.2 tracker issue and notes

function verdictLines(request: RequestRecord): string[] {
  const { eligibility, override } = request;
  const lines: string[] = [];
  if (eligibility.eligible) {
    lines.push('- Verdict: eligible');
  } else {
    const codes = override?.codes.length ? override.codes : eligibility.refusals.map((r) => r.code);
    lines.push(`- Verdict: not eligible, refusals overridden (${codes.join(', ')})`);
    for (const r of eligibility.refusals) lines.push(`  - ${r.code}: ${oneLine(r.message)}`);
  }
  return lines;
}

function evidenceLines(request: RequestRecord): string[] {
  const e = request.evidence;
  const lines = [
    `- Source: ${e.source}`,
    `- Plan: ${show(e.plan)}`,
    `- Previous expiry: ${show(e.expiresAt)}`,
    `- Previous seats: ${show(e.previousSeats)}`,
    `- Maximum users: ${show(e.maximumUsers)}`,
    `- Billable users: ${show(e.billableUsers)}`,
  ];
  if (e.previousLicense) lines.push(`- Previous license fingerprint: \`${e.previousLicense.fingerprint}\``);
  return lines;
}

function successDescription(request: RequestRecord, license: LicenseRecord): string {
  const lines: string[] = [
    '## Emergency license',
    '',
    `- Ticket: ${request.ticketUrl ?? `#${request.ticketId}`}`,
    `- Customer email: ${license.email}`,
    `- Engineer: ${request.engineer}`,
    `- Seats: ${license.seats}`,
    `- Start date: ${license.issuedAt}`,
    `- Expiry date: ${license.expiresAt} (works through ${lastWorkingDay(license.expiresAt)})`,
    '',
    '## Eligibility',
    '',
    ...verdictLines(request),
    '',
    '### Evidence',
    '',
    ...evidenceLines(request),
  ];
  const warnings = request.eligibility.warnings;
  if (warnings.length > 0) {
    lines.push('', '### Warnings', '', ...warnings.map((w) => `- ${w.code}: ${oneLine(w.message)}`));
  }
  if (request.override || request.decision) {
    lines.push('', '## Override and approval', '');
    if (request.override) {
      lines.push(
        `- Override by ${request.override.by} (${request.override.role}): ${oneLine(request.override.reason)}`,
      );
    }
    if (request.decision) {
      const d = request.decision;
      const reason = d.reason ? `: ${oneLine(d.reason)}` : '';
      lines.push(`- ${d.decision === 'approved' ? 'Approved' : 'Rejected'} by ${d.by} at ${d.at}${reason}`);
    }
  }
  if (request.voided) {
    lines.push(
      '',
      '## Voided',
      '',
      `- Voided by ${request.voided.by} at ${request.voided.at}: ${oneLine(request.voided.reason)}`,
      `- Note: ${CANNOT_REVOKE}.`,
    );
  }
  lines.push(
    '',
    '## License',
    '',
    `- File: \`${license.fileName}\``,
    `- Fingerprint (SHA-256): \`${license.fingerprint}\``,
    '',
    '```',
    license.text.replace(/\s+$/, ''),
    '```',
    '',
    requestMarker(request.id),
  );
  return lines.join('\n');
}

function failureDescription(request: RequestRecord): string {
  const failure = request.failure;
  const lines: string[] = [
    '## No license could be generated',
    '',
    `- Ticket: ${request.ticketUrl ?? `#${request.ticketId}`}`,
    `- Customer email: ${request.requesterEmail}`,
    `- Engineer: ${request.engineer}`,
    `- Seats: ${request.seats}`,
    `- Requested on: ${request.issueDate}`,
    `- Error: ${failure ? `${failure.code}: ${oneLine(failure.message)}` : 'unknown'}`,
    '',
    '## What to do next',
    '',
    '1. Fix the signing key configuration (`LIFELINE_SIGNING_KEY_FILE` or `LIFELINE_SIGNING_KEY`); `lifeline doctor` says what is wrong.',
    `2. Run \`lifeline retry ${request.id}\`. No license was generated, so retrying cannot make a second one.`,
    '',
    requestMarker(request.id),
  ];
  return lines.join('\n');
}

/**
 * The issue for a request: success when a license exists (issued or voided), failure when the
 * request records why none could be generated.
 */
export function buildTrackerIssue(ctx: MessageContext): TrackerIssue {
  const { request, license } = ctx;
  if (license && (request.status === 'issued' || request.status === 'voided')) {
    return {
      requestId: request.id,
      title: successTitle(license.email, license.seats),
      description: successDescription(request, license),
      labels: [TRACKER_LABEL],
      confidential: true,
      closed: true,
    };
  }
  if (request.failure) {
    return {
      requestId: request.id,
      title: failureTitle(request.requesterEmail, request.seats),
      description: failureDescription(request),
      labels: [TRACKER_LABEL],
      confidential: true,
      closed: false,
    };
  }
  throw new Error(
    `Request ${request.id} (${request.status}) has neither a license nor a failure: no tracker issue to build`,
  );
}

/** A later event, as a note on the request's issue. */
export function buildTrackerNote(ctx: MessageContext, event?: TrackerNoteEvent): string {
  const { request, license, delivery } = ctx;
  if (event) return emailProblem(event.kind, emailRecipient(ctx), oneLine(event.error), request.id);
  switch (delivery.purpose) {
    case 'resend': {
      const fingerprint = license ? ` (fingerprint \`${license.fingerprint}\`)` : '';
      return `The same license${fingerprint} was resent to ${emailRecipient(ctx)}. No new license was generated.`;
    }
    case 'void': {
      const v = request.voided;
      const who = v ? `by ${v.by}` : 'by licensing';
      const reason = v ? `: ${oneLine(v.reason)}` : '';
      return `Voided ${who}${reason}. Note: ${CANNOT_REVOKE}; it keeps working until it expires${
        license ? ` on ${license.expiresAt}` : ''
      }.`;
    }
    case 'decision': {
      const d = request.decision;
      if (!d) return 'A decision was recorded on this request.';
      const reason = d.reason ? `: ${oneLine(d.reason)}` : '';
      return d.decision === 'approved'
        ? `Override approved by ${d.by}${reason}.`
        : `Override rejected by ${d.by}${reason}. No license was issued.`;
    }
    case 'pending': {
      const o = request.override;
      return o
        ? `Override by ${o.by} (${o.codes.join(', ')}): ${oneLine(o.reason)}. Waiting for licensing: \`lifeline approve ${request.id}\`.`
        : `Waiting for licensing: \`lifeline approve ${request.id}\`.`;
    }
    case 'failure': {
      const f = request.failure;
      return `No license could be generated${f ? `: ${f.code}: ${oneLine(f.message)}` : ''}. After fixing the cause, \`lifeline retry ${request.id}\`.`;
    }
    case 'email_failed':
    case 'email_unknown':
      return emailProblem(
        delivery.purpose,
        emailRecipient(ctx),
        delivery.lastError && oneLine(delivery.lastError),
        request.id,
      );
    case 'issue': {
      const words = overrideInWords(request);
      return license
        ? `License generated: ${seatsWord(license.seats)}, expires ${license.expiresAt}, emailed to ${license.email}.${
            words ? ` ${words}` : ''
          }`
        : 'License delivery recorded.';
    }
  }
}

// ---------------------------------------------------------------------------------------------
// §6.3 chat

export function buildChatMessage(ctx: MessageContext): string {
  const { request, license, delivery } = ctx;
  const ticket = ticketLabel(request);
  const tracker = trackerLink(ctx.tracker);
  const trackerLine = tracker ? `Tracker issue: ${tracker}` : null;
  const words = overrideInWords(request, slackText);
  const engineer = slackText(request.engineer);

  const issued = (heading: string): string => {
    const l = requireLicense(ctx, 'The chat message');
    return [
      `${heading} for ${ticket}`,
      `Customer: ${l.email}`,
      `Seats: ${l.seats}`,
      `Expires: ${l.expiresAt} (works through ${lastWorkingDay(l.expiresAt)})`,
      `Engineer: ${engineer}`,
      trackerLine,
      words,
    ]
      .filter((line): line is string => line !== null)
      .join('\n');
  };

  switch (delivery.purpose) {
    case 'issue':
      return issued('Emergency license issued');
    case 'resend':
      return [
        `Emergency license resent for ${ticket}`,
        `Sent again to: ${emailRecipient(ctx)} (the same license; no new one was generated)`,
        trackerLine,
      ]
        .filter((line): line is string => line !== null)
        .join('\n');
    case 'pending': {
      const o = request.override;
      return [
        `Approval needed: emergency license for ${ticket}`,
        `Customer: ${request.requesterEmail}`,
        `Seats: ${request.seats}`,
        `Engineer: ${engineer}`,
        o ? `Override by ${slackText(o.by)} (${o.codes.join(', ')}): ${slackText(o.reason)}` : null,
        `Licensing, please review and approve with \`lifeline approve ${request.id}\` (or reject it).`,
      ]
        .filter((line): line is string => line !== null)
        .join('\n');
    }
    case 'decision': {
      const d = request.decision;
      if (d?.decision === 'approved' && license) return issued('Override approved; emergency license issued');
      const by = d ? slackText(d.by) : 'licensing';
      const reason = d?.reason ? `: ${slackText(d.reason)}` : '';
      return [
        `Emergency license request rejected for ${ticket}`,
        `Rejected by ${by}${reason}`,
        `Customer: ${request.requesterEmail}`,
        `Seats: ${request.seats}`,
        `Engineer: ${engineer}`,
        'No license was issued.',
      ].join('\n');
    }
    case 'void': {
      const v = request.voided;
      return [
        `Emergency license voided for ${ticket}`,
        v ? `Voided by ${slackText(v.by)}: ${slackText(v.reason)}` : 'Voided by licensing',
        `Customer: ${license?.email ?? request.requesterEmail}`,
        license ? `Seats: ${license.seats}, expires ${license.expiresAt}` : null,
        `Note: ${CANNOT_REVOKE}; it keeps working until it expires.`,
        trackerLine,
      ]
        .filter((line): line is string => line !== null)
        .join('\n');
    }
    case 'email_failed':
    case 'email_unknown':
      return [
        `License email problem for ${ticket}`,
        emailProblem(delivery.purpose, emailRecipient(ctx), null, request.id),
        trackerLine,
      ]
        .filter((line): line is string => line !== null)
        .join('\n');
    case 'failure': {
      const f = request.failure;
      return [
        `No emergency license could be generated for ${ticket}`,
        `Customer: ${request.requesterEmail}`,
        `Seats: ${request.seats}`,
        `Engineer: ${engineer}`,
        `Error: ${f ? `${f.code}: ${slackText(f.message)}` : 'unknown'}`,
        trackerLine,
        `Fix the cause, then \`lifeline retry ${request.id}\`.`,
      ]
        .filter((line): line is string => line !== null)
        .join('\n');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// §6.4 ticket note (internal)

/** The ticket's internal note. Never the license text. */
export function buildTicketNote(ctx: MessageContext): string {
  const { request, license, delivery } = ctx;
  const tracker = trackerLink(ctx.tracker);
  const trackerLine = tracker ? `Tracker issue: ${tracker}` : null;
  const join = (lines: (string | null)[]): string => lines.filter((l): l is string => l !== null).join('\n');

  switch (delivery.purpose) {
    case 'issue':
    case 'decision': {
      if (delivery.purpose === 'decision' && request.decision?.decision !== 'approved') {
        const d = request.decision;
        return join([
          'Emergency license request rejected.',
          d ? `Rejected by ${d.by}${d.reason ? `: ${oneLine(d.reason)}` : ''}.` : null,
          'No license was issued.',
        ]);
      }
      const l = requireLicense(ctx, 'The ticket note');
      return join([
        'Emergency license generated (10-day Ultimate trial).',
        `Seats: ${l.seats}`,
        `Expires: ${l.expiresAt} (works through ${lastWorkingDay(l.expiresAt)})`,
        `Emailed to: ${l.email}`,
        overrideInWords(request),
        trackerLine,
      ]);
    }
    case 'resend':
      return join([
        'Emergency license resent (the same license; no new one was generated).',
        `Emailed to: ${emailRecipient(ctx)}`,
        trackerLine,
      ]);
    case 'pending':
      return join([
        'Emergency license requested with an override; waiting for approval by the licensing team.',
        `Seats: ${request.seats}`,
        trackerLine,
      ]);
    case 'void': {
      const v = request.voided;
      return join([
        `Emergency license voided${v ? ` by ${v.by}: ${oneLine(v.reason)}` : ''}.`,
        `Note: ${CANNOT_REVOKE}; it keeps working until it expires` +
          (license ? ` on ${license.expiresAt}.` : '.'),
        trackerLine,
      ]);
    }
    case 'email_failed':
    case 'email_unknown':
      return join([emailProblem(delivery.purpose, emailRecipient(ctx), null, request.id), trackerLine]);
    case 'failure': {
      const f = request.failure;
      return join([
        `No emergency license could be generated${f ? ` (${f.code})` : ''}; the licensing team has been told.`,
        trackerLine,
      ]);
    }
  }
}
