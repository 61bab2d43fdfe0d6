/**
 * §6.2 the licensing team's tracker issue (GitLab Markdown) and the notes added to it later.
 * Titles and label are exact; every other value goes through `gitlabMarkdown`.
 */
import type { DeliveryRecord, LicenseRecord, RequestRecord } from '../../ports.js';
import { webUrl } from '../../text/format.js';
import { describeScreenshots } from '../../evidence/used.js';
import { gitlabMarkdown as f } from '../../text/gitlab-markdown.js';
import { DeliveryError } from '../ports.js';
import type { ChannelDefinition } from './definition.js';
import {
  CANNOT_REVOKE,
  emailRecipient,
  failureTitle,
  followUpSentence,
  lastWorkingDay,
  requestMarker,
  seatsWord,
  successTitle,
  TRACKER_LABEL,
  type MessageContext,
} from './common.js';

/** The issue the licensing team reads (§6.2). */
export interface TrackerIssue {
  requestId: string;
  title: string;
  /** Markdown. Contains the marker `lifeline-request: <requestId>` so a crash can find it again. */
  description: string;
  labels: string[];
  confidential: true;
  /** Success issues are created closed; failure issues stay open. */
  closed: boolean;
}

export interface TrackerRef {
  /** The issue's number in the project (GitLab iid), or the local record id. */
  iid: string;
  url: string | null;
}

export interface IssueTracker {
  /** The issue already created for this request (after a crash), found by its marker; null if none. */
  findIssueForRequest(requestId: string): Promise<TrackerRef | null>;
  /**
   * Creates the request's issue, or, when one with its marker exists (a crash, or an earlier state
   * of the request such as a failure before a retry), makes that one this issue: title, description
   * and state. Never a second issue for a request.
   */
  createIssue(issue: TrackerIssue): Promise<TrackerRef>;
  /** Makes the request's existing issue this one: title, description, and closed or open. */
  updateIssue(ref: TrackerRef, issue: TrackerIssue): Promise<TrackerRef>;
  addNote(ref: TrackerRef, body: string): Promise<void>;
  verify(): Promise<string>;
}

function show(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? 'not given' : f.text(String(value));
}

function ticketLink(request: RequestRecord): string {
  return request.ticketUrl ? f.link(request.ticketUrl) : f.text(`#${request.ticketId}`);
}

/** Rule codes are Lifeline's own (`NOT_WEEKEND`); anything else is escaped. */
const ruleCode = (code: string): string => (/^[A-Z][A-Z0-9_]*$/.test(code) ? code : f.text(code));

function verdictLines(request: RequestRecord): string[] {
  const { eligibility, override } = request;
  if (eligibility.eligible) return ['- Verdict: eligible'];
  const codes = override?.codes.length ? override.codes : eligibility.refusals.map((r) => r.code);
  return [
    `- Verdict: not eligible, refusals overridden (${codes.map(ruleCode).join(', ')})`,
    ...eligibility.refusals.map((r) => `  - ${ruleCode(r.code)}: ${f.text(r.message)}`),
  ];
}

function evidenceLines(request: RequestRecord): string[] {
  const e = request.evidence;
  const lines = [
    `- Source: ${show(e.source)}`,
    `- Plan: ${show(e.plan)}`,
    `- Previous expiry: ${show(e.expiresAt)}`,
    `- Previous seats: ${show(e.previousSeats)}`,
    `- Maximum users: ${show(e.maximumUsers)}`,
    `- Billable users: ${show(e.billableUsers)}`,
  ];
  if (e.previousLicense)
    lines.push(`- Previous license fingerprint: ${f.code(e.previousLicense.fingerprint)}`);
  if (e.screenshots) {
    const said = describeScreenshots(e.screenshots);
    lines.push(
      `- Read from screenshots (${f.code(e.screenshots.evidenceId)}): ${f.text(said.read)}; changed by the engineer: ${f.text(said.changed)}`,
    );
  }
  return lines;
}

function successDescription(request: RequestRecord, license: LicenseRecord): string {
  const lines: string[] = [
    '## Emergency license',
    '',
    `- Ticket: ${ticketLink(request)}`,
    `- Customer email: ${f.text(license.email)}`,
    `- Engineer: ${f.text(request.engineer)}`,
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
    lines.push('', '### Warnings', '', ...warnings.map((w) => `- ${ruleCode(w.code)}: ${f.text(w.message)}`));
  }
  if (request.override || request.decision) {
    lines.push('', '## Override and approval', '');
    if (request.override) {
      const o = request.override;
      lines.push(`- Override by ${f.text(o.by)} (${f.text(o.role)}): ${f.text(o.reason)}`);
    }
    if (request.decision) {
      const d = request.decision;
      const reason = d.reason ? `: ${f.text(d.reason)}` : '';
      lines.push(
        `- ${d.decision === 'approved' ? 'Approved' : 'Rejected'} by ${f.text(d.by)} at ${f.text(d.at)}${reason}`,
      );
    }
  }
  if (request.voided) {
    const v = request.voided;
    lines.push(
      '',
      '## Voided',
      '',
      `- Voided by ${f.text(v.by)} at ${f.text(v.at)}: ${f.text(v.reason)}`,
      `- Note: ${CANNOT_REVOKE}.`,
    );
  }
  lines.push(
    '',
    '## License',
    '',
    `- File: ${f.code(license.fileName)}`,
    `- Fingerprint (SHA-256): ${f.code(license.fingerprint)}`,
    '',
    // The license text is Lifeline's own base64 (no backticks): a fenced block shows it as is.
    '```',
    license.text.replace(/\s+$/, ''),
    '```',
    '',
    requestMarker(request.id),
  );
  return f.lines(lines);
}

