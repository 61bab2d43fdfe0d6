/** Reads of requests: by id, the ticket's holder, a filtered page, the tracker link, report summaries. */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { EligibilityResult } from '../../../core/eligibility/index.js';
import type { RequestSearch } from '../../../core/issuance/search.js';
import type {
  RequestAttention,
  RequestQuery,
  RequestRecord,
  RequestStatus,
  RequestSummary,
  TrackerLink,
} from '../../../core/ports.js';
import type { CompiledStatements } from '../compiled-statements.js';
import type { Db } from '../executor.js';
import { parse } from '../rows/json.js';
import { rowToRequest } from '../rows/requests.js';
import { termMatches } from '../search-terms.js';
import { NOT_SUPERSEDED } from '../stats-queries.js';

export async function getRequest(db: Db, id: string): Promise<RequestRecord | null> {
  const row = await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToRequest(row) : null;
}

export async function findTicketHolder(
  db: Db,
  statements: CompiledStatements,
  ticketId: string,
): Promise<RequestRecord | null> {
  const { rows } = await statements.execute(db, 'requests.byTicketClaim', { ticketId }, (v) =>
    db
      .selectFrom('requests')
      .selectAll()
      .where('ticket_claim', '=', v['ticketId'] as string)
      .compile(),
  );
  const row = rows[0];
  return row ? rowToRequest(row) : null;
}

/**
 * A narrowing (search or attention) with at most this many requests is answered from their ids
 * (found by index, then sorted); a broader one by reading requests newest first until the page is
 * full, each checked with an EXISTS on an index.
 */
const NARROW_LIMIT = 2_000;

/** A request matching the search: one of its terms starts with the query (`s`: request_search). */
const searchMatch = (search: RequestSearch) =>
  sql<SqlBool>`exists (select 1 from request_search s where s.request_id = requests.id and ${termMatches(search)})`;

/** A delivery of the request (`d`) that asks for this kind of attention. */
const ATTENTION: Record<RequestAttention, RawBuilder<SqlBool>> = {
  failed_delivery: sql<SqlBool>`d.status = 'failed' and ${NOT_SUPERSEDED}`,
  unknown_email: sql<SqlBool>`d.status = 'unknown' and d.channel = 'email' and ${NOT_SUPERSEDED}`,
  delivering: sql<SqlBool>`d.status in ('queued', 'claimed', 'sending')`,
};

/** The narrowing as ids when there are few, else as a condition on each request. */
async function narrowing(db: Db, query: RequestQuery): Promise<Expression<SqlBool>[] | 'none'> {
  const parts: Expression<SqlBool>[] = [];
  const kinds: { ids: RawBuilder<{ request_id: string }>; each: Expression<SqlBool> }[] = [];
  if (query.search) {
    kinds.push({
      ids: sql`select s.request_id from request_search s where ${termMatches(query.search)}`,
      each: searchMatch(query.search),
    });
  }
  if (query.attention) {
    const condition = ATTENTION[query.attention];
    kinds.push({
      ids: sql`select d.request_id from deliveries d where ${condition}`,
      each: sql<SqlBool>`exists (select 1 from deliveries d where d.request_id = requests.id and ${condition})`,
    });
  }
  for (const kind of kinds) {
    // Not DISTINCT: that would read every match before the limit applies.
    const { rows } = await sql<{ request_id: string }>`${kind.ids} limit ${NARROW_LIMIT + 1}`.execute(db);
    if (rows.length === 0) return 'none';
    const ids = [...new Set(rows.map((r) => r.request_id))];
    if (rows.length > NARROW_LIMIT) parts.push(kind.each);
    else parts.push(sql<SqlBool>`requests.id in (${sql.join(ids)})`);
  }
  return parts;
}

export async function findRequests(db: Db, query: RequestQuery): Promise<RequestRecord[]> {
  const narrowed = await narrowing(db, query);
  if (narrowed === 'none') return [];
  let q = db.selectFrom('requests').selectAll();
  for (const condition of narrowed) q = q.where(condition);
  if (query.email) q = q.where('requester_email', '=', query.email.trim().toLowerCase());
  if (query.ticketId) q = q.where('ticket_id', '=', query.ticketId);
  if (query.engineer) q = q.where('engineer', '=', query.engineer);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.createdFrom) q = q.where('created_at', '>=', query.createdFrom);
  if (query.createdTo) q = q.where('created_at', '<=', query.createdTo);
  if (query.before) {
    const cursor = await db
      .selectFrom('requests')
      .select(['created_at', 'id'])
      .where('id', '=', query.before)
      .executeTakeFirst();
    if (cursor) {
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '<', cursor.created_at),
          eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)]),
        ]),
      );
    }
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(query.limit ?? 50, 1), 500))
    .execute();
  return rows.map(rowToRequest);
}

export async function getTrackerLink(db: Db, requestId: string): Promise<TrackerLink | null> {
  const row = await db
    .selectFrom('requests')
    .select(['tracker_iid', 'tracker_url'])
    .where('id', '=', requestId)
    .executeTakeFirst();
  return row?.tracker_iid ? { iid: row.tracker_iid, url: row.tracker_url } : null;
}

/** Each request created in the range: its status, refusal codes and when its license email went. */
export async function requestSummaries(
  db: Db,
  range: { createdFrom: string; createdTo: string },
): Promise<RequestSummary[]> {
  const rows = await db
    .selectFrom('requests')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('deliveries')
          .select(['request_id', (e) => e.fn.min('updated_at').as('sent_at')])
          .where('channel', '=', 'email')
          .where('purpose', '=', 'issue')
          .where('status', '=', 'sent')
          .groupBy('request_id')
          .as('sent'),
      (join) => join.onRef('sent.request_id', '=', 'requests.id'),
    )
    .select(['requests.status', 'requests.created_at', 'requests.eligibility', 'sent.sent_at'])
    .where('requests.created_at', '>=', range.createdFrom)
    .where('requests.created_at', '<=', range.createdTo)
    .execute();
  return rows.map((row) => {
    const eligibility = row.status === 'refused' ? parse<EligibilityResult>(row.eligibility) : null;
    return {
      status: row.status as RequestStatus,
      createdAt: row.created_at,
      refusalCodes: eligibility?.refusals.map((r) => r.code) ?? [],
      emailSentAt: row.sent_at ?? null,
    };
  });
}
