/**
 * Issuing an emergency license (PRODUCT.md §3–§7): validate → check eligibility → build the §5
 * license → store request, license, deliveries and audit in ONE transaction. Idempotent per ticket:
 * the database's unique ticket claim, not memory, guarantees one license per ticket across processes.
 */
import { addDays, type CalendarDate } from '../dates.js';
import {
  checkEligibility,
  customerKeys,
  licenseIdentity,
  validateOverrideReason,
  type EligibilityRequest,
  type EligibilityResult,
  type Finding,
  type RefusalCode,
} from '../eligibility/index.js';
import { LifelineError } from '../errors.js';
import { TICKET_ID_MAX_LENGTH } from '../limits.js';
import { licenseeField, type License } from '../license/attributes.js';
import {
  decodeLicense,
  encodeLicense,
  legacyLicenseFingerprint,
  licenseFingerprint,
} from '../license/codec.js';
import type {
  Actor,
  AuditEntry,
  DeliveryChannel,
  DeliveryPurpose,
  DeliveryRecord,
  Evidence,
  LicenseRecord,
  NewAuditEntry,
  RequestRecord,
} from '../ports.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import { emergencyLicenseAttributes, emergencyLicenseFileName } from './emergency-license.js';
import { countCall, decisionDate, ownAddresses, pinnedDetails, type DecisionDate } from './guards.js';
import { loadRequestView, type RequestView } from './view.js';

export interface IssueInput {
  request: EligibilityRequest;
  /** The customer's expired license file (text), the strongest evidence. */
  previousLicenseText?: string | null;
  overrideReason?: string | null;
  actor: Actor;
  /** Pinned date; otherwise today in the support time zone. */
  today?: CalendarDate;
}

export type IssueOutcome =
  | { kind: 'issued'; view: RequestView }
  | { kind: 'existing'; view: RequestView }
  | { kind: 'pending_approval'; view: RequestView }
  /** `view` is null when nothing was stored (invalid input). */
  | { kind: 'refused'; eligibility: EligibilityResult; view: RequestView | null }
  | { kind: 'failed'; view: RequestView };

export const ALL_CHANNELS: readonly DeliveryChannel[] = ['email', 'tracker', 'chat', 'ticket'];

interface Prepared {
  today: DecisionDate;
  eligibility: EligibilityResult;
  evidence: Evidence;
}

function previousLicenseFinding(code: string, message: string): Finding<RefusalCode> {
  return {
    code: 'INPUT_INVALID',
    field: 'previousLicense',
    message: `The previous license cannot be used as evidence: ${message} (${code}).`,
  };
}

