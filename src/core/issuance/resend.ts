import type { Actor } from '../ports.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import {
  countCall,
  loadRequest,
  recipientPolicy,
  requireOwnTicket,
  requireRole,
  requireStatus,
  validRecipient,
} from './guards.js';
import { viewOf } from './lookup.js';
import { assertLicenseKept, auditEntry, newDeliveries } from './records.js';
import type { RequestView } from './view.js';
import { channelsFor } from '../deliveries/channels/index.js';
import { fail, type Outcome, useCase } from '../outcome.js';

export interface ResendInput {
  requestId: string;
  actor: Actor;
  /** Another address; only licensing may send elsewhere than the requester. */
  to?: string | null;
}

/** Sends the same license again through the outbox; never generates a second license. */
export function resendLicense(
  input: ResendInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Outcome<RequestView> {
  return useCase(async () => {
    const request = await loadRequest(ports, input.requestId);
    requireOwnTicket(input.actor, request);
    requireStatus(request, ['issued'], 'resent');
    const license = await ports.store.getLicenseForRequest(request.id);
    if (!license) fail('INVALID_STATE', `request ${request.id} has no license to resend`);
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
      await tx.insertDeliveries(newDeliveries(ports, request.id, 'resend', channelsFor('resend'), now, to));
      await tx.appendAudit(
        auditEntry(ports, now, input.actor, 'license.resend', request.id, {
          licenseId: license.id,
          toRequester: to === request.requesterEmail,
        }),
      );
    });
    return viewOf(ports, request.id);
  });
}
