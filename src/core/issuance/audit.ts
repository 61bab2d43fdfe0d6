import type { Actor, AuditVerification } from '../ports.js';
import type { IssuancePorts } from './context.js';
import { requireRole } from './guards.js';
import { useCase, type Outcome } from '../outcome.js';

/** The audit chain checked end to end (licensing and admin). */
export function verifyAuditTrail(
  actor: Actor,
  ports: Pick<IssuancePorts, 'store'>,
): Outcome<AuditVerification> {
  return useCase(async () => {
    requireRole(actor, ['licensing', 'admin'], 'verify the audit trail');
    return ports.store.verifyAudit();
  });
}
