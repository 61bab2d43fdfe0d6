/**
 * Operational figures read from the database, for `GET /metrics` and `lifeline status`: computed at
 * the moment they are asked for, so every process (several `serve` and `worker` on one PostgreSQL)
 * reports the same numbers. SQLite and PostgreSQL through Kysely; the two differ only in how a
 * duration between two ISO 8601 texts and a JSON array are read.
 */
import { sql, type Kysely } from 'kysely';
import type { CalendarDate } from '../../core/dates.js';
import type { DeliveryNeedingHuman, OperationalStats } from '../../core/operations/ports.js';
import { DELIVERY_LATENCY_BUCKETS } from '../../core/operations/ports.js';
import type { Database } from './schema.js';

export interface StatsTarget {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * A delivery that still needs a human: not replaced by a newer one of the same request and channel
 * that was sent or is pending (e.g. `lifeline deliveries retry`, `lifeline resend`), and not
 * acknowledged (`lifeline deliveries acknowledge`, an audit entry naming it).
 */
export const NOT_SUPERSEDED = sql`not exists (
  select 1 from deliveries later
  where later.request_id = d.request_id and later.channel = d.channel and later.id <> d.id
    and later.created_at >= d.created_at
    and later.status in ('sent', 'queued', 'claimed', 'sending'))
  and not exists (
  select 1 from audit_log a
  where a.request_id = d.request_id and a.action = 'delivery.acknowledged'
    and a.details like '%"deliveryId":"' || d.id || '"%')`;

/** The failed deliveries and unknown-outcome emails that need a human, oldest first. */
export async function deliveriesNeedingHuman(
  target: StatsTarget,
  limit = 200,
): Promise<DeliveryNeedingHuman[]> {
  const rows = await sql<{
    id: string;
    request_id: string;
    ticket_id: string;
    channel: string;
    purpose: string;
    status: string;
    attempts: number;
    last_error: string | null;
    updated_at: string;
  }>`
    select d.id, d.request_id, r.ticket_id, d.channel, d.purpose, d.status, d.attempts, d.last_error, d.updated_at
    from deliveries d join requests r on r.id = d.request_id
    where (d.status = 'failed' or (d.status = 'unknown' and d.channel = 'email')) and ${NOT_SUPERSEDED}
    order by d.updated_at, d.id limit ${limit}`.execute(target.db);
  return rows.rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    ticketId: r.ticket_id,
    channel: r.channel,
    purpose: r.purpose,
    status: r.status,
    attempts: num(r.attempts),
    lastError: r.last_error,
    updatedAt: r.updated_at,
  }));
}

/** The request a delivery belongs to, or null. */
export async function requestOfDelivery(target: StatsTarget, deliveryId: string): Promise<string | null> {
  const row = await target.db
    .selectFrom('deliveries')
    .select('request_id')
    .where('id', '=', deliveryId)
    .executeTakeFirst();
  return row?.request_id ?? null;
}

export async function operationalStats(target: StatsTarget, now: Date): Promise<OperationalStats> {
  const { db, dialect } = target;
  const byStatus = await db
    .selectFrom('requests')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const requestsByStatus: Record<string, number> = {};
  for (const r of byStatus) requestsByStatus[r.status] = num(r.n);

  const refusals =
    dialect === 'postgres'
      ? await sql<{ code: string | null; n: number }>`
          select x->>'code' as code, count(*) as n
          from requests r, jsonb_array_elements(coalesce((r.eligibility::jsonb)->'refusals', '[]'::jsonb)) x
          where r.status = 'refused' group by 1`.execute(db)
      : await sql<{ code: string | null; n: number }>`
          select json_extract(x.value, '$.code') as code, count(*) as n
          from requests r, json_each(r.eligibility, '$.refusals') x
          where r.status = 'refused' group by 1`.execute(db);
  const refusalsByCode: Record<string, number> = {};
  for (const r of refusals.rows) if (r.code) refusalsByCode[r.code] = num(r.n);

  const licenses = await db
    .selectFrom('licenses')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

  const deliveries = (
    await db
      .selectFrom('deliveries')
      .select((eb) => ['channel', 'status', eb.fn.countAll<number>().as('n')])
      .groupBy(['channel', 'status'])
      .execute()
  ).map((r) => ({ channel: r.channel, status: r.status, count: num(r.n) }));

  const pending = await db
    .selectFrom('deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('status', 'in', ['queued', 'claimed', 'sending'])
    .executeTakeFirstOrThrow();
  const oldest = (pending.oldest as string | null) ?? null;
  const oldestAgeSeconds =
    oldest === null ? null : Math.max(0, (now.getTime() - new Date(oldest).getTime()) / 1000);

  const failed = await sql<{ channel: string; n: number }>`
    select d.channel as channel, count(*) as n from deliveries d
    where d.status = 'failed' and ${NOT_SUPERSEDED} group by d.channel`.execute(db);
  const unknown = await sql<{ n: number }>`
    select count(*) as n from deliveries d
    where d.status = 'unknown' and d.channel = 'email' and ${NOT_SUPERSEDED}`.execute(db);

  const seconds =
    dialect === 'postgres'
      ? sql`extract(epoch from (d.updated_at::timestamptz - d.created_at::timestamptz))`
      : sql`((julianday(d.updated_at) - julianday(d.created_at)) * 86400.0)`;
  const bucketColumns = DELIVERY_LATENCY_BUCKETS.map(
    (le, i) => sql`sum(case when ${seconds} <= ${sql.lit(le)} then 1 else 0 end) as ${sql.ref(`b${i}`)}`,
  );
  const latency = await sql<Record<string, unknown>>`
    select d.channel as channel, count(*) as n, sum(${seconds}) as total, ${sql.join(bucketColumns)}
    from deliveries d where d.status = 'sent' group by d.channel order by d.channel`.execute(db);

  return {
    requestsByStatus,
    refusalsByCode,
    licensesIssued: num(licenses.n),
    deliveries,
    outbox: { depth: num(pending.n), oldestCreatedAt: oldest, oldestAgeSeconds },
    failedNeedingHuman: failed.rows.map((r) => ({ channel: r.channel, count: num(r.n) })),
    unknownEmails: num(unknown.rows[0]?.n),
    pendingApprovals: requestsByStatus['pending_approval'] ?? 0,
    deliveryLatency: latency.rows.map((r) => ({
      channel: String(r['channel']),
      buckets: DELIVERY_LATENCY_BUCKETS.map((_, i) => num(r[`b${i}`])),
      sum: num(r['total']),
      count: num(r['n']),
    })),
  };
}

/** Licenses issued and requests refused on one issue date (the support time zone's calendar day). */
export async function dayStats(
  target: StatsTarget,
  date: CalendarDate,
): Promise<{ issued: number; refused: number }> {
  const issued = await target.db
    .selectFrom('licenses')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('issued_at', '=', date)
    .executeTakeFirstOrThrow();
  const refused = await target.db
    .selectFrom('requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('issue_date', '=', date)
    .where('status', '=', 'refused')
    .executeTakeFirstOrThrow();
  return { issued: num(issued.n), refused: num(refused.n) };
}
