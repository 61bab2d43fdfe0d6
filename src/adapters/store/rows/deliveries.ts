/** The `deliveries` row and the DeliveryRecord, each from the other (a new row is unclaimed). */
import type { DeliveryRecord } from '../../../core/ports.js';
import type { Database } from '../schema.js';

export function deliveryToRow(d: DeliveryRecord): Database['deliveries'] {
  return {
    id: d.id,
    request_id: d.requestId,
    channel: d.channel,
    purpose: d.purpose,
    status: d.status,
    recipient: d.recipient,
    about: d.about ?? null,
    attempts: d.attempts,
    last_error: d.lastError,
    next_attempt_at: d.nextAttemptAt,
    claimed_by: null,
    claimed_until: null,
    external_ref: d.externalRef,
    external_url: d.externalUrl ?? null,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

export function rowToDelivery(row: Database['deliveries']): DeliveryRecord {
  return {
    id: row.id,
    requestId: row.request_id,
    channel: row.channel as DeliveryRecord['channel'],
    purpose: row.purpose as DeliveryRecord['purpose'],
    status: row.status as DeliveryRecord['status'],
    recipient: row.recipient,
    about: row.about ?? null,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    externalRef: row.external_ref,
    ...(row.external_url ? { externalUrl: row.external_url } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