function failureLine(request: RequestRecord): string {
  const failure = request.failure;
  return failure ? `${ruleCode(failure.code)}: ${f.text(failure.message)}` : 'unknown';
}

function failureDescription(request: RequestRecord): string {
  return f.lines([
    '## No license could be generated',
    '',
    `- Ticket: ${ticketLink(request)}`,
    `- Customer email: ${f.text(request.requesterEmail)}`,
    `- Engineer: ${f.text(request.engineer)}`,
    `- Seats: ${request.seats}`,
    `- Requested on: ${request.issueDate}`,
    `- Error: ${failureLine(request)}`,
    '',
    '## What to do next',
    '',
    `1. Fix the signing key configuration (${f.code('LIFELINE_SIGNING_KEY_FILE')} or ${f.code('LIFELINE_SIGNING_KEY')}); ${f.code('lifeline doctor')} says what is wrong.`,
    `2. Run ${f.code(`lifeline retry ${request.id}`)}. No license was generated, so retrying cannot make a second one.`,
    '',
    requestMarker(request.id),
  ]);
}

/**
 * The issue for a request as it is now: success when a license exists (issued or voided), failure
 * when the request records why none could be generated. A retry that succeeds turns the failure
 * issue into this success issue (IssueTracker.updateIssue).
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
export function buildTrackerNote(ctx: MessageContext): string {
  const { request, license, delivery } = ctx;
  switch (delivery.purpose) {
    case 'resend': {
      const fingerprint = license ? ` (fingerprint ${f.code(license.fingerprint)})` : '';
      return `The same license${fingerprint} was resent to ${f.text(emailRecipient(ctx))}. No new license was generated.`;
    }
    case 'void': {
      const v = request.voided;
      const who = v ? `by ${f.text(v.by)}` : 'by licensing';
      const reason = v ? `: ${f.text(v.reason)}` : '';
      return `Voided ${who}${reason}. Note: ${CANNOT_REVOKE}; it keeps working until it expires${
        license ? ` on ${license.expiresAt}` : ''
      }.`;
    }
    case 'decision': {
      const d = request.decision;
      if (!d) return 'A decision was recorded on this request.';
      const reason = d.reason ? `: ${f.text(d.reason)}` : '';
      return d.decision === 'approved'
        ? `Override approved by ${f.text(d.by)}${reason}.`
        : `Override rejected by ${f.text(d.by)}${reason}. No license was issued.`;
    }
    case 'pending': {
      const o = request.override;
      const approve = f.code(`lifeline approve ${request.id}`);
      return o
        ? `Override by ${f.text(o.by)} (${o.codes.map(ruleCode).join(', ')}): ${f.text(o.reason)}. Waiting for licensing: ${approve}.`
        : `Waiting for licensing: ${approve}.`;
    }
    case 'failure':
      return `No license could be generated: ${failureLine(request)}. After fixing the cause, ${f.code(`lifeline retry ${request.id}`)}.`;
    case 'follow_up':
    case 'email_failed':
    case 'email_unknown':
      return (
        followUpSentence(ctx, f) ?? `The license email to ${f.text(emailRecipient(ctx))} is not sent yet.`
      );
    case 'issue':
      return license
        ? `License generated: ${seatsWord(license.seats)}, expires ${license.expiresAt}, for ${f.text(license.email)}.`
        : 'License delivery recorded.';
  }
}

/** "#412" for a GitLab issue's number; null for anything else (the local tracker's record id). */
export const issueNumber = (iid: string | null): string | null =>
  iid !== null && /^\d+$/.test(iid) ? `#${iid}` : null;

/** The delivery that creates (or updates) the request's one tracker issue; others add notes to it. */
export const opensIssue = (d: DeliveryRecord): boolean =>
  d.channel === 'tracker' && (d.purpose === 'issue' || d.purpose === 'failure');

export const trackerChannel: ChannelDefinition<'tracker', 'tracker', IssueTracker> = {
  name: 'tracker',
  label: 'Tracker issue',
  portKey: 'tracker',
  integration: 'tracker',
  purposes: ['issue', 'failure', 'void', 'resend'],
  marksSending: false,
  waitsForTracker: false,
  firstWave: opensIssue,
  verify: (port) => port.verify(),
  async send({ ctx, port }) {
    const { delivery, tracker } = ctx;
    if (opensIssue(delivery)) {
      // The request's one issue: created once; a later state (a retry that succeeded after a
      // failure) makes the same issue what the request is now.
      const issue = buildTrackerIssue(ctx);
      const ref = tracker ? await port.updateIssue(tracker, issue) : await port.createIssue(issue);
      return { externalRef: ref.iid, externalUrl: ref.url, trackerLink: ref };
    }
    if (!tracker)
      throw new DeliveryError('temporary', 'the tracker issue for this request does not exist yet');
    await port.addNote(tracker, buildTrackerNote(ctx));
    return { externalRef: tracker.iid, externalUrl: tracker.url };
  },
  reference(delivery, { tracker }) {
    const number = issueNumber(delivery.externalRef ?? tracker?.iid ?? null);
    const url = webUrl(delivery.externalUrl ?? tracker?.url ?? null);
    const where = url === null && number === null ? ' (kept locally)' : '';
    if (opensIssue(delivery)) return { text: `${number ? `Issue ${number}` : 'Tracker issue'}${where}`, url };
    return { text: `Note on ${number ? `issue ${number}` : 'the tracker issue'}${where}`, url };
  },
};
