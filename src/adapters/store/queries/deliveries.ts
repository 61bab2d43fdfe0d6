/** The outbox's reads and claims: a request's deliveries, the due ones a worker claims, the backlog. */
import type { DeliveryRecord, Store } from '../../../core/ports.js';
import type { Dialect, Executor } from '../executor.js';
import { rowToDelivery } from '../rows/deliveries.js';

/** A request's deliveries in creation order. */
export async function selectDeliveries(db: Executor, requestId: string): Promise<DeliveryRecord[]> {
  const rows = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('request_id', '=', requestId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(rowToDelivery);
}

/** Store.claimDueDeliveries, inside the caller's transaction. */
export async function claimDue(
  db: Executor,
  dialect: Dialect,
  ...[now, leaseUntil, workerId, limit, requestId]: Parameters<Store['claimDueDeliveries']>
): Promise<DeliveryRecord[]> {
  // Two searches, each in the order of the (status, next_attempt_at) index and stopped at `limit`,
  // merged: one query with OR collected and sorted every due row, so a backlog was read whole.
  const search = (which: 'queued' | 'expired') => {
    let q = db
      .selectFrom('deliveries')
      .select(['id', 'next_attempt_at'])
      .where((eb) =>
        which === 'queued'
          ? eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)])
          : // A stopped worker's claim. One left `sending` stays `sending`: the worker records it
            // as `unknown` (it may have arrived) instead of sending it again.
            eb.and([eb('status', 'in', ['claimed', 'sending']), eb('claimed_until', '<', now)]),
      )
      .orderBy('next_attempt_at')
      .limit(limit);
    if (requestId) q = q.where('request_id', '=', requestId);
    if (dialect === 'postgres') q = q.forUpdate().skipLocked();
    return q.execute();
  };
  const due = [...(await search('expired')), ...(await search('queued'))];
  const at = (r: { next_attempt_at: string | null }): string => r.next_attempt_at ?? '';
  due.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
  const ids = due.slice(0, limit).map((r) => r.id);
  if (ids.length === 0) return [];
  await db
    .updateTable('deliveries')
    .set((eb) => ({
      status: eb.case().when('status', '=', 'sending').then('sending').else('claimed').end(),
      claimed_by: workerId,
      claimed_until: leaseUntil,
      attempts: eb('attempts', '+', 1),
      updated_at: now,
    }))
    .where('id', 'in', ids)
    .execute();
  const rows = await db.selectFrom('deliveries').selectAll().where('id', 'in', ids).execute();
  return rows.map(rowToDelivery);
}

/** Marks a claimed delivery `sending` (true when this worker still held the claim). */
export async function markSending(
  db: Executor,
  id: string,
  workerId: string,
  updatedAt: string,
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ status: 'sending', updated_at: updatedAt })
    .where('id', '=', id)
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'claimed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** How many deliveries are still to go, and when the next is due. */
export async function pendingDeliveries(
  db: Executor,
  requestId?: string,
): Promise<{ count: number; nextDueAt: string | null }> {
  let q = db
    .selectFrom('deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('next_attempt_at').as('next')])
    .where('status', 'in', ['queued', 'claimed', 'sending']);
  if (requestId) q = q.where('request_id', '=', requestId);
  const row = await q.executeTakeFirstOrThrow();
  return { count: Number(row.n), nextDueAt: (row.next as string | null) ?? null };
}
