/** The issue form's fields: their input ids, the request body they make, and what a license fills in. */
import type { LicenseReport } from '../api.js';
import { readForm, understoodValue, type CountField } from './readings.js';

export interface Fields {
  ticketId: string;
  ticketUrl: string;
  requesterEmail: string;
  seats: string;
  plan: string;
  expiresAt: string;
  previousSeats: string;
  maximumUsers: string;
  billableUsers: string;
  previousLicense: string;
}

export const EMPTY_FIELDS: Fields = {
  ticketId: '',
  ticketUrl: '',
  requesterEmail: '',
  seats: '',
  plan: '',
  expiresAt: '',
  previousSeats: '',
  maximumUsers: '',
  billableUsers: '',
  previousLicense: '',
};

/** The form as it opens: the ticket and its requester as given, the rest empty. */
export const prefilled = (
  prefill: { ticketId?: string; ticketUrl?: string; requesterEmail?: string } = {},
): Fields => ({
  ...EMPTY_FIELDS,
  ticketId: prefill.ticketId ?? '',
  ticketUrl: prefill.ticketUrl ?? '',
  requesterEmail: prefill.requesterEmail ?? '',
});

/** Input ids by API field name, to focus the field an error names. */
export const FIELD_IDS: Record<string, string> = {
  ticketId: 'issue-ticket',
  ticketUrl: 'issue-ticket-url',
  requesterEmail: 'issue-email',
  seats: 'issue-seats',
  plan: 'issue-plan',
  expiresAt: 'issue-expires',
  previousSeats: 'issue-previous-seats',
  maximumUsers: 'issue-maximum-users',
  billableUsers: 'issue-billable-users',
  previousLicense: 'issue-license',
  overrideReason: 'issue-override-reason',
};

export const focusField = (field: string | undefined): void => {
  const id = field ? FIELD_IDS[field] : undefined;
  if (id) document.getElementById(id)?.focus();
};

/** The three fields without which nothing can be judged. */
export const isReady = (fields: Fields): boolean =>
  fields.ticketId.trim() !== '' && fields.requesterEmail.trim() !== '' && fields.seats.trim() !== '';

/** Unreadable counts go as typed (whole numbers as numbers), so that rule 1 names the field. */
function numberish(value: string): number | string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return /^\d{1,9}$/.test(v) ? Number(v) : v;
}

/** The request as the API takes it: each field as understood (readings.ts), else as typed. */
export function bodyOf(fields: Fields): Record<string, unknown> {
  const read = readForm(fields);
  const ticket = understoodValue(read.ticketId);
  const count = (field: CountField) => understoodValue(read[field]) ?? numberish(fields[field]);
  const body: Record<string, unknown> = {
    ticketId: ticket?.id ?? fields.ticketId.trim(),
    requesterEmail: understoodValue(read.requesterEmail) ?? fields.requesterEmail.trim(),
    seats: count('seats') ?? '',
  };
  const optional: Record<string, unknown> = {
    // A pasted ticket link is the ticket's URL too, unless one was given.
    ticketUrl: fields.ticketUrl.trim() || ticket?.url || undefined,
    plan: fields.plan.trim() || undefined,
    expiresAt: fields.expiresAt.trim() || undefined,
    previousSeats: count('previousSeats'),
    maximumUsers: count('maximumUsers'),
    billableUsers: count('billableUsers'),
    // Sent exactly as given: its fingerprint identifies it (e.g. as one of Lifeline's own).
    previousLicense: fields.previousLicense.trim() === '' ? undefined : fields.previousLicense,
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) body[k] = v;
  return body;
}

/** A valid previous license fills the plan, the expiry and the previous seats. */
export const filledFromLicense = (fields: Fields, report: LicenseReport): Fields => ({
  ...fields,
  plan: report.plan ?? fields.plan,
  expiresAt: report.expiresAt ?? fields.expiresAt,
  previousSeats: report.activeUserCount !== null ? String(report.activeUserCount) : fields.previousSeats,
});
