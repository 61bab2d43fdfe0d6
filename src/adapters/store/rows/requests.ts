/** The `requests` row and the RequestRecord, each from the other. */
import type { CalendarDate } from '../../../core/dates.js';
import { holdsTicket, type RequestInterface, type RequestRecord } from '../../../core/ports.js';
import type { Database } from '../schema.js';
import { json, parse } from './json.js';

export function requestToRow(r: RequestRecord): Database['requests'] {
  return {
    id: r.id,
    ticket_id: r.ticketId,
    ticket_claim: holdsTicket(r) ? r.ticketId : null,
    ticket_url: r.ticketUrl,
    requester_email: r.requesterEmail,
    engineer: r.engineer,
    actor_role: r.actorRole,
    seats: r.seats,
    issue_date: r.issueDate,
    status: r.status,
    evidence: json(r.evidence),
    eligibility: json(r.eligibility),
    override: r.override ? json(r.override) : null,
    decision: r.decision ? json(r.decision) : null,
    failure: r.failure ? json(r.failure) : null,
    voided: r.voided ? json(r.voided) : null,
    tracker_iid: null,
    tracker_url: null,
    origin: r.origin ? json(r.origin) : null,
    date_pinned: r.datePinned ? 1 : 0,
    replaces: r.replaces ?? null,
    replaced_by: r.replacedBy ?? null,
    made_from: r.madeFrom ?? null,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export function rowToRequest(row: Database['requests']): RequestRecord {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    ticketUrl: row.ticket_url,
    requesterEmail: row.requester_email,
    engineer: row.engineer,
    actorRole: row.actor_role as RequestRecord['actorRole'],
    seats: Number(row.seats),
    issueDate: row.issue_date as CalendarDate,
    status: row.status as RequestRecord['status'],
    evidence: parse(row.evidence) as RequestRecord['evidence'],
    eligibility: parse(row.eligibility) as RequestRecord['eligibility'],
    override: parse(row.override),
    decision: parse(row.decision),
    failure: parse(row.failure),
    voided: parse(row.voided),
    origin: parse(row.origin ?? null),
    datePinned: Number(row.date_pinned ?? 0) === 1,
    replaces: row.replaces ?? null,
    replacedBy: row.replaced_by ?? null,
    ...(row.made_from ? { madeFrom: row.made_from as RequestInterface } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
