/**
 * The retention purge's I/O (the rules are in src/core/retention.ts): finds requests created before
 * the cutoff and redacts the customer's personal data in every row that belongs to them — the
 * request, its license, deliveries, local tracker/chat/ticket records and audit entries — one
 * request per transaction. Ids, tickets, tracker links and fingerprints stay, so lookups by record id
 * or fingerprint still work, and the audit chain still verifies (sealed entries keep their digest).
 */
import { Kysely, sql, type Transaction } from 'kysely';
import {
  AUDIT_FORMAT_SEALED,
  hasPersonalValues,
  redactLegacyDetails,
  redactSealedDetails,
} from '../../core/audit.js';
import type { Json, JsonObject } from '../../core/license/attributes.js';
import type { Evidence, RequestStatus } from '../../core/ports.js';
import {
  personalValues,
  purgeVerdict,
  redactEvidence,
  REDACTED,
  REDACTED_LICENSE_TEXT,
  scrubJson,
  scrubText,
  type PurgeVerdict,
} from '../../core/retention.js';
import type { PurgeSummary } from '../../core/operations/ports.js';
import type { Database } from './schema.js';
import { purgeEvidence } from './evidence-retention.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface PurgeTarget {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  /** One write transaction (the store's: SQLite takes the write lock up front). */
  inTransaction<T>(work: (db: Executor) => Promise<T>): Promise<T>;
}

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const scrubJsonText = (text: string | null, known: readonly string[]): string | null =>
  text === null ? null : JSON.stringify(scrubJson(JSON.parse(text) as Json, known));

/** The request's facts the verdict needs; `lock` (PostgreSQL) holds its row until the transaction ends. */
async function candidate(db: Executor, id: string, lock = false) {
  const query = db
    .selectFrom('requests')
    .select((eb) => [
      'id',
      'created_at',
      'status',
      'requester_email',
      eb
        .selectFrom('deliveries')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('deliveries.request_id', '=', 'requests.id')
        .where('deliveries.status', 'in', ['queued', 'claimed', 'sending'])
        .as('pending'),
    ])
    .where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

function verdictOf(row: NonNullable<Awaited<ReturnType<typeof candidate>>>, cutoff: string): PurgeVerdict {
  return purgeVerdict(
    {
      createdAt: row.created_at,
      status: row.status as RequestStatus,
      requesterEmail: row.requester_email,
      pendingDeliveries: Number(row.pending ?? 0),
    },
    cutoff,
  );
}

/**
 * Redacts one request's rows (or, with `write` false, only counts what would change). Returns the
 * rows changed per table, or null when the request is no longer to be purged.
 */
async function redactRequest(
  db: Executor,
  id: string,
  cutoff: string,
  now: string,
  write: boolean,
): Promise<{ rows: PurgeSummary['rows']; emails: string[] } | null> {
  const head = await candidate(db, id);
  if (!head || verdictOf(head, cutoff) !== 'purge') return null;
  const request = await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const license = await db.selectFrom('licenses').selectAll().where('request_id', '=', id).executeTakeFirst();
  const evidence = parse<Evidence>(request.evidence);
  const known = personalValues({
    requesterEmail: request.requester_email,
    evidence,
    licenseEmail: license?.email ?? null,
    licenseText: license?.text ?? null,
  });
  const rows = { requests: 0, licenses: 0, deliveries: 0, local_records: 0, audit_log: 0 };

  const requestPatch = {
    requester_email: REDACTED,
    evidence: evidence ? JSON.stringify(redactEvidence(evidence, known)) : request.evidence,
    eligibility: scrubJsonText(request.eligibility, known) ?? request.eligibility,
    override: scrubJsonText(request.override, known),
    decision: scrubJsonText(request.decision, known),
    failure: scrubJsonText(request.failure, known),
    voided: scrubJsonText(request.voided, known),
    origin: scrubJsonText(request.origin, known),
  };
  rows.requests = 1;
  if (write) {
    await db.updateTable('requests').set(requestPatch).where('id', '=', id).execute();
    // The search terms hold the emails and the company; the fingerprints stay findable.
    await db.deleteFrom('request_search').where('request_id', '=', id).where('kind', '=', 'text').execute();
  }

  if (license) {
    rows.licenses = 1;
    if (write) {
      await db.deleteFrom('license_keys').where('license_id', '=', license.id).execute();
      await db
        .updateTable('licenses')
        .set({ email: REDACTED, text: REDACTED_LICENSE_TEXT })
        .where('id', '=', license.id)
        .execute();
    }
  }

  const deliveries = await db.selectFrom('deliveries').selectAll().where('request_id', '=', id).execute();
  const emails = deliveries.filter((d) => d.channel === 'email').map((d) => d.id);
  for (const d of deliveries) {
    const recipient = d.recipient === null ? null : REDACTED;
    const lastError = d.last_error === null ? null : scrubText(d.last_error, known);
    if (recipient === d.recipient && lastError === d.last_error) continue;
    rows.deliveries++;
    if (write) {
      await db
        .updateTable('deliveries')
        .set({ recipient, last_error: lastError })
        .where('id', '=', d.id)
        .execute();
    }
  }

  // The request's local tracker issue, notes and chat posts, and the ticket notes of its ticket
  // (the local ticket system keys those by ticket id).
  const records = await db
    .selectFrom('local_records')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('request_id', '=', id),
        eb.and([
          eb('request_id', 'is', null),
          eb('kind', '=', 'ticket_note'),
          eb('ref', '=', request.ticket_id),
        ]),
      ]),
    )
    .execute();
  for (const r of records) {
    const title = r.title === null ? null : scrubText(r.title, known);
    const body = scrubText(r.body, known);
    const ref = r.ref === null ? null : scrubText(r.ref, known);
    if (title === r.title && body === r.body && ref === r.ref) continue;
    rows.local_records++;
    if (write) {
      await db.updateTable('local_records').set({ title, body, ref }).where('id', '=', r.id).execute();
    }
  }

  const entries = await db
    .selectFrom('audit_log')
    .select(['seq', 'details', 'format', 'salt', 'redacted_at'])
    .where('request_id', '=', id)
    .where('redacted_at', 'is', null)
    .execute();
  for (const e of entries) {
    const details = JSON.parse(e.details) as JsonObject;
    let patch: { details: string; salt: null; redacted_at: string } | null = null;
    if (Number(e.format) === AUDIT_FORMAT_SEALED) {
      // Sealed: the digest covers the salted hashes, so the redacted form still verifies.
      if (e.salt !== null) {
        patch = {
          details: JSON.stringify(redactSealedDetails(details, e.salt)),
          salt: null,
          redacted_at: now,
        };
      }
    } else if (hasPersonalValues(details)) {
      patch = { details: JSON.stringify(redactLegacyDetails(details)), salt: null, redacted_at: now };
    }
    if (!patch) continue;
    rows.audit_log++;
    if (write) await db.updateTable('audit_log').set(patch).where('seq', '=', e.seq).execute();
  }
  return { rows, emails };
}

