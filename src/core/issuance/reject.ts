import { useCase, type Outcome } from '../outcome.js';
import type { IssuancePorts } from './context.js';
import { closeWithReason, type DecisionInput } from './records.js';
import type { RequestView } from './view.js';

/** Licensing rejects an engineer's override; the ticket is free again. */
export function rejectRequest(input: DecisionInput, ports: IssuancePorts): Outcome<RequestView> {
  return useCase(() =>
    closeWithReason(input, ports, {
      verb: 'reject',
      from: 'pending_approval',
      patch: (by, at, reason) => ({
        status: 'rejected',
        decision: { decision: 'rejected', by, at, reason },
        updatedAt: at,
      }),
      purpose: 'decision',
      action: 'request.rejected',
    }),
  );
}
