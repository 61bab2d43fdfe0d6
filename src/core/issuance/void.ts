import { useCase, type Outcome } from '../outcome.js';
import type { IssuancePorts } from './context.js';
import { closeWithReason, type DecisionInput } from './records.js';
import type { RequestView } from './view.js';

/** Licensing voids an issued license's record. The file itself cannot be revoked on the instance. */
export function voidRequest(input: DecisionInput, ports: IssuancePorts): Outcome<RequestView> {
  return useCase(() =>
    closeWithReason(input, ports, {
      verb: 'void',
      from: 'issued',
      patch: (by, at, reason) => ({ status: 'voided', voided: { reason, by, at }, updatedAt: at }),
      purpose: 'void',
      action: 'request.voided',
    }),
  );
}
