import type { Actor, AuditVerification } from '../ports.js';
import type { IssuancePorts } from './context.js';
import { requireRole } from './guards.js';

/** The audit chain checked end to end (licensing and admin). */
export async function verifyAuditTrail(
  actor: Actor,
  ports: Pick<IssuancePorts, 'store'>,
): Promise<AuditVerification> {
  requireRole(actor, ['licensing', 'admin'], 'verify the audit trail');
  return ports.store.verifyAudit();
}
