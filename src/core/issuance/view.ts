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
    override: request.override,
    decision: request.decision,
    failure: request.failure,
    voided: request.voided,
    origin: request.origin ?? null,
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
      lastError: d.lastError,
      updatedAt: d.updatedAt,
    })),
    events: view.events.map((e) => ({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      action: e.action,
      details: e.details,
    })),
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
  };
}

export { licenseFingerprint };
