/**
 * A request's events (its audit entries) in words for people (issue 20 item 9): "Email sent to
 * ops@acme.example (attempt 2)", "Tracker issue #412 closed", "License replaced by req_…". Pure:
 * the words come from the entry's details and the request's records.
 */
import { channelNamed } from '../deliveries/channels/index.js';
import { issueNumber } from '../deliveries/channels/tracker.js';
import type { AuditEntry, DeliveryRecord } from '../ports.js';
import type { RequestView } from './view.js';

type Details = AuditEntry['details'];

const str = (d: Details, key: string): string | null => {
  const v = d[key];
  return typeof v === 'string' && v !== '' ? v : null;
};
const num = (d: Details, key: string): number | null => {
  const v = d[key];
  return typeof v === 'number' ? v : null;
};
const codes = (d: Details, key: string): string[] => {
  const v = d[key];
  return Array.isArray(v) ? v.filter((c): c is string => typeof c === 'string') : [];
};
/** ": “why”" when there is a reason. */
const because = (d: Details): string => (str(d, 'reason') ? `: “${str(d, 'reason')}”` : '');
/** The person of an audit actor ("erin (engineer)" → "erin"). */
const who = (actor: string): string => actor.replace(/ \([a-z]+\)$/, '');

function licenseWords(d: Details): string {
  const seats = num(d, 'seats');
  const expires = str(d, 'expiresAt');
  return [seats === null ? null : `${seats} seats`, expires ? `expires ${expires}` : null]
    .filter((p) => p !== null)
    .join(', ');
}

function failureWords(d: Details): string {
  const failure = d['failure'];
  const code =
    failure && typeof failure === 'object' && !Array.isArray(failure) ? str(failure, 'code') : null;
  return code ? ` (${code})` : '';
}

const attemptWords = (d: Details): string => {
  const n = num(d, 'attempts');
  return n !== null && n > 1 ? ` (attempt ${n})` : '';
};

/** What a delivery that was sent did, in words. */
function sentWords(d: Details, delivery: DeliveryRecord | undefined, view: RequestView): string {
  const channel = str(d, 'channel');
  const purpose = str(d, 'purpose');
  const followUp = purpose === 'follow_up';
  const number = issueNumber(delivery?.externalRef ?? view.tracker?.iid ?? null);
  const issue = number ? `tracker issue ${number}` : 'the tracker issue';
  const Issue = number ? `Tracker issue ${number}` : 'The tracker issue';
  switch (channel) {
    case 'email': {
      const to = delivery?.recipient ?? view.request.requesterEmail;
      return `${purpose === 'resend' ? 'Copy of the license emailed' : 'Email sent'} to ${to}${attemptWords(d)}`;
    }
    case 'tracker':
      if (purpose === 'issue') return `${Issue} closed (license recorded)`;
      if (purpose === 'failure') return `${Issue} opened (no license could be generated)`;
      return `${followUp ? 'Follow-up note' : 'Note'} added to ${issue}`;
    case 'chat':
      if (followUp) return 'Follow-up posted for the team';
      return purpose === 'decision'
        ? "Team told in the thread of the request's post"
        : `Team notified${purpose === 'pending' ? ' (approval needed)' : ''}`;
    case 'ticket':
      return `${followUp ? 'Follow-up note' : 'Internal note'} added to ticket #${view.request.ticketId}`;
    default:
      return `${channel ?? 'Delivery'} sent`;
  }
}

/** "Email to the customer", "Ticket note"… */
const labelOf = (d: Details): string => channelNamed(str(d, 'channel') ?? '')?.label ?? 'Delivery';

export function eventInWords(event: AuditEntry, view: RequestView): string {
  const d = event.details;
  const delivery = view.deliveries.find((x) => x.id === str(d, 'deliveryId'));
  const by = who(event.actor);
  switch (event.action) {
    case 'request.refused':
      return `Refused by the rules (${codes(d, 'codes').join(', ') || 'no code'})`;
    case 'request.pending_approval': {
      const list = codes(d, 'overriddenCodes').join(', ');
      return `Override asked by ${by}${list ? ` (${list})` : ''}: waiting for licensing`;
    }
    case 'license.issued':
      return `License issued: ${licenseWords(d)}`;
    case 'license.failed':
      return `No license could be generated${failureWords(d)}`;
    case 'request.approved':
      return `Override approved by ${by}${because(d)}; license issued: ${licenseWords(d)}`;
    case 'request.rejected':
      return `Override rejected by ${by}${because(d)}`;
    case 'request.voided':
      return `Voided by ${by}${because(d)}`;
    case 'request.replaced':
      return `License replaced by ${str(d, 'replacedBy') ?? 'a new request'}${because(d)}`;
    case 'license.replacement_issued':
      return `License issued to replace ${str(d, 'replaces') ?? 'an earlier request'}: ${licenseWords(d)}`;
    case 'license.resend': {
      const copy = view.deliveries.find(
        (x) => x.channel === 'email' && x.purpose === 'resend' && x.createdAt === event.at,
      );
      return `License sent again by ${by}${copy?.recipient ? ` to ${copy.recipient}` : ''}`;
    }
    case 'license.retried':
      return `Run again by ${by}: license issued: ${licenseWords(d)}`;
    case 'license.retry_failed':
      return `Run again by ${by}: still no license${failureWords(d)}`;
    case 'delivery.sent':
      return sentWords(d, delivery, view);
    case 'delivery.failed':
      return `${labelOf(d)} failed${attemptWords(d)}: ${str(d, 'error') ?? 'no reason recorded'}`;
    case 'delivery.unknown':
      return `${labelOf(d)}: outcome unknown${attemptWords(d)} (${str(d, 'error') ?? 'no reason recorded'})`;
    case 'delivery.retried':
      return `${labelOf(d)} queued again by ${by}${because(d)}`;
    case 'delivery.acknowledged':
      return `${labelOf(d)} settled by hand by ${by}${because(d)}`;
    default:
      return event.action;
  }
}
