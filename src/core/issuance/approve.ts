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
import {
  auditEntry,
  newDeliveries,
  recordIssuedLicense,
  signEmergencyLicense,
  type DecisionInput,
} from './records.js';
import type { RequestView } from './view.js';
import { channelsFor } from '../deliveries/channels/index.js';
import { useCase, type Outcome } from '../outcome.js';

/** Licensing approves an engineer's override: the license is generated now, dated today. */
export function approveRequest(
  input: DecisionInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Outcome<RequestView> {
  return useCase(async () => {
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
          failure: signed.error,
          updatedAt: now,
        });
        if (!moved) lostRace(request);
        await tx.insertDeliveries(
          newDeliveries(ports, request.id, 'failure', channelsFor('failure'), now, null),
        );
        await tx.appendAudit(
          auditEntry(ports, now, input.actor, 'license.failed', request.id, { failure: signed.error }),
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
        await recordIssuedLicense(
          tx,
          ports,
          signed.value,
          input.actor,
          'request.approved',
          now,
          { reason: input.reason ?? null, ...pinnedDetails(decided) },
          'decision',
        );
      });
    }
    return viewOf(ports, request.id);
  });
}
