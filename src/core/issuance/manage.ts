/**
 * What happens to a request after it is made (PRODUCT.md §4 overrides, §7): approve or reject a
 * pending override, void, resend, retry, and look requests up. Role rules live here, so that every
 * interface applies the same ones.
 */
import { addDays, daysBetween, type CalendarDate } from '../dates.js';
import {
  checkEligibility,
  customerKeys,
  licenseIdentity,
  type EligibilityResult,
  type PreviousLicense,
  type RecentLicense,
} from '../eligibility/index.js';
import { LifelineError } from '../errors.js';
import { loadAttributes, toLicense } from '../license/attributes.js';
import { parseFingerprint } from '../license/codec.js';
import type {
  Actor,
  AuditVerification,
  RequestQuery,
  RequestRecord,
  RequestStatus,
  StoreTransaction,
} from '../ports.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import {
  countCall,
  decisionDate,
  loadRequest,
  lostRace,
  ownAddresses,
  pinnedDetails,
  recipientPolicy,
  requireOwnTicket,
  requireRole,
  requireStatus,
  validRecipient,
} from './guards.js';
import { auditEntry, newDeliveries, recordIssuedLicense, signEmergencyLicense } from './issue.js';
import { loadRequestView, type RequestView } from './view.js';
import { REDACTED_LICENSE_TEXT } from '../retention.js';
import { dashboardStats, statsRange, type DashboardStats } from './stats.js';

/** A failed request may be retried up to this many days after it was made (PRODUCT.md §12). */
export const RETRY_WINDOW_DAYS = 7;

export interface DecisionInput {
  requestId: string;
  actor: Actor;
  reason?: string | null;
  today?: CalendarDate;
}

