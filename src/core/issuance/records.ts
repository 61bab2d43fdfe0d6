/** What the use cases write, built once: deliveries, audit entries, the signed license and its record. */
import type { CalendarDate } from '../dates.js';
import { encodeLicense, licenseFingerprint } from '../license/codec.js';
import type {
  Actor,
  AuditEntry,
  DeliveryChannel,
  DeliveryPurpose,
  DeliveryRecord,
  LicenseRecord,
  NewAuditEntry,
  RequestRecord,
  RequestStatus,
  StoreTransaction,
} from '../ports.js';
import { REDACTED_LICENSE_TEXT } from '../retention.js';
import type { IssuancePorts } from './context.js';
import { emergencyLicenseAttributes, emergencyLicenseFileName } from './emergency-license.js';
import { loadRequest, lostRace, requireOwnTicket, requireRole, requireStatus } from './guards.js';
import { viewOf } from './lookup.js';
import type { RequestView } from './view.js';
import { channelsFor } from '../deliveries/channels/index.js';
import { fail } from '../outcome.js';
import type { Code } from '../errors.js';
import { err, ok, type Result } from '../result.js';

export function newDeliveries(
  ports: Pick<IssuancePorts, 'ids'>,
  requestId: string,
  purpose: DeliveryPurpose,
  channels: readonly DeliveryChannel[],
  now: string,
  recipient: string | null,
): DeliveryRecord[] {
  return channels.map((channel) => ({
    id: ports.ids.next('dlv'),
    requestId,
    channel,
    purpose,
    status: 'queued',
    // The address the deliveries are about, on each: a resend's notes name where it went.
    recipient,
    attempts: 0,
    lastError: null,
    nextAttemptAt: now,
    externalRef: null,
    createdAt: now,
    updatedAt: now,
  }));
}

export function auditEntry(
  ports: Pick<IssuancePorts, 'ids'>,
  at: string,
  actor: Actor,
  action: string,
  requestId: string | null,
  details: NewAuditEntry['details'],
): NewAuditEntry {
  return {
    id: ports.ids.next('aud'),
    at,
    actor: `${actor.name} (${actor.role})`,
    action,
    requestId,
    details,
  };
}

/** The failure recorded with a request when no license could be generated (e.g. an unusable key). */
export type SigningFailure = { code: Code; message: string };

/** Signs the emergency license of a request, or says why no license could be generated. */
export async function signEmergencyLicense(
  ports: IssuancePorts,
  request: { id: string; requesterEmail: string; seats: number },
  date: CalendarDate,
  now: string,
): Promise<Result<LicenseRecord, SigningFailure>> {
  const { id: requestId, requesterEmail: email, seats } = request;
  let result: ReturnType<typeof encodeLicense>;
  try {
    const attributes = emergencyLicenseAttributes(email, seats, date);
    result = ports.signer.encode
      ? await ports.signer.encode(attributes)
      : encodeLicense(attributes, ports.signer.privateKey);
  } catch (error) {
    return err({
      code: 'KEY_UNUSABLE',
      message: `signing failed: ${error instanceof Error ? error.message : 'unknown'}`,
    });
  }
  if (!result.ok) return err({ code: result.error.code, message: result.error.message });
  const expiresAt = result.value.license.expiresAt as CalendarDate;
  return ok({
    id: ports.ids.next('lic'),
    requestId,
    text: result.value.text,
    fingerprint: licenseFingerprint(result.value.text),
    fileName: emergencyLicenseFileName(date),
    email,
    seats,
    issuedAt: date,
    expiresAt,
    createdAt: now,
  });
}

/**
 * Records the license and queues its four deliveries; shared by issue, approve and retry. For an
 * approval (`as: 'decision'`), the channels that tell a decision (the engineer's chat thread and
 * ticket) carry it as the decision, with the license.
 */
