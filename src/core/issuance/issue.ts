/**
 * Issuing an emergency license (PRODUCT.md §3–§7): validate → check eligibility → build the §5
 * license → store request, license, deliveries and audit in ONE transaction. Idempotent per ticket:
 * the database's unique ticket claim, not memory, guarantees one license per ticket across processes.
 */
import type { EligibilityResult } from '../eligibility/index.js';
import { TICKET_ID_MAX_LENGTH } from '../limits.js';
import { ticketUrlUnder } from '../ticket-url.js';
import { LifelineError } from '../errors.js';
import type { Actor, RequestRecord } from '../ports.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import { countCall, pinnedDetails } from './guards.js';
import { prepare, type IssueInput, type Prepared } from './prepare.js';
import {
  auditEntry,
  inTransactionUnlessTaken,
  newDeliveries,
  recordIssuedLicense,
  signEmergencyLicense,
  storedView,
  TicketTaken,
} from './records.js';
import { loadRequestView, type RequestView } from './view.js';
import { channelsFor } from '../deliveries/channels/index.js';
import { fail, type Outcome, useCase } from '../outcome.js';

export type IssueOutcome =
  | { kind: 'issued'; view: RequestView }
  | { kind: 'existing'; view: RequestView }
  | { kind: 'pending_approval'; view: RequestView }
  /** `view` is null when nothing was stored (invalid input). */
  | { kind: 'refused'; eligibility: EligibilityResult; view: RequestView | null }
  | { kind: 'failed'; view: RequestView };

export function issueEmergencyLicense(
  input: IssueInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Outcome<IssueOutcome> {
  return useCase(async () => {
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
    fail('FORBIDDEN', 'this signed request names no ticket; open the app from a ticket');
  }
  if (ticketId !== null && ticketId !== signed) {
    fail(
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
    n.ticketUrl ?? (settings.ticketUrlBase ? ticketUrlUnder(settings.ticketUrlBase, n.ticketId) : null);
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
    madeFrom: input.actor.via ?? null,
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
    const deliveries = newDeliveries(ports, requestId, 'pending', channelsFor('pending'), now, null);
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
    const failed: RequestRecord = { ...base, status: 'failed', failure: signed.error };
    const deliveries = newDeliveries(ports, requestId, 'failure', channelsFor('failure'), now, null);
    const audit = await ports.store.transaction(async (tx) => {
      await tx.insertRequest(failed);
      await tx.insertDeliveries(deliveries);
      return tx.appendAudit(
        auditEntry(ports, now, input.actor, 'license.failed', requestId, {
          ...summary,
          failure: signed.error,
        }),
      );
    });
    return { kind: 'failed', view: storedView(failed, null, deliveries, audit) };
  }

  const issued: RequestRecord = { ...base, status: 'issued' };
  const stored = await inTransactionUnlessTaken(ports, async (tx) => {
    if ((await tx.insertRequest(issued)) === 'ticket_taken') throw new TicketTaken();
    return recordIssuedLicense(tx, ports, signed.value, input.actor, 'license.issued', now, {
      ...summary,
      overriddenCodes: override?.codes ?? [],
    });
  });
  if (!stored) return 'ticket_taken';
  return { kind: 'issued', view: storedView(issued, signed.value, stored.deliveries, stored.audit) };
}