/** Licensing approves an engineer's override: the license is generated now, dated today. */
export async function approveRequest(
  input: DecisionInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Promise<RequestView> {
  requireRole(input.actor, ['licensing'], 'approve a request');
  const request = await loadRequest(ports, input.requestId);
  requireOwnTicket(input.actor, request);
  requireStatus(request, ['pending_approval'], 'approved');
  const now = ports.clock.now().toISOString();
  const decided = decisionDate(ports, settings, input.today);
  const date = decided.date;
  const signed = await signEmergencyLicense(ports, request, date, now);
  const decision = {
    decision: 'approved' as const,
    by: input.actor.name,
    at: now,
    reason: input.reason ?? null,
  };
  if (!signed.ok) {
    await ports.store.transaction(async (tx) => {
      const moved = await tx.transitionRequest(request.id, 'pending_approval', {
        status: 'failed',
        decision,
        failure: signed.failure,
        updatedAt: now,
      });
      if (!moved) lostRace(request);
      await tx.insertDeliveries(newDeliveries(ports, request.id, 'failure', ['tracker', 'chat'], now, null));
      await tx.appendAudit(
        auditEntry(ports, now, input.actor, 'license.failed', request.id, { failure: signed.failure }),
      );
    });
  } else {
    await ports.store.transaction(async (tx) => {
      const moved = await tx.transitionRequest(request.id, 'pending_approval', {
        status: 'issued',
        decision,
        updatedAt: now,
      });
      if (!moved) lostRace(request);
      await recordIssuedLicense(tx, ports, signed.license, input.actor, 'request.approved', now, {
        reason: input.reason ?? null,
        ...pinnedDetails(decided),
      });
    });
  }
  return lookupById(ports, request.id);
}

/** A licensing decision that needs a reason and moves a request from one status to another. */
async function closeWithReason(
  input: DecisionInput,
  ports: IssuancePorts,
  step: {
    verb: 'reject' | 'void';
    from: RequestStatus;
    patch: (by: string, at: string, reason: string) => Parameters<StoreTransaction['transitionRequest']>[2];
    purpose: 'decision' | 'void';
    channels: ('tracker' | 'chat')[];
    action: string;
  },
): Promise<RequestView> {
  requireRole(input.actor, ['licensing'], `${step.verb} a request`);
  const reason = (input.reason ?? '').trim();
  if (reason.length < 5)
    throw new LifelineError('VALIDATION_FAILED', 'reason: say why (at least 5 characters)', {
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
    await tx.insertDeliveries(newDeliveries(ports, request.id, step.purpose, step.channels, now, null));
    await tx.appendAudit(auditEntry(ports, now, input.actor, step.action, request.id, { reason }));
  });
  return lookupById(ports, request.id);
}

/** Licensing rejects an engineer's override; the ticket is free again. */
export function rejectRequest(input: DecisionInput, ports: IssuancePorts): Promise<RequestView> {
  return closeWithReason(input, ports, {
    verb: 'reject',
    from: 'pending_approval',
    patch: (by, at, reason) => ({
      status: 'rejected',
      decision: { decision: 'rejected', by, at, reason },
      updatedAt: at,
    }),
    purpose: 'decision',
    channels: ['chat'],
    action: 'request.rejected',
  });
}

/** Licensing voids an issued license's record. The file itself cannot be revoked on the instance. */
export function voidRequest(input: DecisionInput, ports: IssuancePorts): Promise<RequestView> {
  return closeWithReason(input, ports, {
    verb: 'void',
    from: 'issued',
    patch: (by, at, reason) => ({ status: 'voided', voided: { reason, by, at }, updatedAt: at }),
    purpose: 'void',
    channels: ['tracker', 'chat'],
    action: 'request.voided',
  });
}

/** A license whose text the retention purge removed cannot be sent or downloaded again. */
export function assertLicenseKept(text: string, requestId: string): void {
  if (text === REDACTED_LICENSE_TEXT) {
    throw new LifelineError(
      'INVALID_STATE',
      `request ${requestId}: the license text was removed by the retention purge; issue a new request instead`,
    );
  }
}

export interface ResendInput {
  requestId: string;
  actor: Actor;
  /** Another address; only licensing may send elsewhere than the requester. */
  to?: string | null;
}

/** Sends the same license again through the outbox; never generates a second license. */
export async function resendLicense(
  input: ResendInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Promise<RequestView> {
  const request = await loadRequest(ports, input.requestId);
  requireOwnTicket(input.actor, request);
  requireStatus(request, ['issued'], 'resent');
  const license = await ports.store.getLicenseForRequest(request.id);
  if (!license) throw new LifelineError('INVALID_STATE', `request ${request.id} has no license to resend`);
  assertLicenseKept(license.text, request.id);
  // Every recipient passes rule 1's email check and the staff/own-address refusal (PRODUCT.md §12).
  const policy = recipientPolicy(settings, input.actor);
  const given = input.to !== undefined && input.to !== null && input.to !== '';
  const to = validRecipient(
    given ? input.to : request.requesterEmail,
    given ? 'to' : 'requesterEmail',
    policy,
  );
  if (to !== request.requesterEmail) {
    requireRole(input.actor, ['licensing'], 'resend a license to another address');
  }
  await countCall(ports, input.actor, request.requesterEmail);
  const now = ports.clock.now().toISOString();
  await ports.store.transaction(async (tx) => {
    await tx.insertDeliveries([...newDeliveries(ports, request.id, 'resend', ['email', 'tracker'], now, to)]);
    await tx.appendAudit(
      auditEntry(ports, now, input.actor, 'license.resend', request.id, {
        licenseId: license.id,
        toRequester: to === request.requesterEmail,
      }),
    );
  });
  return lookupById(ports, request.id);
}

export type RetryOutcome =
  { kind: 'issued' | 'failed'; view: RequestView } | { kind: 'refused'; eligibility: EligibilityResult };

/** The previous license recorded with a request, loaded again for the rules (no text is kept). */
export function recordedPreviousLicense(request: RequestRecord): PreviousLicense | null {
  const recorded = request.evidence.previousLicense;
  const loaded = recorded ? loadAttributes(recorded.json) : null;
  return loaded && loaded.ok && recorded
    ? { license: toLicense(loaded.value), fingerprint: recorded.fingerprint, issuedByLifelineRequestId: null }
    : null;
}

/**
 * The rules run again on a stored request, on its own decision date (a retry, a replace), with
 * the changes given. `except` leaves a request's own license out of rule 9.
 */
export async function recheck(
  request: RequestRecord,
  changes: { requesterEmail?: unknown; seats?: unknown },
  actor: Actor,
  ports: IssuancePorts,
  settings: IssuanceSettings,
  except: string | null = null,
): Promise<EligibilityResult> {
  const previousLicense = recordedPreviousLicense(request);
  const requesterEmail = changes.requesterEmail ?? request.requesterEmail;
  const keys = customerKeys(
    {
      ticketId: request.ticketId,
      requesterEmail: typeof requesterEmail === 'string' ? requesterEmail : null,
      ...licenseIdentity(previousLicense),
    },
    { publicEmailDomains: settings.eligibility.publicEmailDomains },
  );
  const date = request.issueDate;
  const recent: RecentLicense[] = (
    await ports.store.recentLicenses(addDays(date, -settings.eligibility.repeatWindowDays), keys)
  ).filter((l) => l.requestId !== except);
  return checkEligibility(
    {
      ticketId: request.ticketId,
      ticketUrl: request.ticketUrl ?? undefined,
      requesterEmail,
      engineer: request.engineer,
      seats: changes.seats ?? request.seats,
      plan: request.evidence.plan ?? undefined,
      expiresAt: request.evidence.expiresAt ?? undefined,
      previousSeats: request.evidence.previousSeats ?? undefined,
      maximumUsers: request.evidence.maximumUsers ?? undefined,
      billableUsers: request.evidence.billableUsers ?? undefined,
    },
    {
      today: date,
      previousLicense,
      recentLicenses: recent,
      ticketImageCount: null,
      ownAddresses: ownAddresses(actor),
    },
    settings.eligibility,
  );
}

export interface RetryInput {
  requestId: string;
  actor: Actor;
}

/**
 * Runs a failed request again (only when no license was generated): the failure was Lifeline's, so
 * the rules run on the request's own decision date; the license is dated today. Up to
 * RETRY_WINDOW_DAYS after the request.
 */
export async function retryRequest(
  input: RetryInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Promise<RetryOutcome> {
  const request = await loadRequest(ports, input.requestId);
  requireOwnTicket(input.actor, request);
  requireStatus(request, ['failed'], 'retried');
  if (await ports.store.getLicenseForRequest(request.id)) lostRace(request);
  const date = decisionDate(ports, settings).date;
  const age = daysBetween(request.issueDate, date);
  if (age > RETRY_WINDOW_DAYS) {
    throw new LifelineError(
      'INVALID_STATE',
      `request ${request.id} was made on ${request.issueDate}, ${age} days ago; a retry is allowed up to ` +
        `${RETRY_WINDOW_DAYS} days after the request: make a new request for ticket ${request.ticketId}`,
    );
  }
  const eligibility = await recheck(request, {}, input.actor, ports, settings);
  // An override recorded with the request (approved, or by licensing) still stands.
  const overridden = request.override !== null && eligibility.overridable;
  if (!eligibility.eligible && !overridden) return { kind: 'refused', eligibility };

  const now = ports.clock.now().toISOString();
  const signed = await signEmergencyLicense(ports, request, date, now);
  if (!signed.ok) {
    await ports.store.transaction(async (tx) => {
      const moved = await tx.transitionRequest(request.id, 'failed', {
        failure: signed.failure,
        updatedAt: now,
      });
      if (!moved) lostRace(request);
      await tx.appendAudit(
        auditEntry(ports, now, input.actor, 'license.retry_failed', request.id, { failure: signed.failure }),
      );
    });
    return { kind: 'failed', view: await lookupById(ports, request.id) };
  }
  let claimed = true;
  await ports.store.transaction(async (tx) => {
    claimed = await tx.transitionRequest(request.id, 'failed', {
      status: 'issued',
      failure: null,
      updatedAt: now,
    });
    if (!claimed) return;
    await recordIssuedLicense(tx, ports, signed.license, input.actor, 'license.retried', now, {
      decisionDate: request.issueDate,
    });
  });
  if (!claimed) lostRace(request);
  return { kind: 'issued', view: await lookupById(ports, request.id) };
}

export async function lookupById(ports: Pick<IssuancePorts, 'store'>, id: string): Promise<RequestView> {
  return loadRequestView(ports.store, await loadRequest(ports, id));
}

export interface LookupQuery {
  id?: string;
  email?: string;
  ticketId?: string;
  fingerprint?: string;
  limit?: number;
}

/** Finds requests by record id, customer email, ticket id or license fingerprint (newest first). */
export async function lookupRequests(
  ports: Pick<IssuancePorts, 'store'>,
  query: LookupQuery,
): Promise<RequestView[]> {
  const { store } = ports;
  if (query.id) {
    const r = await store.getRequest(query.id);
    return r ? [await loadRequestView(store, r)] : [];
  }
  if (query.fingerprint) {
    const hex = parseFingerprint(query.fingerprint);
    if (!hex) {
      throw new LifelineError(
        'VALIDATION_FAILED',
        'fingerprint: must be sha256:<64 hex digits> or the 64 hex digits alone',
        { field: 'fingerprint' },
      );
    }
    const license = await store.findLicenseByFingerprint(hex);
    const r = license ? await store.getRequest(license.requestId) : null;
    return r ? [await loadRequestView(store, r)] : [];
  }
  if (!query.email && !query.ticketId) {
    throw new LifelineError('VALIDATION_FAILED', 'say what to look up: an id, email, ticket or fingerprint');
  }
  const requests = await store.findRequests({
    ...(query.email ? { email: query.email } : {}),
    ...(query.ticketId ? { ticketId: query.ticketId } : {}),
    limit: query.limit ?? 50,
  });
  return Promise.all(requests.map((r) => loadRequestView(store, r)));
}

export interface ListInput extends Omit<RequestQuery, 'limit'> {
  limit?: number;
}

/** A page of requests, newest first; `next` is the cursor (the last id) when there are more. */
export async function listRequests(
  ports: Pick<IssuancePorts, 'store'>,
  query: ListInput,
): Promise<{ requests: RequestView[]; next: string | null }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const records = await ports.store.findRequests({ ...query, limit: limit + 1 });
  const page = records.slice(0, limit);
  const requests = await Promise.all(page.map((r) => loadRequestView(ports.store, r)));
  return { requests, next: records.length > limit ? (page.at(-1)?.id ?? null) : null };
}

/** The audit chain checked end to end (licensing and admin). */
export async function verifyAuditTrail(
  actor: Actor,
  ports: Pick<IssuancePorts, 'store'>,
): Promise<AuditVerification> {
  requireRole(actor, ['licensing', 'admin'], 'verify the audit trail');
  return ports.store.verifyAudit();
}

/** The dashboard's figures for a range of creation dates (UTC). */
export async function dashboardStatsFor(
  ports: Pick<IssuancePorts, 'store'>,
  input: { from?: string | undefined; to?: string | undefined },
  today: CalendarDate,
): Promise<DashboardStats> {
  const range = statsRange(input, today);
  const summaries = await ports.store.requestSummaries({
    createdFrom: `${range.from}T00:00:00.000Z`,
    createdTo: `${range.to}T23:59:59.999Z`,
  });
  return dashboardStats(summaries, range);
}
