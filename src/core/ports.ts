/**
 * The ports: everything the use cases need from the outside world, as small interfaces. Use cases
 * receive them as arguments and never see a database client, a request object or the clock.
 */
import type { KeyObject } from 'node:crypto';
import type { CalendarDate } from './dates.js';
import type { EligibilityResult, RecentLicense } from './eligibility/index.js';
import type { JsonObject, LicenseJson } from './license/attributes.js';
import type { RequestSearch } from './issuance/search.js';
import type { EncodedLicense } from './license/codec.js';
import type { ScreenshotsUsed } from './evidence/used.js';
import type { LicenseError } from './license/errors.js';
import type { Result } from './result.js';

/** The roles, lowest first (PRODUCT.md §2). */
export const ROLES = ['engineer', 'licensing', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The interfaces a request can be made from (PRODUCT.md §8), shown on its record as "Made from". */
export const REQUEST_INTERFACES = ['sidebar', 'console', 'api', 'cli'] as const;
export type RequestInterface = (typeof REQUEST_INTERFACES)[number];

/** Who acts: recorded with every request and audit entry. */
export interface Actor {
  name: string;
  role: Role;
  /** The interface the call came through (set by each interface when it authenticates). */
  via?: RequestInterface;
  /** Set when a signed request (the Zendesk sidebar's JWT) says where the call comes from. */
  origin?: RequestOrigin;
}

/** The claims of a Zendesk sidebar signed request, kept with the request it made (PRODUCT.md §10). */
export interface RequestOrigin {
  via: 'zendesk';
  /** The ticket the sidebar was on; a request for another ticket is refused. */
  ticketId: string | null;
  agentEmail: string | null;
  agentName: string | null;
}

/**
 * A request's life: `issued` (license made), `pending_approval` (an engineer's override waits for
 * licensing), `rejected` (licensing said no), `refused` (eligibility said no), `failed` (no license
 * could be generated; may be retried), `voided` (issued, then voided by licensing).
 */
export const REQUEST_STATUSES = [
  'issued',
  'pending_approval',
  'rejected',
  'refused',
  'failed',
  'voided',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/**
 * Statuses that hold the ticket: a ticket has at most one request in one of these that was not
 * replaced (`holdsTicket`). A replace hands the ticket on to the new request (PRODUCT.md §12).
 */
export const TICKET_HOLDING_STATUSES: readonly RequestStatus[] = ['issued', 'pending_approval', 'voided'];

export const holdsTicket = (r: Pick<RequestRecord, 'status' | 'replacedBy'>): boolean =>
  TICKET_HOLDING_STATUSES.includes(r.status) && !r.replacedBy;

/** What the request's eligibility was decided on (never a license text). */
export interface Evidence {
  source: 'license' | 'typed' | 'none';
  plan: string | null;
  expiresAt: CalendarDate | null;
  previousSeats: number | null;
  maximumUsers: number | null;
  billableUsers: number | null;
  /**
   * The image attachments (the screenshots of step 1) the ticket carried when the request was made;
   * null when the ticket system was not asked or did not answer; absent on older requests.
   */
  ticketImages?: number | null;
  /** The previous license, when one was given: its fingerprint and what it says. */
  previousLicense: {
    fingerprint: string;
    json: LicenseJson;
    licenseeEmail: string | null;
    licenseeCompany: string | null;
    subscriptionId: string | null;
  } | null;
  /** The customer's screenshots as Lifeline read them, and what the engineer changed (issue 21). */
  screenshots?: ScreenshotsUsed | null;
}

export interface Override {
  reason: string;
  by: string;
  role: Role;
  codes: string[];
}

export interface Decision {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  reason: string | null;
}

export interface RequestRecord {
  id: string;
  ticketId: string;
  ticketUrl: string | null;
  requesterEmail: string;
  engineer: string;
  actorRole: Role;
  seats: number;
  /** The issue date: `today` in the support time zone when the request was made. */
  issueDate: CalendarDate;
  status: RequestStatus;
  evidence: Evidence;
  eligibility: EligibilityResult;
  override: Override | null;
  decision: Decision | null;
  failure: { code: string; message: string } | null;
  voided: { reason: string; by: string; at: string } | null;
  /** Where the request came from, when a signed request said so. */
  origin?: RequestOrigin | null;
  /** The interface the request was made from; absent for requests made before it was recorded. */
  madeFrom?: RequestInterface | null;
  /** True when the caller pinned the decision date (LIFELINE_ALLOW_PINNED_DATES; audited). */
  datePinned?: boolean;
  /** The request this one replaced, and the one that replaced it (PRODUCT.md §12). */
  replaces?: string | null;
  replacedBy?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LicenseRecord {
  id: string;
  requestId: string;
  /** The license file's text, exactly as emailed. */
  text: string;
  /** `licenseFingerprint(text)`: SHA-256, hex, of the base64 payload without framing or whitespace. */
  fingerprint: string;
  fileName: string;
  email: string;
  seats: number;
  issuedAt: CalendarDate;
  expiresAt: CalendarDate;
  createdAt: string;
}

/** The channels' names, from the catalogue (src/core/deliveries/channels/index.ts). */
export type { DeliveryChannel } from './deliveries/channels/index.js';
import type { DeliveryChannel } from './deliveries/channels/index.js';
/**
 * `queued` (due at nextAttemptAt) → `claimed` by a worker (leased until claimedUntil) → for email,
 * chat and ticket notes, `sending` just before the channel is called → `sent`, `failed` (permanent, with the reason), `unknown`
 * (email whose outcome is unknown: a human decides), or back to `queued` with a backoff.
 */
export const DELIVERY_STATUSES = ['queued', 'claimed', 'sending', 'sent', 'failed', 'unknown'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Why a delivery exists: the first delivery of an issued license, a resend, a void or a failure report. */
export type DeliveryPurpose =
  | 'issue'
  | 'resend'
  | 'void'
  | 'failure'
  | 'pending'
  | 'decision'
  /**
   * A later change of the license email (its final state: sent, failed, unknown) that an earlier
   * chat post, ticket note or the tracker issue did not state (src/core/deliveries/follow-ups.ts).
   */
  | 'follow_up'
  /** Earlier versions' tracker notes that an email failed or had an unknown outcome (now follow-ups). */
  | 'email_failed'
  | 'email_unknown';

export interface DeliveryRecord {
  id: string;
  requestId: string;
  channel: DeliveryChannel;
  purpose: DeliveryPurpose;
  status: DeliveryStatus;
  /** The email address the delivery is about: the email's recipient, and the same on its siblings. */
  recipient: string | null;
  /** A follow-up's email delivery (the one whose final state it reports); null otherwise. */
  about?: string | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  /** The channel's reference once sent: tracker issue iid, Slack ts, SMTP response. */
  externalRef: string | null;
  /** Where people can see it once sent, when known: the tracker issue, the Slack permalink, the ticket. */
  externalUrl?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** How a claimed delivery ended, as the worker records it. */
export interface DeliveryCompletion {
  status: 'queued' | 'sent' | 'failed' | 'unknown';
  lastError: string | null;
  /** For `queued`: when to try again. */
  nextAttemptAt: string | null;
  externalRef: string | null;
  externalUrl?: string | null;
  updatedAt: string;
}

/** The tracker issue of a request, once created. */
export interface TrackerLink {
  iid: string;
  url: string | null;
}

/** One entry of the append-only, hash-chained audit trail. Never a license text or a secret. */
export interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  requestId: string | null;
  details: JsonObject;
  detailsDigest: string;
  prevHash: string;
  hash: string;
}
export type NewAuditEntry = Pick<AuditEntry, 'id' | 'at' | 'actor' | 'action' | 'requestId' | 'details'>;

/**
 * What a human should look at (the dashboard's links): a delivery failed for good, a license email
 * whose outcome is unknown (neither replaced nor acknowledged, as `lifeline status` counts them), or
 * deliveries not finished yet.
 */
export const REQUEST_ATTENTION = ['failed_delivery', 'unknown_email', 'delivering'] as const;
export type RequestAttention = (typeof REQUEST_ATTENTION)[number];

export interface RequestQuery {
  /** The one search box (core/issuance/search.ts), parsed. */
  search?: RequestSearch;
  attention?: RequestAttention;
  email?: string;
  ticketId?: string;
  /** The engineer recorded on the request (exact). */
  engineer?: string;
  status?: RequestStatus;
  /** Inclusive bounds on the creation instant (ISO 8601). */
  createdFrom?: string;
  createdTo?: string;
  limit?: number;
  /** Return requests created before this request id's position (newest first paging). */
  before?: string;
}

/** What the dashboard needs of one request (PRODUCT.md §8 web console). */
export interface RequestSummary {
  status: RequestStatus;
  createdAt: string;
  /** The refusal codes, for refused requests. */
  refusalCodes: string[];
  /** When the first license email was sent, if it was. */
  emailSentAt: string | null;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first broken link, when not ok. */
  brokenAt?: { seq: number; reason: string };
}

/** The writes of one transaction. */
export interface StoreTransaction {
  /** Inserts a request; a request in a ticket-holding status claims its ticket. */
  insertRequest(record: RequestRecord): Promise<'inserted' | 'ticket_taken'>;
  /** Moves a request from one status to another; false when it was not in `from` (lost a race). */
  transitionRequest(
    id: string,
    from: RequestStatus,
    patch: Partial<
      Pick<RequestRecord, 'status' | 'decision' | 'failure' | 'voided' | 'override' | 'replacedBy'>
    > & {
      updatedAt: string;
    },
  ): Promise<boolean>;
  /** Stores the license of a request already inserted, filed under its customer's keys (rule 9). */
  insertLicense(record: LicenseRecord): Promise<void>;
  insertDeliveries(records: readonly DeliveryRecord[]): Promise<void>;
  /** The request's deliveries as this transaction sees them, in creation order. */
  listDeliveries(requestId: string): Promise<DeliveryRecord[]>;
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Records how a claimed delivery ended; false when this worker no longer holds its claim. */
  completeDelivery(id: string, workerId: string, completion: DeliveryCompletion): Promise<boolean>;
  setTrackerLink(requestId: string, link: TrackerLink): Promise<void>;
}

/** The durable store: requests, licenses, deliveries and the audit trail. */
export interface Store {
  /** Runs `work` in one transaction: every write in it commits together, or none does. */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  getRequest(id: string): Promise<RequestRecord | null>;
  findTicketHolder(ticketId: string): Promise<RequestRecord | null>;
  findRequests(query: RequestQuery): Promise<RequestRecord[]>;
  getLicenseForRequest(requestId: string): Promise<LicenseRecord | null>;
  /** By the license's fingerprint (hex), or a fingerprint it was known by before. */
  findLicenseByFingerprint(fingerprint: string): Promise<LicenseRecord | null>;
  listDeliveries(requestId: string): Promise<DeliveryRecord[]>;
  listAudit(filter: { requestId?: string }): Promise<AuditEntry[]>;
  /**
   * Licenses issued on or after `since` and filed under any of `keys` (customerKeys: the store files
   * each license under recentLicenseKeys when it is inserted), with what rule 9 compares. The rule
   * decides which of them are the same customer; no keys, no licenses.
   */
  recentLicenses(since: CalendarDate, keys: readonly string[]): Promise<RecentLicense[]>;
  verifyAudit(): Promise<AuditVerification>;
  /** One summary per request created within the bounds (inclusive ISO instants), for the dashboard. */
  requestSummaries(range: { createdFrom: string; createdTo: string }): Promise<RequestSummary[]>;
  /**
   * Claims up to `limit` deliveries that are due (queued with nextAttemptAt ≤ now, or claimed by a
   * worker whose lease expired), leasing them to `workerId` until `leaseUntil`. Each delivery is
   * claimed by one worker at a time. A delivery left `sending` by a worker that stopped comes back
   * still `sending`, so the worker records it `unknown` (it may have arrived) instead of repeating
   * it. With `requestId`, only
   * that request's deliveries are claimed.
   */
  claimDueDeliveries(
    now: string,
    leaseUntil: string,
    workerId: string,
    limit: number,
    requestId?: string,
  ): Promise<DeliveryRecord[]>;
  /** Marks a claimed delivery as being handed to its channel; false when the claim was lost. */
  markSending(id: string, workerId: string, updatedAt: string): Promise<boolean>;
  /** Deliveries not finished yet (queued, claimed or sending), and the earliest due moment. */
  pendingDeliveries(requestId?: string): Promise<{ count: number; nextDueAt: string | null }>;
  getTrackerLink(requestId: string): Promise<TrackerLink | null>;
  close(): Promise<void>;
}

/** Issue/resend calls counted per user and per customer (PRODUCT.md §10). */
export interface RateLimiter {
  take(
    actor: Actor,
    customerEmail: string | null,
    nowMs: number,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new unique id with a prefix, e.g. `req_…`, `lic_…`. */
  next(prefix: 'req' | 'lic' | 'dlv' | 'aud' | 'evd'): string;
}

/** Signs license attributes with the operator's private key. */
export interface LicenseSigner {
  readonly privateKey: KeyObject;
  /** True for the development key generated by the embedded default. */
  readonly development: boolean;
  /**
   * Writes a license as `encodeLicense(attributes, privateKey)` does, off the event loop (signing
   * threads); absent, licenses are written in place with `privateKey`.
   */
  readonly encode?: (attributes: LicenseJson) => Promise<Result<EncodedLicense, LicenseError>>;
}

/** Verifies customers' previous licenses. */
export interface LicenseVerifier {
  readonly publicKeys: readonly KeyObject[];
}

/** An image attached to a ticket, as the ticket system lists it. */
export interface TicketImage {
  id: string;
  fileName: string;
  contentType: string;
  /** Bytes, when the ticket system says. */
  size: number | null;
}

/** The ticket system, when connected: evidence of the screenshots of step 1. */
export interface TicketEvidence {
  imageAttachmentCount(ticketId: string): Promise<number | null>;
  /** The ticket's image attachments, oldest first (the screenshots to read). */
  imageAttachments(ticketId: string): Promise<TicketImage[]>;
  /** One attachment's bytes; null when it is larger than `maxBytes` (never read past it). */
  downloadAttachment(ticketId: string, image: TicketImage, maxBytes: number): Promise<Uint8Array | null>;
}
