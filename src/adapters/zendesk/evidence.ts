/**
 * The TicketEvidence port over the ticket system's adapter: its delivery errors (DeliveryError)
 * become infrastructure errors for the use cases, except that an unreachable Zendesk never blocks
 * an emergency's eligibility check (the screenshot count is then unknown).
 */
import { DeliveryError, type TicketSystem } from '../../core/deliveries/ports.js';
import { LifelineError } from '../../core/errors.js';
import type { TicketEvidence } from '../../core/ports.js';

function infrastructure(error: unknown): never {
  if (error instanceof DeliveryError) {
    throw new LifelineError('INFRASTRUCTURE', `the ticket system: ${error.message}`, {
      retryable: error.kind === 'temporary',
      ...(error.retryAfterMs !== undefined
        ? { retryAfterSeconds: Math.ceil(error.retryAfterMs / 1000) }
        : {}),
    });
  }
  throw error;
}

export function ticketEvidence(tickets: TicketSystem): TicketEvidence {
  return {
    imageAttachmentCount: (id) => tickets.imageAttachmentCount(id).catch(() => null),
    imageAttachments: (id) => tickets.imageAttachments(id).catch(infrastructure),
    downloadAttachment: (id, image, max) => tickets.downloadAttachment(id, image, max).catch(infrastructure),
  };
}