/** Decodes the previous license and gathers the facts the rules need; stores nothing. */
async function prepare(
  input: IssueInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Promise<Prepared> {
  const decided = decisionDate(ports, settings, input.today);
  const date = decided.date;
  let previous: {
    license: License;
    fingerprint: string;
    legacyFingerprint: string;
    json: Evidence['previousLicense'];
  } | null = null;
  let licenseProblem: Finding<RefusalCode> | null = null;
  if (typeof input.previousLicenseText === 'string' && input.previousLicenseText.trim() !== '') {
    const decoded = decodeLicense(input.previousLicenseText, ports.verifier.publicKeys);
    if (decoded.ok) {
      const fingerprint = licenseFingerprint(input.previousLicenseText);
      const license = decoded.value.license;
      const subscription = license.restrictions?.['subscription_id'];
      previous = {
        license,
        fingerprint,
        legacyFingerprint: legacyLicenseFingerprint(input.previousLicenseText),
        json: {
          fingerprint,
          json: decoded.value.json,
          licenseeEmail: licenseeField(license, 'Email') || null,
          licenseeCompany: licenseeField(license, 'Company') || null,
          subscriptionId: typeof subscription === 'string' && subscription !== '' ? subscription : null,
        },
      };
    } else {
      licenseProblem = previousLicenseFinding(decoded.error.code, decoded.error.message);
    }
  } else if (input.previousLicenseText !== undefined && input.previousLicenseText !== null) {
    licenseProblem = previousLicenseFinding('MALFORMED_ENVELOPE', 'the license text is empty');
  }

  const issuedByLifeline = previous ? await ports.store.findLicenseByFingerprint(previous.fingerprint) : null;
  const ticketId = typeof input.request.ticketId === 'string' ? input.request.ticketId : null;
  const rawTicket = input.request.ticketId;
  const keys = customerKeys(
    {
      ticketId:
        typeof rawTicket === 'string' ? rawTicket : typeof rawTicket === 'number' ? String(rawTicket) : null,
      requesterEmail: typeof input.request.requesterEmail === 'string' ? input.request.requesterEmail : null,
      ...licenseIdentity(previous),
    },
    { publicEmailDomains: settings.eligibility.publicEmailDomains },
  );
  const [recentLicenses, ticketImageCount] = await Promise.all([
    ports.store.recentLicenses(addDays(date, -settings.eligibility.repeatWindowDays), keys),
    ports.tickets && ticketId && ticketId.length <= TICKET_ID_MAX_LENGTH
      ? ports.tickets.imageAttachmentCount(ticketId)
      : Promise.resolve(null),
  ]);
  let eligibility = checkEligibility(
    input.request,
    {
      today: date,
      previousLicense: previous
        ? {
            license: previous.license,
            fingerprint: previous.fingerprint,
            issuedByLifelineRequestId: issuedByLifeline?.requestId ?? null,
          }
        : null,
      recentLicenses,
      ticketImageCount,
      ownAddresses: ownAddresses(
        input.actor,
        typeof input.request.engineer === 'string' ? input.request.engineer : null,
      ),
    },
    settings.eligibility,
  );
  const extraInputProblems: Finding<RefusalCode>[] = [];
  if (licenseProblem) extraInputProblems.push(licenseProblem);
  if (input.overrideReason !== undefined && input.overrideReason !== null) {
    const problem = validateOverrideReason(input.overrideReason);
    if (problem)
      extraInputProblems.push({ code: 'INPUT_INVALID', field: 'overrideReason', message: problem.message });
  }
  if (extraInputProblems.length > 0) {
    // Invalid input is rule 1: it stops the other rules, and nothing is stored.
    eligibility = {
      ...eligibility,
      eligible: false,
      overridable: false,
      request: null,
      refusals: [...eligibility.refusals.filter((r) => r.code === 'INPUT_INVALID'), ...extraInputProblems],
    };
  }
  const n = eligibility.request;
  const evidence: Evidence = {
    source: eligibility.facts.source,
    plan: n?.plan ?? null,
    expiresAt: n?.expiresAt ?? null,
    previousSeats: n?.previousSeats ?? null,
    maximumUsers: n?.maximumUsers ?? null,
    billableUsers: n?.billableUsers ?? null,
    previousLicense: previous?.json ?? null,
  };
  return { today: decided, eligibility, evidence };
}

/** Eligibility only (PRODUCT.md §8 `check`): nothing is stored. */
export async function checkRequest(
  input: IssueInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Promise<EligibilityResult> {
  return (await prepare(input, ports, settings)).eligibility;
}

/** Thrown inside the transaction when another request holds the ticket; rolls everything back. */
class TicketTaken extends Error {}

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

/** Signs the §5 license for a request; null (with the reason) when no license could be generated. */
export async function signEmergencyLicense(
  ports: IssuancePorts,
  request: { id: string; requesterEmail: string; seats: number },
  date: CalendarDate,
  now: string,
): Promise<{ ok: true; license: LicenseRecord } | { ok: false; failure: { code: string; message: string } }> {
  const { id: requestId, requesterEmail: email, seats } = request;
  let result: ReturnType<typeof encodeLicense>;
  try {
    const attributes = emergencyLicenseAttributes(email, seats, date);
    result = ports.signer.encode
      ? await ports.signer.encode(attributes)
      : encodeLicense(attributes, ports.signer.privateKey);
  } catch (error) {
    return {
      ok: false,
      failure: {
        code: 'KEY_UNUSABLE',
        message: `signing failed: ${error instanceof Error ? error.message : 'unknown'}`,
      },
    };
  }
  if (!result.ok) return { ok: false, failure: { code: result.error.code, message: result.error.message } };
  const expiresAt = result.value.license.expiresAt as CalendarDate;
  return {
    ok: true,
    license: {
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
    },
  };
}

/** Records the license and queues its four deliveries; shared by issue, approve and retry. */
export async function recordIssuedLicense(
  tx: Parameters<Parameters<IssuancePorts['store']['transaction']>[0]>[0],
  ports: IssuancePorts,
  license: LicenseRecord,
  actor: Actor,
  action: string,
  now: string,
  extra: NewAuditEntry['details'] = {},
): Promise<{ deliveries: DeliveryRecord[]; audit: AuditEntry }> {
  await tx.insertLicense(license);
  const deliveries = newDeliveries(ports, license.requestId, 'issue', ALL_CHANNELS, now, license.email);
  await tx.insertDeliveries(deliveries);
  const audit = await tx.appendAudit(
    auditEntry(ports, now, actor, action, license.requestId, {
      licenseId: license.id,
      fingerprint: license.fingerprint,
      seats: license.seats,
      issuedAt: license.issuedAt,
      expiresAt: license.expiresAt,
      deliveriesQueued: [...ALL_CHANNELS],
      ...extra,
    }),
  );
  return { deliveries, audit };
}

/**
 * The view of a request this process has just stored, from the records in hand (what reading it
 * back would give at that moment: the same rows, the tracker not created yet).
 */
function storedView(
  request: RequestRecord,
  license: LicenseRecord | null,
  deliveries: DeliveryRecord[],
  audit: AuditEntry,
): RequestView {
  return { request, license, deliveries, events: [audit], tracker: null };
}

export async function issueEmergencyLicense(
  input: IssueInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Promise<IssueOutcome> {
  const raw = input.request.ticketId;
  const ticketId =
    typeof raw === 'string'
      ? raw.trim()
      : typeof raw === 'number' && Number.isSafeInteger(raw)
        ? String(raw)
        : null;
  assertTicketOfOrigin(input.actor, ticketId);
  let counted = false;
  // A repeat for a ticket that already has its license returns it (checked again inside the
  // transaction by the unique claim; this early look only saves work).
  for (let attempt = 0; attempt < 3; attempt++) {
    if (ticketId && ticketId.length <= TICKET_ID_MAX_LENGTH) {
      const holder = await ports.store.findTicketHolder(ticketId);
      if (holder) return { kind: 'existing', view: await loadRequestView(ports.store, holder) };
    }
    const prepared = await prepare(input, ports, settings);
    // Another process may have issued this ticket's license while the facts were read; rule 9 would
    // then refuse "the same ticket". Looking again after those reads sees any license they saw.
    const claimed = prepared.eligibility.request?.ticketId ?? ticketId;
    if (!prepared.eligibility.eligible && claimed && claimed.length <= TICKET_ID_MAX_LENGTH) {
      const holder = await ports.store.findTicketHolder(claimed);
      if (holder) return { kind: 'existing', view: await loadRequestView(ports.store, holder) };
    }
    // Valid input from an authorised caller counts against the limits, once, before anything is written.
    const valid = prepared.eligibility.request;
    if (valid && !counted) {
      await countCall(ports, input.actor, valid.requesterEmail);
      counted = true;
    }
    const outcome = await decideAndStore(input, prepared, ports, settings);
    if (outcome !== 'ticket_taken') return outcome;
  }
  throw new LifelineError('INFRASTRUCTURE', 'the ticket was claimed and released repeatedly; try again', {
    retryable: true,
  });
}

/**
 * A signed request from the Zendesk sidebar names the ticket it was made on: it may only issue for
 * that ticket (the claims are signed, the body is not).
 */
export function assertTicketOfOrigin(actor: Actor, ticketId: string | null): void {
  if (!actor.origin) return;
  const signed = actor.origin.ticketId;
  if (!signed) {
    throw new LifelineError('FORBIDDEN', 'this signed request names no ticket; open the app from a ticket');
  }
  if (ticketId !== null && ticketId !== signed) {
    throw new LifelineError(
      'VALIDATION_FAILED',
      `ticketId: the signed request was made on ticket ${signed}, not ${ticketId.slice(0, TICKET_ID_MAX_LENGTH)}`,
      { field: 'ticketId' },
    );
  }
}

async function decideAndStore(
  input: IssueInput,
  prepared: Prepared,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Promise<IssueOutcome | 'ticket_taken'> {
  const { eligibility, evidence } = prepared;
  const date = prepared.today.date;
  const n = eligibility.request;
  if (!n) return { kind: 'refused', eligibility, view: null };

  const now = ports.clock.now().toISOString();
  const requestId = ports.ids.next('req');
  const reason = typeof input.overrideReason === 'string' ? input.overrideReason.trim() : null;
  const overriding = !eligibility.eligible && eligibility.overridable && reason !== null;
  const override = overriding
    ? { reason, by: input.actor.name, role: input.actor.role, codes: eligibility.refusals.map((r) => r.code) }
    : null;
  const ticketUrl =
    n.ticketUrl ??
    (settings.ticketUrlBase
      ? `${settings.ticketUrlBase.replace(/\/+$/, '')}/agent/tickets/${n.ticketId}`
      : null);
  const base: RequestRecord = {
    id: requestId,
    ticketId: n.ticketId,
    ticketUrl,
    requesterEmail: n.requesterEmail,
    engineer: n.engineer ?? input.actor.name,
    actorRole: input.actor.role,
    seats: n.seats,
    issueDate: date,
    status: 'refused',
    evidence,
    eligibility,
    override,
    decision: null,
    failure: null,
    voided: null,
    origin: input.actor.origin ?? null,
    datePinned: prepared.today.pinned,
    replaces: null,
    replacedBy: null,
    createdAt: now,
    updatedAt: now,
  };
  const summary = {
    ticketId: n.ticketId,
    seats: n.seats,
    issueDate: date,
    ...pinnedDetails(prepared.today),
    ...(input.actor.origin ? { origin: { ...input.actor.origin } } : {}),
  };

  // Refused (and no override that applies): the decision is kept, no ticket is claimed.
  if (!eligibility.eligible && !overriding) {
    const audit = await ports.store.transaction(async (tx) => {
      await tx.insertRequest(base);
      return tx.appendAudit(
        auditEntry(ports, now, input.actor, 'request.refused', requestId, {
          ...summary,
          codes: eligibility.refusals.map((r) => r.code),
        }),
      );
    });
    return { kind: 'refused', eligibility, view: storedView(base, null, [], audit) };
  }

  // An engineer's override waits for licensing.
  if (overriding && input.actor.role !== 'licensing') {
    const pending: RequestRecord = { ...base, status: 'pending_approval' };
    const deliveries = newDeliveries(ports, requestId, 'pending', ['chat'], now, null);
    const stored = await inTransactionUnlessTaken(ports, async (tx) => {
      if ((await tx.insertRequest(pending)) === 'ticket_taken') throw new TicketTaken();
      await tx.insertDeliveries(deliveries);
      return tx.appendAudit(
        auditEntry(ports, now, input.actor, 'request.pending_approval', requestId, {
          ...summary,
          overriddenCodes: override?.codes ?? [],
        }),
      );
    });
    if (!stored) return 'ticket_taken';
    return { kind: 'pending_approval', view: storedView(pending, null, deliveries, stored) };
  }

  const signed = await signEmergencyLicense(ports, { ...n, id: requestId }, date, now);
  if (!signed.ok) {
    const failed: RequestRecord = { ...base, status: 'failed', failure: signed.failure };
    const deliveries = newDeliveries(ports, requestId, 'failure', ['tracker', 'chat'], now, null);
    const audit = await ports.store.transaction(async (tx) => {
      await tx.insertRequest(failed);
      await tx.insertDeliveries(deliveries);
      return tx.appendAudit(
        auditEntry(ports, now, input.actor, 'license.failed', requestId, {
          ...summary,
          failure: signed.failure,
        }),
      );
    });
    return { kind: 'failed', view: storedView(failed, null, deliveries, audit) };
  }

  const issued: RequestRecord = { ...base, status: 'issued' };
  const stored = await inTransactionUnlessTaken(ports, async (tx) => {
    if ((await tx.insertRequest(issued)) === 'ticket_taken') throw new TicketTaken();
    return recordIssuedLicense(tx, ports, signed.license, input.actor, 'license.issued', now, {
      ...summary,
      overriddenCodes: override?.codes ?? [],
    });
  });
  if (!stored) return 'ticket_taken';
  return { kind: 'issued', view: storedView(issued, signed.license, stored.deliveries, stored.audit) };
}

/** Runs `work` in one transaction; null when another request holds the ticket (nothing stored). */
async function inTransactionUnlessTaken<T>(
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
