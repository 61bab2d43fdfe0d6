/** A request with everything known about it: what lookup, the CLI and the API show. */
import { licenseFingerprint } from '../license/codec.js';
import type {
  AuditEntry,
  DeliveryRecord,
  LicenseRecord,
  RequestRecord,
  Store,
  TrackerLink,
} from '../ports.js';
import { channelNamed } from '../deliveries/channels/index.js';
import { eventInWords } from './events.js';
import type { EligibilityResult } from '../eligibility/index.js';

export interface RequestView {
  request: RequestRecord;
  license: LicenseRecord | null;
  deliveries: DeliveryRecord[];
  events: AuditEntry[];
  /** The tracker issue, once created. */
  tracker: TrackerLink | null;
}

export async function loadRequestView(store: Store, request: RequestRecord): Promise<RequestView> {
  const [license, deliveries, events, tracker] = await Promise.all([
    store.getLicenseForRequest(request.id),
    store.listDeliveries(request.id),
    store.listAudit({ requestId: request.id }),
    store.getTrackerLink(request.id),
  ]);
  return { request, license, deliveries, events, tracker };
}

/**
 * What the request was decided on, for the approver's page: the values the rules used (from the
 * license file when there was one, else as typed), the user counts, the screenshots on the ticket
 * and the previous license's licensee (never its text or JSON).
 */
function evidenceJson(request: RequestRecord): Record<string, unknown> | null {
  const e = request.evidence;
  if (!e) return null;
  const facts = request.eligibility?.facts;
  const previous = e.previousLicense;
  return {
    source: facts?.source ?? e.source,
    plan: facts?.plan ?? e.plan,
    trial: facts?.trial ?? null,
    expiresAt: facts?.expiresAt ?? e.expiresAt,
    previousSeats: facts?.previousSeats ?? e.previousSeats,
    maximumUsers: e.maximumUsers,
    billableUsers: e.billableUsers,
    ticketImages: e.ticketImages ?? null,
    previousLicense: previous ? (({ json: _json, ...said }) => said)(previous) : null,
  };
}

/** The record shape of PRODUCT.md §8 (`issue --json`), shared by the CLI and the API. */
export function recordJson(view: RequestView, existing: boolean): Record<string, unknown> {
  const { request, license } = view;
  return {
    id: request.id,
    status: request.status,
    existing,
    ticketId: request.ticketId,
    ticketUrl: request.ticketUrl,
    requesterEmail: request.requesterEmail,
    engineer: request.engineer,
    seats: request.seats,
    issueDate: request.issueDate,
    license: license
      ? {
          id: license.id,
          text: license.text,
          fingerprint: license.fingerprint,
          fileName: license.fileName,
          issuedAt: license.issuedAt,
          expiresAt: license.expiresAt,
          seats: license.seats,
        }
      : null,
    tracker: view.tracker,
    eligibility: request.eligibility,
    /** The customer's screenshots as read (issue 21) and the fields the engineer changed. */
    screenshots: request.evidence.screenshots ?? null,
    override: request.override,
    decision: request.decision,
    failure: request.failure,
    voided: request.voided,
    origin: request.origin ?? null,
    /** Which interface the request was made from (null: not recorded, before it was). */
    madeFrom: request.madeFrom ?? null,
    evidence: evidenceJson(request),
    datePinned: request.datePinned === true,
    replaces: request.replaces ?? null,
    replacedBy: request.replacedBy ?? null,
    deliveries: view.deliveries.map((d) => ({
      id: d.id,
      channel: d.channel,
      /** The channel's name for people, from the catalogue. */
      channelLabel: channelNamed(d.channel)?.label ?? d.channel,
      purpose: d.purpose,
      status: d.status,
      recipient: d.recipient,
      attempts: d.attempts,
      externalRef: d.externalRef,
      /** The sent delivery for people: words, and its link when one is known. */
      reference:
        d.status === 'sent'
          ? (channelNamed(d.channel)?.reference(d, { ticketId: request.ticketId, tracker: view.tracker }) ??
            null)
          : null,
      lastError: d.lastError,
      updatedAt: d.updatedAt,
    })),
    events: view.events.map((e) => ({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      action: e.action,
      /** The event in words. */
      text: eventInWords(e, view),
      details: e.details,
    })),
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
  };
}

/** The `check` JSON shape of PRODUCT.md §8 (`check --json`, the eligibility route, refusals). */
export function checkJson(result: EligibilityResult): Record<string, unknown> {
  return {
    eligible: result.eligible,
    overridable: result.overridable,
    refusals: result.refusals,
    warnings: result.warnings,
    facts: result.facts,
  };
}

export { licenseFingerprint };