/**
 * Redacts the personal data of every request created before `cutoff` (ISO 8601) that is neither
 * awaiting a licensing decision nor still being delivered. With `dryRun`, changes nothing and
 * reports what would change. Running it again does nothing more (purged requests are recognised).
 */
export async function purgePersonalData(
  target: PurgeTarget,
  options: { cutoff: string; now: Date; dryRun?: boolean },
): Promise<PurgeSummary> {
  const now = options.now.toISOString();
  const dryRun = options.dryRun === true;
  const summary: PurgeSummary = {
    cutoff: options.cutoff,
    dryRun,
    requests: 0,
    rows: { requests: 0, licenses: 0, deliveries: 0, local_records: 0, audit_log: 0 },
    skipped: { awaiting_decision: 0, delivering: 0 },
    alreadyPurged: 0,
    requestIds: [],
    emailDeliveryIds: [],
    evidence: { records: 0, images: 0, awaitingDecision: 0 },
  };
  // SQLite keeps overwritten content in free space and in the write-ahead log: zero what the purge
  // frees (secure_delete), and fold the log back into the file afterwards (below).
  if (target.dialect === 'sqlite' && !dryRun) await sql`pragma secure_delete = on`.execute(target.db);
  const old = await target.db
    .selectFrom('requests')
    .select('id')
    .where('created_at', '<', options.cutoff)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const { id } of old) {
    const work = async (
      db: Executor,
    ): Promise<PurgeVerdict | { rows: PurgeSummary['rows']; emails: string[] }> => {
      // PostgreSQL: lock the request row, so a void or approval of it waits for the purge.
      const head = await candidate(db, id, !dryRun && target.dialect === 'postgres');
      if (!head) return 'recent';
      const verdict = verdictOf(head, options.cutoff);
      if (verdict !== 'purge') return verdict;
      return (await redactRequest(db, id, options.cutoff, now, !dryRun)) ?? 'recent';
    };
    const outcome = dryRun ? await work(target.db) : await target.inTransaction(work);
    if (typeof outcome === 'string') {
      if (outcome === 'already_purged') summary.alreadyPurged++;
      else if (outcome === 'awaiting_decision' || outcome === 'delivering') summary.skipped[outcome]++;
      continue;
    }
    summary.requests++;
    summary.requestIds.push(id);
    summary.emailDeliveryIds.push(...outcome.emails);
    for (const table of Object.keys(outcome.rows) as (keyof PurgeSummary['rows'])[]) {
      summary.rows[table] += outcome.rows[table];
    }
  }
  summary.evidence = await purgeEvidence(target, { cutoff: options.cutoff, dryRun });
  if (target.dialect === 'sqlite' && !dryRun && summary.requests + summary.evidence.records > 0) {
    // Earlier updates (before secure_delete) left old copies of rows in pages' free space: rebuild
    // the file, then fold the log back into it. Best effort for the checkpoint: it cannot pass a
    // reader of another process that still holds an older snapshot.
    try {
      await sql`vacuum`.execute(target.db);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(target.db);
      summary.fileRewritten = true;
    } catch {
      summary.fileRewritten = false; // e.g. another process kept the database busy: run purge again
    }
  }
  return summary;
}
