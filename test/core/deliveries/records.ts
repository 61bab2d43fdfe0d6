/** A delivery record for the pure delivery tests: queued, about the requester of request req_01. */
import type { DeliveryPurpose, DeliveryRecord } from '../../../src/core/ports.js';

export function deliveryRecord(
  channel: DeliveryRecord['channel'],
  purpose: DeliveryPurpose,
  overrides: Partial<DeliveryRecord> = {},
): DeliveryRecord {
  return {
    id: `dlv_${channel}_${purpose}`,
    requestId: 'req_01',
    channel,
    purpose,
    status: 'queued',
    recipient: 'ops@acme.example',
    about: null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    externalRef: null,
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
    ...overrides,
  };
}