export async function recordIssuedLicense(
  tx: Parameters<Parameters<IssuancePorts['store']['transaction']>[0]>[0],
  ports: IssuancePorts,
  license: LicenseRecord,
  actor: Actor,
  action: string,
  now: string,
  extra: NewAuditEntry['details'] = {},
  as: 'issue' | 'decision' = 'issue',
): Promise<{ deliveries: DeliveryRecord[]; audit: AuditEntry }> {
  await tx.insertLicense(license);
  const deciding = as === 'decision' ? channelsFor('decision') : [];
  const deliveries = channelsFor('issue').flatMap((channel) =>
    newDeliveries(
      ports,
      license.requestId,
      deciding.includes(channel) ? 'decision' : 'issue',
      [channel],
      now,
      license.email,
    ),
  );
  await tx.insertDeliveries(deliveries);
  const audit = await tx.appendAudit(
    auditEntry(ports, now, actor, action, license.requestId, {
      licenseId: license.id,
      fingerprint: license.fingerprint,
      seats: license.seats,
      issuedAt: license.issuedAt,
      expiresAt: license.expiresAt,
      deliveriesQueued: deliveries.map((d) => d.channel),
      ...extra,
    }),
  );
  return { deliveries, audit };
}

/**
 * The view of a request this process has just stored, from the records in hand (what reading it
 * back would give at that moment: the same rows, the tracker not created yet).
 */
export function storedView(
  request: RequestRecord,
  license: LicenseRecord | null,
  deliveries: DeliveryRecord[],
  audit: AuditEntry,
): RequestView {
  return { request, license, deliveries, events: [audit], tracker: null };
}

/** Thrown inside the transaction when another request holds the ticket; rolls everything back. */
export class TicketTaken extends Error {}

/** Runs `work` in one transaction; null when another request holds the ticket (nothing stored). */
export async function inTransactionUnlessTaken<T>(
  ports: IssuancePorts,
  work: (tx: Parameters<Parameters<IssuancePorts['store']['transaction']>[0]>[0]) => Promise<T>,
): Promise<T | null> {
  try {
    return await ports.store.transaction(work);
  } catch (error) {
    if (error instanceof TicketTaken) return null;
    throw error;
  }
}

export interface DecisionInput {
  requestId: string;
  actor: Actor;
  reason?: string | null;
  today?: CalendarDate;
}

/** A license whose text the retention purge removed cannot be sent or downloaded again. */
export function assertLicenseKept(text: string, requestId: string): void {
  if (text === REDACTED_LICENSE_TEXT) {
    fail(
      'INVALID_STATE',
      `request ${requestId}: the license text was removed by the retention purge; issue a new request instead`,
    );
  }
}

/** A licensing decision that needs a reason and moves a request from one status to another. */
export async function closeWithReason(
  input: DecisionInput,
  ports: IssuancePorts,
  step: {
    verb: 'reject' | 'void';
    from: RequestStatus;
    patch: (by: string, at: string, reason: string) => Parameters<StoreTransaction['transitionRequest']>[2];
    purpose: 'decision' | 'void';
    action: string;
  },
): Promise<RequestView> {
  requireRole(input.actor, ['licensing'], `${step.verb} a request`);
  const reason = (input.reason ?? '').trim();
  if (reason.length < 5)
    fail('VALIDATION_FAILED', 'reason: say why (at least 5 characters)', {
      field: 'reason',
    });
  const request = await loadRequest(ports, input.requestId);
  requireOwnTicket(input.actor, request);
  requireStatus(request, [step.from], step.verb === 'void' ? 'voided' : 'rejected');
  const now = ports.clock.now().toISOString();
  await ports.store.transaction(async (tx) => {
    const moved = await tx.transitionRequest(
      request.id,
      step.from,
      step.patch(input.actor.name, now, reason),
    );
    if (!moved) lostRace(request);
    await tx.insertDeliveries(
      newDeliveries(ports, request.id, step.purpose, channelsFor(step.purpose), now, null),
    );
    await tx.appendAudit(auditEntry(ports, now, input.actor, step.action, request.id, { reason }));
  });
  return viewOf(ports, request.id);
}
