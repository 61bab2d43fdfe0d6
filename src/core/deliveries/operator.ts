/**
 * What an operator does about a delivery that needs a human (docs/runbook.md):
 * - retry: a delivery that failed for good, or an email whose outcome is unknown and which the
 *   operator found did NOT arrive, is queued again as a NEW delivery of the same channel and
 *   purpose (the old one stays in the history as it ended); the audit trail records who and why.
 * - acknowledge: the operator settled it outside Lifeline (the email did arrive; the tracker issue
 *   was made by hand): only an audit entry, which takes it off the "needs a human" counts.
 * A delivery already replaced by a newer one of the same request and channel is not acted on twice.
 */
import { LifelineError } from '../errors.js';
import { auditEntry, newDeliveries } from '../issuance/records.js';
import type { Actor, Clock, DeliveryRecord, IdGenerator, Store } from '../ports.js';
import { fail, type Outcome, useCase } from '../outcome.js';

export interface OperatorPorts {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
}

export const NEEDS_HUMAN_STATUSES: readonly DeliveryRecord['status'][] = ['failed', 'unknown'];

/** The newer delivery of the same request and channel that replaced `delivery`, if any. */
export function replacementOf(
  delivery: DeliveryRecord,
  all: readonly DeliveryRecord[],
): DeliveryRecord | null {
  return (
    all.find(
      (d) =>
        d.id !== delivery.id &&
        d.channel === delivery.channel &&
        d.createdAt >= delivery.createdAt &&
        ['sent', 'queued', 'claimed', 'sending'].includes(d.status),
    ) ?? null
  );
}

async function load(ports: OperatorPorts, requestId: string, deliveryId: string) {
  const all = await ports.store.listDeliveries(requestId);
  const delivery = all.find((d) => d.id === deliveryId);
  if (!delivery) fail('NOT_FOUND', `no delivery ${deliveryId}`);
  if (!NEEDS_HUMAN_STATUSES.includes(delivery.status)) {
    fail(
      'INVALID_STATE',
      `delivery ${deliveryId} is ${delivery.status}; only failed deliveries and unknown-outcome emails need a human`,
    );
  }
  const replacement = replacementOf(delivery, all);
  if (replacement) {
    fail(
      'INVALID_STATE',
      `delivery ${deliveryId} was already replaced by ${replacement.id} (${replacement.status})`,
    );
  }
  return delivery;
}

function reasonOf(reason: string | undefined): string {
  const text = (reason ?? '').trim();
  if (text.length < 5 || text.length > 1000) {
    fail('VALIDATION_FAILED', 'reason: say why (5 to 1000 characters)', {
      field: 'reason',
    });
  }
  return text;
}

/** Queues a failed (or unknown-outcome) delivery again as a new delivery; returns it. */
export function retryDelivery(
  input: { requestId: string; deliveryId: string; actor: Actor; reason?: string },
  ports: OperatorPorts,
): Outcome<DeliveryRecord> {
  return useCase(async () => {
    const reason = reasonOf(input.reason);
    const old = await load(ports, input.requestId, input.deliveryId);
    const now = ports.clock.now().toISOString();
    const [made] = newDeliveries(ports, input.requestId, old.purpose, [old.channel], now, old.recipient);
    if (!made) throw new LifelineError('INTERNAL', 'no delivery was made');
    // A follow-up still reports the same email.
    const fresh: DeliveryRecord = { ...made, about: old.about ?? null };
    await ports.store.transaction(async (tx) => {
      await tx.insertDeliveries([fresh]);
      await tx.appendAudit(
        auditEntry(ports, now, input.actor, 'delivery.retried', input.requestId, {
          deliveryId: old.id,
          newDeliveryId: fresh.id,
          channel: old.channel,
          purpose: old.purpose,
          previousStatus: old.status,
          reason,
        }),
      );
    });
    return fresh;
  });
}

/** Records that a human settled the delivery outside Lifeline. */
export function acknowledgeDelivery(
  input: { requestId: string; deliveryId: string; actor: Actor; reason?: string },
  ports: OperatorPorts,
): Outcome<DeliveryRecord> {
  return useCase(async () => {
    const reason = reasonOf(input.reason);
    const delivery = await load(ports, input.requestId, input.deliveryId);
    const now = ports.clock.now().toISOString();
    await ports.store.transaction(async (tx) => {
      await tx.appendAudit(
        auditEntry(ports, now, input.actor, 'delivery.acknowledged', input.requestId, {
          deliveryId: delivery.id,
          channel: delivery.channel,
          purpose: delivery.purpose,
          previousStatus: delivery.status,
          reason,
        }),
      );
    });
    return delivery;
  });
}
