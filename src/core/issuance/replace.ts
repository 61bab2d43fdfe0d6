/**
 * Replace (PRODUCT.md §12, licensing only): a license issued to the wrong address or for the wrong
 * seats is voided (if it is not already) and a new license is issued for the same ticket, in one
 * transaction that hands the ticket on, both records linking to each other. The rules run again on
 * the original decision date; the new license is dated today.
 */
import type { CalendarDate } from '../dates.js';
import { validateOverrideReason, type EligibilityResult } from '../eligibility/index.js';
import type { Actor, RequestRecord } from '../ports.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import {
  decisionDate,
  loadRequest,
  lostRace,
  pinnedDetails,
  requireOwnTicket,
  requireRole,
  requireStatus,
} from './guards.js';
import { viewOf } from './lookup.js';
import { recheck } from './prepare.js';
import { auditEntry, newDeliveries, recordIssuedLicense, signEmergencyLicense } from './records.js';
import type { RequestView } from './view.js';
import { channelsFor } from '../deliveries/channels/index.js';
import { fail, type Outcome, useCase } from '../outcome.js';

export interface ReplaceInput {
  requestId: string;
  actor: Actor;
  /** The corrected address; the same one when absent. */
  requesterEmail?: unknown;
  /** The corrected seats; the same number when absent. */
  seats?: unknown;
  /** Why (at least 20 characters); it also overrides refusals of rules 4–9, as licensing may. */
  reason: string;
  /** Pinned date for the new license (LIFELINE_ALLOW_PINNED_DATES only). */
  today?: CalendarDate;
}

export type ReplaceOutcome =
  | { kind: 'replaced'; view: RequestView; replaced: RequestView }
  | { kind: 'refused'; eligibility: EligibilityResult };

/** A chain of replacements is at most this long: a loop in the links cannot hang a replace. */
const MAX_REPLACEMENTS = 100;

/**
 * The date the ticket's first request was decided on: a replacement is dated the day it was made,
 * so a replacement of a replacement follows `replaces` back to the request that started the chain.
 */
async function originalDecisionDate(ports: IssuancePorts, request: RequestRecord): Promise<CalendarDate> {
  let r = request;
  for (let i = 0; r.replaces && i < MAX_REPLACEMENTS; i++) {
    const earlier = await ports.store.getRequest(r.replaces);
    if (!earlier) break;
    r = earlier;
  }
  return r.issueDate;
}

export function replaceRequest(
  input: ReplaceInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Outcome<ReplaceOutcome> {
  return useCase(async () => {
    requireRole(input.actor, ['licensing'], 'replace a license');
    const problem = validateOverrideReason(input.reason);
    if (problem) {
      fail('INPUT_INVALID', problem.message.replace('The override reason', 'The reason'), {
        field: 'reason',
      });
    }
    const reason = input.reason.trim();
    const old = await loadRequest(ports, input.requestId);
    requireOwnTicket(input.actor, old);
    requireStatus(old, ['issued', 'voided'], 'replaced');
    if (old.replacedBy) {
      fail('INVALID_STATE', `request ${old.id} was already replaced by ${old.replacedBy}`);
    }
    const decided = decisionDate(ports, settings, input.today);
    const changes = {
      ...(input.requesterEmail !== undefined && input.requesterEmail !== null
        ? { requesterEmail: input.requesterEmail }
        : {}),
      ...(input.seats !== undefined && input.seats !== null ? { seats: input.seats } : {}),
    };
    const decidedOn = await originalDecisionDate(ports, old);
    const eligibility = await recheck(
      { ...old, issueDate: decidedOn },
      changes,
      input.actor,
      ports,
      settings,
      old.id,
    );
    const n = eligibility.request;
    if (!n || (!eligibility.eligible && !eligibility.overridable)) return { kind: 'refused', eligibility };

    const now = ports.clock.now().toISOString();
    const id = ports.ids.next('req');
    const signed = await signEmergencyLicense(ports, { ...n, id }, decided.date, now);
    if (!signed.ok) fail('KEY_UNUSABLE', `no license could be generated: ${signed.error.message}`);
    const replacement: RequestRecord = {
      ...old,
      id,
      requesterEmail: n.requesterEmail,
      seats: n.seats,
      engineer: input.actor.name,
      actorRole: input.actor.role,
      issueDate: decided.date,
      status: 'issued',
      eligibility,
      override: eligibility.eligible
        ? null
        : {
            reason,
            by: input.actor.name,
            role: input.actor.role,
            codes: eligibility.refusals.map((r) => r.code),
          },
      decision: null,
      failure: null,
      voided: null,
      origin: input.actor.origin ?? null,
      madeFrom: input.actor.via ?? null,
      datePinned: decided.pinned,
      replaces: old.id,
      replacedBy: null,
      createdAt: now,
      updatedAt: now,
    };
    const voided = { reason: `replaced by ${id}: ${reason}`, by: input.actor.name, at: now };
    await ports.store.transaction(async (tx) => {
      // The old record lets go of the ticket first; the replacement claims it in the same commit.
      const moved = await tx.transitionRequest(old.id, old.status, {
        ...(old.status === 'issued' ? { status: 'voided' as const, voided } : {}),
        replacedBy: id,
        updatedAt: now,
      });
      if (!moved) lostRace(old);
      if ((await tx.insertRequest(replacement)) === 'ticket_taken') lostRace(old);
      if (old.status === 'issued') {
        await tx.insertDeliveries(newDeliveries(ports, old.id, 'void', channelsFor('void'), now, null));
      }
      await tx.appendAudit(
        auditEntry(ports, now, input.actor, 'request.replaced', old.id, { replacedBy: id, reason }),
      );
      await recordIssuedLicense(tx, ports, signed.value, input.actor, 'license.replacement_issued', now, {
        replaces: old.id,
        reason,
        decisionDate: decidedOn,
        overriddenCodes: replacement.override?.codes ?? [],
        ...pinnedDetails(decided),
      });
    });
    return { kind: 'replaced', view: await viewOf(ports, id), replaced: await viewOf(ports, old.id) };
  });
}
