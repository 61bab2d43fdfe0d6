import { daysBetween } from '../dates.js';
import type { EligibilityResult } from '../eligibility/index.js';
import type { Actor } from '../ports.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import { decisionDate, loadRequest, lostRace, requireOwnTicket, requireStatus } from './guards.js';
import { viewOf } from './lookup.js';
import { recheck } from './prepare.js';
import { auditEntry, recordIssuedLicense, signEmergencyLicense } from './records.js';
import type { RequestView } from './view.js';
import { fail, type Outcome, useCase } from '../outcome.js';

/** A failed request may be retried up to this many days after it was made (PRODUCT.md §12). */
export const RETRY_WINDOW_DAYS = 7;

export type RetryOutcome =
  { kind: 'issued' | 'failed'; view: RequestView } | { kind: 'refused'; eligibility: EligibilityResult };

export interface RetryInput {
  requestId: string;
  actor: Actor;
}

/**
 * Runs a failed request again (only when no license was generated): the failure was Lifeline's, so
 * the rules run on the request's own decision date; the license is dated today. Up to
 * RETRY_WINDOW_DAYS after the request.
 */
export function retryRequest(
  input: RetryInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Outcome<RetryOutcome> {
  return useCase(async () => {
    const request = await loadRequest(ports, input.requestId);
    requireOwnTicket(input.actor, request);
    requireStatus(request, ['failed'], 'retried');
    if (await ports.store.getLicenseForRequest(request.id)) lostRace(request);
    const date = decisionDate(ports, settings).date;
    const age = daysBetween(request.issueDate, date);
    if (age > RETRY_WINDOW_DAYS) {
      fail(
        'INVALID_STATE',
        `request ${request.id} was made on ${request.issueDate}, ${age} days ago; a retry is allowed up to ` +
          `${RETRY_WINDOW_DAYS} days after the request: make a new request for ticket ${request.ticketId}`,
      );
    }
    // A failed request does not hold its ticket: another request may have taken it meanwhile.
    const holder = await ports.store.findTicketHolder(request.ticketId);
    if (holder && holder.id !== request.id) {
      fail(
        'INVALID_STATE',
        `ticket ${request.ticketId} has request ${holder.id} (${holder.status}) since this one failed; look that one up instead`,
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
          failure: signed.error,
          updatedAt: now,
        });
        if (!moved) lostRace(request);
        await tx.appendAudit(
          auditEntry(ports, now, input.actor, 'license.retry_failed', request.id, {
            failure: signed.error,
          }),
        );
      });
      return { kind: 'failed', view: await viewOf(ports, request.id) };
    }
    let claimed = true;
    await ports.store.transaction(async (tx) => {
      claimed = await tx.transitionRequest(request.id, 'failed', {
        status: 'issued',
        failure: null,
        updatedAt: now,
      });
      if (!claimed) return;
      await recordIssuedLicense(tx, ports, signed.value, input.actor, 'license.retried', now, {
        decisionDate: request.issueDate,
      });
    });
    if (!claimed) lostRace(request);
    return { kind: 'issued', view: await viewOf(ports, request.id) };
  });
}
