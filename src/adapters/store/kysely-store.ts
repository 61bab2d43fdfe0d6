/**
 * The Store port on SQLite (better-sqlite3, the embedded default) and PostgreSQL (pg), through one
 * Kysely implementation. The differences are kept here: how a transaction starts (SQLite takes the
 * write lock up front with BEGIN IMMEDIATE, so concurrent processes queue instead of failing) and
 * how the audit chain's head is locked (PostgreSQL: SELECT … FOR UPDATE).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type CompiledQuery,
  type Insertable,
  type QueryResult,
  type Transaction,
} from 'kysely';
import type pg from 'pg';
import {
  AUDIT_FORMAT_SEALED,
  auditHash,
  sealedDetailsDigest,
  verifyAuditChain,
  type StoredAuditEntry,
} from '../../core/audit.js';
import type { CalendarDate } from '../../core/dates.js';
import type { EligibilityResult, RecentLicense } from '../../core/eligibility/index.js';
import { LifelineError } from '../../core/errors.js';
import { randomHex } from '../random-pool.js';
import type { JsonObject } from '../../core/license/attributes.js';
import {
  holdsTicket,
  TICKET_HOLDING_STATUSES,
  type AuditEntry,
  type AuditVerification,
  type DeliveryCompletion,
  type DeliveryRecord,
  type LicenseRecord,
  type NewAuditEntry,
  type RequestQuery,
  type RequestRecord,
  type RequestStatus,
  type RequestSummary,
  type Store,
  type StoreTransaction,
  type TrackerLink,
} from '../../core/ports.js';
import { fileLicenseKeys, keyDigest, licenseKeyRowsOf } from './customer-keys.js';
import { migrationProvider } from './migrations.js';
import { WalFlusher } from './wal-flush.js';
import { CompiledStatements, setDirectRunner } from './compiled-statements.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

type Db = Kysely<Database>;
type Executor = Kysely<Database> | Transaction<Database>;

const json = (v: unknown): string => JSON.stringify(v);
const parse = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T));

function requestToRow(r: RequestRecord): Database['requests'] {
  return {
    id: r.id,
    ticket_id: r.ticketId,
    ticket_claim: holdsTicket(r) ? r.ticketId : null,
    ticket_url: r.ticketUrl,
    requester_email: r.requesterEmail,
    engineer: r.engineer,
    actor_role: r.actorRole,
    seats: r.seats,
    issue_date: r.issueDate,
    status: r.status,
    evidence: json(r.evidence),
    eligibility: json(r.eligibility),
    override: r.override ? json(r.override) : null,
    decision: r.decision ? json(r.decision) : null,
    failure: r.failure ? json(r.failure) : null,
    voided: r.voided ? json(r.voided) : null,
    tracker_iid: null,
    tracker_url: null,
    origin: r.origin ? json(r.origin) : null,
    date_pinned: r.datePinned ? 1 : 0,
    replaces: r.replaces ?? null,
    replaced_by: r.replacedBy ?? null,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

function rowToRequest(row: Database['requests']): RequestRecord {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    ticketUrl: row.ticket_url,
    requesterEmail: row.requester_email,
    engineer: row.engineer,
    actorRole: row.actor_role as RequestRecord['actorRole'],
    seats: Number(row.seats),
    issueDate: row.issue_date as CalendarDate,
    status: row.status as RequestRecord['status'],
    evidence: parse(row.evidence) as RequestRecord['evidence'],
    eligibility: parse(row.eligibility) as RequestRecord['eligibility'],
    override: parse(row.override),
    decision: parse(row.decision),
    failure: parse(row.failure),
    voided: parse(row.voided),
    origin: parse(row.origin ?? null),
    datePinned: Number(row.date_pinned ?? 0) === 1,
    replaces: row.replaces ?? null,
    replacedBy: row.replaced_by ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function rowToLicense(row: Database['licenses']): LicenseRecord {
  return {
    id: row.id,
    requestId: row.request_id,
    text: row.text,
    fingerprint: row.fingerprint,
    fileName: row.file_name,
    email: row.email,
    seats: Number(row.seats),
    issuedAt: row.issued_at as CalendarDate,
    expiresAt: row.expires_at as CalendarDate,
    createdAt: row.created_at,
  };
}

function rowToDelivery(row: Database['deliveries']): DeliveryRecord {
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function rowToAudit(row: Omit<Database['audit_log'], 'format' | 'salt' | 'redacted_at'>): AuditEntry {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    requestId: row.request_id,
    details: JSON.parse(row.details) as JsonObject,
    detailsDigest: row.details_digest,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Turns driver errors into LifelineError('INFRASTRUCTURE', retryable) without leaking SQL or values. */
function infrastructure(error: unknown, what: string): never {
  if (error instanceof LifelineError) throw error;
  const code = (error as { code?: unknown }).code;
  throw new LifelineError(
    'INFRASTRUCTURE',
    `the database failed while ${what}${code ? ` (${String(code)})` : ''}`,
    {
      retryable: true,
      cause: error,
    },
  );
}

/** A request's deliveries in creation order. */
async function selectDeliveries(db: Executor, requestId: string): Promise<DeliveryRecord[]> {
  const rows = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('request_id', '=', requestId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(rowToDelivery);
}

class KyselyTransaction implements StoreTransaction {
  /** The request this transaction inserted last (its license's keys are filed from it). */
  private lastRequest: RequestRecord | null = null;

  constructor(
    private readonly db: Executor,
    private readonly dialect: Dialect,
    private readonly statements: CompiledStatements,
  ) {}

  async insertRequest(record: RequestRecord): Promise<'inserted' | 'ticket_taken'> {
    const row = requestToRow(record);
    const result = await this.statements.execute(this.db, 'requests.insert', row, (v) =>
      this.db
        .insertInto('requests')
        .values(v as Database['requests'])
        .onConflict((oc) => oc.column('ticket_claim').doNothing())
        .compile(),
    );
    const inserted = Number(result.numAffectedRows ?? 0n) === 1;
    if (inserted) this.lastRequest = record;
    return inserted ? 'inserted' : 'ticket_taken';
  }

  async transitionRequest(
    id: string,
    from: RequestRecord['status'],
    patch: Parameters<StoreTransaction['transitionRequest']>[2],
  ): Promise<boolean> {
    const values: Partial<Database['requests']> = { updated_at: patch.updatedAt };
    if (patch.status) {
      values.status = patch.status;
      if (!TICKET_HOLDING_STATUSES.includes(patch.status)) values.ticket_claim = null;
    }
    if (patch.decision !== undefined) values.decision = patch.decision ? json(patch.decision) : null;
    if (patch.failure !== undefined) values.failure = patch.failure ? json(patch.failure) : null;
    if (patch.voided !== undefined) values.voided = patch.voided ? json(patch.voided) : null;
    if (patch.override !== undefined) values.override = patch.override ? json(patch.override) : null;
    if (patch.replacedBy) {
      // Replaced: the ticket passes to the replacement, inserted in the same transaction.
      values.replaced_by = patch.replacedBy;
      values.ticket_claim = null;
    } else if (patch.status && TICKET_HOLDING_STATUSES.includes(patch.status)) {
      // Claim the ticket again (from a non-holding status); the unique index refuses a second holder.
      values.ticket_claim = sql<string>`ticket_id` as unknown as string;
    }
    let update = this.db.updateTable('requests').set(values).where('id', '=', id).where('status', '=', from);
    // A request is replaced once: a second replace of it loses the race.
    if (patch.replacedBy) update = update.where('replaced_by', 'is', null);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertLicense(r: LicenseRecord): Promise<void> {
    const row: Database['licenses'] = {
      id: r.id,
      request_id: r.requestId,
      text: r.text,
      fingerprint: r.fingerprint,
      file_name: r.fileName,
      email: r.email,
      seats: r.seats,
      issued_at: r.issuedAt,
      expires_at: r.expiresAt,
      created_at: r.createdAt,
    };
    await this.statements.execute(this.db, 'licenses.insert', row, (v) =>
      this.db
        .insertInto('licenses')
        .values(v as Database['licenses'])
        .compile(),
    );
    const request = this.lastRequest?.id === r.requestId ? this.lastRequest : null;
    if (!request) {
      await fileLicenseKeys(this.db, r);
      return;
    }
    // Its request was inserted by this transaction: its keys are in hand, not read back.
    const keys = licenseKeyRowsOf(r, {
      ticketId: request.ticketId,
      requesterEmail: request.requesterEmail,
      previous: request.evidence?.previousLicense ?? null,
    });
    await this.insertRows('license_keys', keys);
  }

  /** A multi-row insert through the compiled statements (shape: table × number of rows). */
  private async insertRows<T extends 'license_keys' | 'deliveries'>(
    table: T,
    rows: readonly Database[T][],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.statements.insertRows(this.db, `${table}.insert`, rows, (r) =>
      this.db
        .insertInto(table)
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the rows of this table (or their markers)
        .values(r as any)
        .compile(),
    );
  }

  async insertDeliveries(records: readonly DeliveryRecord[]): Promise<void> {
    await this.insertRows(
      'deliveries',
      records.map((d) => ({
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
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      })),
    );
  }

  listDeliveries(requestId: string): Promise<DeliveryRecord[]> {
    return selectDeliveries(this.db, requestId);
  }

  async completeDelivery(id: string, workerId: string, c: DeliveryCompletion): Promise<boolean> {
    const result = await this.db
      .updateTable('deliveries')
      .set({
        status: c.status,
        last_error: c.lastError,
        next_attempt_at: c.nextAttemptAt,
        external_ref: c.externalRef,
        claimed_by: null,
        claimed_until: null,
        updated_at: c.updatedAt,
      })
      .where('id', '=', id)
      .where('claimed_by', '=', workerId)
      .where('status', 'in', ['claimed', 'sending'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async setTrackerLink(requestId: string, link: TrackerLink): Promise<void> {
    await this.db
      .updateTable('requests')
      .set({ tracker_iid: link.iid, tracker_url: link.url })
      .where('id', '=', requestId)
      .execute();
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    const { rows: heads } = await this.statements.execute(this.db, 'audit_head.select', { id: 1 }, (v) => {
      const head = this.db
        .selectFrom('audit_head')
        .select(['seq', 'hash'])
        .where('id', '=', v['id'] as number);
      return (this.dialect === 'postgres' ? head.forUpdate() : head).compile();
    });
    const current = heads[0];
    if (!current) throw new Error('the audit head row is missing');
    // Sealed (format 2): personal values enter the digest only as salted hashes, so retention can
    // redact them later without breaking the chain (src/core/audit.ts).
    const salt = randomHex(16);
    const digest = sealedDetailsDigest(entry.details, salt) as string;
    const base = {
      ...entry,
      seq: Number(current.seq) + 1,
      detailsDigest: digest,
      prevHash: current.hash,
      format: AUDIT_FORMAT_SEALED,
    };
    const full: AuditEntry = {
      id: base.id,
      at: base.at,
      actor: base.actor,
      action: base.action,
      requestId: base.requestId,
      details: base.details,
      seq: base.seq,
      detailsDigest: digest,
      prevHash: base.prevHash,
      hash: auditHash(current.hash, base),
    };
    const row: Insertable<Database['audit_log']> = {
      seq: full.seq,
      id: full.id,
      at: full.at,
      actor: full.actor,
      action: full.action,
      request_id: full.requestId,
      details: json(full.details),
      details_digest: full.detailsDigest,
      prev_hash: full.prevHash,
      hash: full.hash,
      format: AUDIT_FORMAT_SEALED,
      salt,
    };
    await this.statements.execute(this.db, 'audit_log.insert', row, (v) =>
      this.db
        .insertInto('audit_log')
        .values(v as Insertable<Database['audit_log']>)
        .compile(),
    );
    await this.statements.execute(
      this.db,
      'audit_head.update',
      { seq: full.seq, hash: full.hash, id: 1 },
      (v) =>
        this.db
          .updateTable('audit_head')
          .set({ seq: v['seq'] as number, hash: v['hash'] as string })
          .where('id', '=', v['id'] as number)
          .compile(),
    );
    return full;
  }
}

export class KyselyStore implements Store {
  /** The hot statements, compiled once per shape for this store's dialect. */
  private readonly statements = new CompiledStatements();

  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
    /** PostgreSQL: the schema this store lives in (created on migrate), when not the default. */
    readonly schema?: string,
    /** SQLite: a file locked while migrating, so that processes starting together migrate one at a time. */
    private readonly migrationLockPath?: string,
    /** SQLite: the group commit that makes each write durable before it is answered (wal-flush.ts). */
    private readonly flusher?: WalFlusher,
    /** SQLite: called once the schema is migrated (switches lock waits to the event loop). */
    private readonly onMigrated?: () => void,
    /** SQLite: the connection, on which the compiled statements run directly where they may. */
    private readonly sqlite?: BetterSqlite3.Database,
  ) {
    // Outside a transaction a compiled statement runs at once; one that finds the lock taken goes
    // through the executor, which waits for it (EventLoopLockWaitDialect).
    if (sqlite)
      setDirectRunner(db, (text, parameters) =>
        sqlite.inTransaction ? null : runAlone(sqlite, text, parameters),
      );
  }

  async migrate(): Promise<{ applied: string[] }> {
    if (this.dialect === 'sqlite' && this.migrationLockPath) {
      // Kysely takes no lock on SQLite. BEGIN IMMEDIATE on a separate lock database waits
      // (busy_timeout) while another process holds it; the OS releases it if that process dies.
      const lock = new BetterSqlite3(this.migrationLockPath);
      try {
        lock.pragma('busy_timeout = 120000');
        try {
          lock.exec('begin immediate');
        } catch (error) {
          infrastructure(error, 'waiting for another process to finish migrating');
        }
        return await this.migrateUnlocked();
      } finally {
        if (lock.inTransaction) lock.exec('rollback');
        lock.close();
      }
    }
    return this.migrateUnlocked();
  }

  private async migrateUnlocked(): Promise<{ applied: string[] }> {
    let migrationTableSchema: string | undefined;
    if (this.dialect === 'postgres') {
      // Concurrent `create schema if not exists` may still fail on the catalog's unique index.
      if (this.schema) {
        await sql`create schema if not exists ${sql.id(this.schema)}`.execute(this.db).catch(async (e) => {
          const found = await sql`select 1 from pg_namespace where nspname = ${this.schema}`.execute(this.db);
          if (found.rows.length === 0) infrastructure(e, 'creating the schema');
        });
      }
      // Kysely looks for its migration tables in every schema unless told which: a second schema in
      // the same database would otherwise find the first one's tables and never create its own.
      const current = await sql<{ s: string | null }>`select current_schema() as s`
        .execute(this.db)
        .catch((e: unknown) => infrastructure(e, 'migrating the schema'));
      migrationTableSchema = this.schema ?? current.rows[0]?.s ?? 'public';
    }
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider,
      ...(migrationTableSchema ? { migrationTableSchema } : {}),
    });
    let { error, results } = await migrator.migrateToLatest();
    // SQLite has no migration lock across processes in Kysely: when another process migrated at the
    // same moment, our attempt rolled back ("already exists"); the next attempt finds it done.
    for (let attempt = 0; error && this.dialect === 'sqlite' && attempt < 5; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
      ({ error, results } = await migrator.migrateToLatest());
    }
    if (error) infrastructure(error, 'migrating the schema');
    this.onMigrated?.();
    return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  }

  async transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.inTransaction((db) => work(new KyselyTransaction(db, this.dialect, this.statements)));
  }

  /**
   * Runs `work` with an executor bound to one write transaction (for store modules outside this
   * class, such as the retention purge).
   */
  async inTransaction<T>(work: (db: Executor) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.db.transaction().execute(work);
    const result = await this.sqliteTransaction(work, true);
    await this.flusher?.flush();
    return result;
  }

  /**
   * Runs writes whose loss in a power cut does no harm (a rate-limit count), answered as soon as they
   * are committed. On SQLite they share the batch, and the one commit, of the write transactions
   * asked for in the same turn of the event loop, and do not wait for the WAL sync; on PostgreSQL
   * each statement commits on its own.
   */
  async inTransactionUnsynced<T>(work: (db: Executor) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return work(this.db);
    return this.sqliteTransaction(work, false);
  }

  /**
   * SQLite: the write transactions asked for in one turn of the event loop are run one after the
   * other inside ONE transaction and ONE commit, each in its own savepoint: a work that fails is
   * rolled back alone and its caller gets its error; the others commit together (the commit's page
   * writes and lock round trips are shared). A failed COMMIT rejects every work of the batch, none
   * of which is then stored. Each caller is answered only after the batch committed.
   * BEGIN IMMEDIATE takes the write lock at once, so another process waits instead of failing when
   * it upgrades a read lock later.
   */
  private sqliteTransaction<T>(work: (db: Executor) => Promise<T>, synced: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.batchQueue.push({ work, synced, resolve: resolve as (value: unknown) => void, reject });
      if (!synced || this.batchQueue.length >= MAX_BATCH) this.wakeDrain?.();
      if (!this.batching) {
        this.batching = true;
        setImmediate(() => void this.drainBatches());
      }
    });
  }

  private readonly batchQueue: QueuedWork[] = [];
  private batching = false;
  /** Ends the drain's wait for a running WAL sync (a work that must not wait, or a full batch). */
  private wakeDrain: (() => void) | null = null;
  /** SQLite: how many batches were committed (for tests). */
  commits = 0;

  private async drainBatches(): Promise<void> {
    try {
      while (this.batchQueue.length > 0) {
        // While a WAL sync runs, a commit made now would wait for the next sync anyway: the works
        // that arrive meanwhile join this batch instead (fewer, larger commits; no later answer).
        // A work answered without a sync (a rate-limit count) is committed at once.
        const syncing = this.flusher?.syncing;
        if (syncing && this.batchQueue.length < MAX_BATCH && this.batchQueue.every((w) => w.synced)) {
          await new Promise<void>((resolve) => {
            this.wakeDrain = resolve;
            void syncing.then(resolve);
          });
          this.wakeDrain = null;
        }
        await this.commitBatch(this.batchQueue.splice(0, MAX_BATCH));
      }
    } finally {
      this.batching = false;
    }
  }

  private async commitBatch(batch: QueuedWork[]): Promise<void> {
    const outcomes: (() => void)[] = [];
    try {
      await this.db.connection().execute(async (conn) => {
        // BEGIN IMMEDIATE through the executor, which waits for another process's lock.
        await sql`begin immediate`.execute(conn);
        // From here this batch holds the connection and its transaction: the compiled statements of
        // its works, and the batch's own, run on it at once (compiled-statements.ts).
        const database = this.sqlite;
        const run = (text: string): Promise<unknown> =>
          database ? Promise.resolve(runOnSqlite(database, text, [])) : sql.raw(text).execute(conn);
        if (database) setDirectRunner(conn, (text, parameters) => runOnSqlite(database, text, parameters));
        try {
          for (const item of batch) {
            if (batch.length === 1) {
              const result = await item.work(conn);
              outcomes.push(() => item.resolve(result));
              continue;
            }
            await run('savepoint lifeline_work');
            try {
              const result = await item.work(conn);
              await run('release lifeline_work');
              outcomes.push(() => item.resolve(result));
            } catch (error) {
              await run('rollback to lifeline_work');
              await run('release lifeline_work');
              outcomes.push(() => item.reject(error));
            }
          }
          await run('commit');
          this.commits++;
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        } finally {
          setDirectRunner(conn, null);
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const settle of outcomes) settle();
  }

  async getRequest(id: string): Promise<RequestRecord | null> {
    const row = await this.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToRequest(row) : null;
  }

  async findTicketHolder(ticketId: string): Promise<RequestRecord | null> {
    const { rows } = await this.statements.execute(this.db, 'requests.byTicketClaim', { ticketId }, (v) =>
      this.db
        .selectFrom('requests')
        .selectAll()
        .where('ticket_claim', '=', v['ticketId'] as string)
        .compile(),
    );
    const row = rows[0];
    return row ? rowToRequest(row) : null;
  }

  async findRequests(query: RequestQuery): Promise<RequestRecord[]> {
    let q = this.db.selectFrom('requests').selectAll();
    if (query.email) q = q.where('requester_email', '=', query.email.trim().toLowerCase());
    if (query.ticketId) q = q.where('ticket_id', '=', query.ticketId);
    if (query.engineer) q = q.where('engineer', '=', query.engineer);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.createdFrom) q = q.where('created_at', '>=', query.createdFrom);
    if (query.createdTo) q = q.where('created_at', '<=', query.createdTo);
    if (query.before) {
      const cursor = await this.db
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

  async getLicenseForRequest(requestId: string): Promise<LicenseRecord | null> {
    const row = await this.db
      .selectFrom('licenses')
      .selectAll()
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    return row ? rowToLicense(row) : null;
  }

  async findLicenseByFingerprint(fingerprint: string): Promise<LicenseRecord | null> {
    const hex = fingerprint.toLowerCase();
    const row =
      (await this.db.selectFrom('licenses').selectAll().where('fingerprint', '=', hex).executeTakeFirst()) ??
      (await this.db
        .selectFrom('licenses')
        .selectAll()
        .where(
          'id',
          '=',
          this.db
            .selectFrom('license_fingerprint_aliases')
            .select('license_id')
            .where('fingerprint', '=', hex)
            .limit(1),
        )
        .executeTakeFirst());
    return row ? rowToLicense(row) : null;
  }

  listDeliveries(requestId: string): Promise<DeliveryRecord[]> {
    return selectDeliveries(this.db, requestId);
  }

  async listAudit(filter: { requestId?: string }): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll();
    if (filter.requestId) q = q.where('request_id', '=', filter.requestId);
    const rows = await q.orderBy('seq').execute();
    return rows.map(rowToAudit);
  }

  async recentLicenses(since: CalendarDate, keys: readonly string[]): Promise<RecentLicense[]> {
    if (keys.length === 0) return [];
    const digests = [...new Set(keys.map(keyDigest))];
    const values: Record<string, string> = { since };
    digests.forEach((d, i) => (values[`key${i}`] = d));
    const { rows } = await this.statements.execute(
      this.db,
      `licenses.recent×${digests.length}`,
      values,
      (v) =>
        this.db
          .selectFrom('licenses')
          .innerJoin('requests', 'requests.id', 'licenses.request_id')
          .select([
            'requests.id as requestId',
            'requests.ticket_id as ticketId',
            'requests.requester_email as requesterEmail',
            'licenses.issued_at as issuedAt',
            'requests.evidence as evidence',
            'requests.replaced_by as replacedBy',
          ])
          .where('licenses.issued_at', '>=', v['since'] as string)
          .where('licenses.id', 'in', (eb) =>
            eb
              .selectFrom('license_keys')
              .select('license_keys.license_id')
              .where(
                'license_keys.key',
                'in',
                digests.map((_, i) => v[`key${i}`] as string),
              )
              .where('license_keys.issued_at', '>=', v['since'] as string),
          )
          .compile(),
    );
    return rows.map((r) => {
      const previous = (parse(r.evidence) as RequestRecord['evidence'] | null)?.previousLicense ?? null;
      return {
        requestId: r.requestId,
        ticketId: r.ticketId,
        requesterEmail: r.requesterEmail,
        issuedAt: r.issuedAt as CalendarDate,
        previousLicenseFingerprint: previous?.fingerprint ?? null,
        previousLicenseeEmail: previous?.licenseeEmail ?? null,
        previousLicenseeCompany: previous?.licenseeCompany ?? null,
        previousSubscriptionId: previous?.subscriptionId ?? null,
        voidedByReplace: r.replacedBy !== null,
      };
    });
  }

  async claimDueDeliveries(
    now: string,
    leaseUntil: string,
    workerId: string,
    limit: number,
    requestId?: string,
  ): Promise<DeliveryRecord[]> {
    return this.inTransaction(async (db) => {
      // Two searches, each in the order of the (status, next_attempt_at) index and stopped at
      // `limit`, merged: one query with OR collected every due row and sorted them all, so with a
      // backlog each poll read the whole outbox (about 3 ms per poll at 50,000 queued).
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
        if (this.dialect === 'postgres') q = q.forUpdate().skipLocked();
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
    });
  }

  async markSending(id: string, workerId: string, updatedAt: string): Promise<boolean> {
    // On disk before the message goes out (inTransaction awaits the WAL sync): after a power loss
    // it must come back as `sending`. On SQLite it shares the commit batch of the same moment.
    const result = await this.inTransaction((db) =>
      db
        .updateTable('deliveries')
        .set({ status: 'sending', updated_at: updatedAt })
        .where('id', '=', id)
        .where('claimed_by', '=', workerId)
        .where('status', '=', 'claimed')
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async pendingDeliveries(requestId?: string): Promise<{ count: number; nextDueAt: string | null }> {
    let q = this.db
      .selectFrom('deliveries')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('next_attempt_at').as('next')])
      .where('status', 'in', ['queued', 'claimed', 'sending']);
    if (requestId) q = q.where('request_id', '=', requestId);
    const row = await q.executeTakeFirstOrThrow();
    return { count: Number(row.n), nextDueAt: (row.next as string | null) ?? null };
  }

  async getTrackerLink(requestId: string): Promise<TrackerLink | null> {
    const row = await this.db
      .selectFrom('requests')
      .select(['tracker_iid', 'tracker_url'])
      .where('id', '=', requestId)
      .executeTakeFirst();
    return row?.tracker_iid ? { iid: row.tracker_iid, url: row.tracker_url } : null;
  }

  async requestSummaries(range: { createdFrom: string; createdTo: string }): Promise<RequestSummary[]> {
    const rows = await this.db
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

  async verifyAudit(): Promise<AuditVerification> {
    const head = await this.db
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirst();
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    const entries: StoredAuditEntry[] = rows.map((row) => ({
      ...rowToAudit(row),
      format: Number(row.format),
      salt: row.salt,
      redactedAt: row.redacted_at,
    }));
    return verifyAuditChain(entries, head ? { seq: Number(head.seq), hash: head.hash } : null);
  }

  async close(): Promise<void> {
    await this.flusher?.close();
    await this.db.destroy();
  }

  /**
   * SQLite: after how many pages in the write-ahead log a commit on this connection copies them into
   * the database (a checkpoint, which blocks the caller: with `synchronous = NORMAL` it also syncs
   * both files). SQLite's default is SQLITE_AUTOCHECKPOINT_PAGES; nothing elsewhere.
   */
  async setWalAutocheckpoint(pages: number): Promise<void> {
    if (this.dialect !== 'sqlite') return;
    if (!Number.isInteger(pages) || pages < 0)
      throw new RangeError('wal_autocheckpoint takes a whole number');
    await sql.raw(`pragma wal_autocheckpoint = ${pages}`).execute(this.db);
  }

  /** How many WAL syncs the group commit made (SQLite files; 0 elsewhere). */
  get walSyncs(): number {
    return this.flusher?.syncs ?? 0;
  }
}

export interface PostgresOptions {
  url: string;
  /** A schema to use (created if missing), e.g. one per test run. */
  schema?: string;
  poolSize?: number;
}

/** Errors that mean "the database cannot be reached now", not "this statement is wrong". */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (typeof code === 'string' && (/^(08|57P0[1-3]|53)/.test(code) || NETWORK_ERRORS.includes(code)))
    return true;
  return CONNECTION_LOST.test(message);
}
const NETWORK_ERRORS = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
];
const CONNECTION_LOST =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended/i;

/**
 * PostgreSQL through Kysely, with a lost or refused connection turned into LifelineError
 * INFRASTRUCTURE (retryable): the API then answers 503 "a dependency is unavailable" instead of 500
 * "internal error" while the database restarts (found by the chaos run). Other errors pass unchanged.
 */
class ConnectionErrorsDialect extends PostgresDialect {
  override createDriver(): ReturnType<PostgresDialect['createDriver']> {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    const patched = new WeakSet<object>();
    const map = (error: unknown): never => {
      if (!isConnectionError(error)) throw error;
      const code = (error as { code?: unknown }).code;
      throw new LifelineError(
        'INFRASTRUCTURE',
        `the database cannot be reached (${typeof code === 'string' ? code : 'connection lost'})`,
        { retryable: true, cause: error },
      );
    };
    driver.acquireConnection = async () => {
      const connection = await acquire().catch(map);
      if (!patched.has(connection)) {
        // Patched in place: the driver releases the very object it handed out.
        const execute = connection.executeQuery.bind(connection);
        connection.executeQuery = <R>(query: CompiledQuery) => execute<R>(query).catch(map);
        patched.add(connection);
      }
      return connection;
    };
    return driver;
  }
}

export function openPostgresStore(options: PostgresOptions): KyselyStore {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new LifelineError('CONFIG_INVALID', 'a PostgreSQL schema name is lower-case letters, digits and _');
  }
  // pg is loaded only here: an SQLite app (and every command on it) does without its start-up cost.
  const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  // Nor may a checked-out client's: pg-pool listens only while a client is idle, and a client in a
  // transaction between two statements emits 'error' itself when the server goes away (found by the
  // chaos run: a PostgreSQL restart crashed `serve`). Its next query fails, and the pool drops it.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return new KyselyStore(
    new Kysely<Database>({ dialect: new ConnectionErrorsDialect({ pool }) }),
    'postgres',
    schema,
  );
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs about as much as running most of
 * the store's queries (~0.1 ms each, a dozen per issue). The store's queries are a small fixed set,
 * so their prepared statements are kept, in a bounded cache (`in (…)` lists vary in length). A
 * statement still busy (an unfinished iteration) is never handed out twice: a new one is prepared.
 */
function reuseStatements(database: BetterSqlite3.Database, max = 256): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, BetterSqlite3.Statement>();
  database.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      cache.delete(source); // most recently used last
      cache.set(source, hit);
      return hit;
    }
    const statement = prepare(source);
    cache.set(source, statement);
    if (cache.size > max) cache.delete(cache.keys().next().value as string);
    return statement;
  }) as BetterSqlite3.Database['prepare'];
}

/**
 * Switches the file to WAL (it stays so). On a fresh file opened by several processes at the same
 * moment, SQLite can answer SQLITE_BUSY at once, without waiting for the busy timeout: try again,
 * briefly, instead of failing the start.
 */
function enableWal(database: BetterSqlite3.Database): void {
  for (let attempt = 1; ; attempt++) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 200) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 40);
    }
  }
}

/** A write transaction waiting for its SQLite batch (KyselyStore.sqliteTransaction). */
interface QueuedWork {
  work: (db: Executor) => Promise<unknown>;
  /** Its caller awaits the WAL sync after the commit (inTransaction; not inTransactionUnsynced). */
  synced: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A statement run at once on the connection, with the result Kysely's SQLite driver gives. */
function runOnSqlite(
  database: BetterSqlite3.Database,
  source: string,
  parameters: readonly unknown[],
): QueryResult<unknown> {
  const statement = database.prepare(source);
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/** runOnSqlite outside a transaction; null (the executor then waits) when the lock is taken. */
function runAlone(
  database: BetterSqlite3.Database,
  source: string,
  parameters: readonly unknown[],
): QueryResult<unknown> | null {
  try {
    return runOnSqlite(database, source, parameters);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return null;
    throw error;
  }
}

/** SQLite's own default for `wal_autocheckpoint`, in pages. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/** At most this many write transactions share one SQLite commit. */
const MAX_BATCH = 64;

/** How long a SQLite statement waits for another process's write lock (as busy_timeout did). */
const SQLITE_LOCK_WAIT_MS = 15_000;

/**
 * SQLite waits for another process's write lock in its busy handler, by sleeping the thread: in a
 * server that is the whole event loop, so with several processes on one file each collision stopped
 * every request of the waiting process for a millisecond or more. Once migrated (`busy_timeout = 0`,
 * see openSqliteStore), a statement refused with SQLITE_BUSY outside a transaction — BEGIN IMMEDIATE,
 * or a single write — is tried again after yielding to the event loop, with a short randomised
 * pause, for up to SQLITE_LOCK_WAIT_MS. Inside a transaction the lock is already held (every write
 * transaction begins IMMEDIATE), so a BUSY there is passed on as before.
 */
class EventLoopLockWaitDialect extends SqliteDialect {
  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly lockWaitMs: number,
  ) {
    super({ database });
  }

  override createDriver(): ReturnType<SqliteDialect['createDriver']> {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    const patched = new WeakSet<object>();
    const { database, lockWaitMs } = this;
    driver.acquireConnection = async () => {
      const connection = await acquire();
      if (!patched.has(connection)) {
        const execute = connection.executeQuery.bind(connection);
        connection.executeQuery = async <R>(query: CompiledQuery) => {
          const deadline = Date.now() + lockWaitMs;
          for (let attempt = 0; ; attempt++) {
            try {
              return await execute<R>(query);
            } catch (error) {
              // SQLITE_BUSY and its transient kinds (e.g. _RECOVERY); not _SNAPSHOT, which waiting
              // cannot cure (and which only a read-then-write transaction gets: ours begin IMMEDIATE).
              const code = (error as { code?: unknown } | null)?.code;
              const busy =
                typeof code === 'string' && code.startsWith('SQLITE_BUSY') && code !== 'SQLITE_BUSY_SNAPSHOT';
              if (!busy || database.inTransaction) throw error;
              if (Date.now() >= deadline) {
                // Another process kept the lock all along (a stuck `lifeline` or a tool holding the
                // file): the API answers 503 "try again", not 500.
                throw new LifelineError(
                  'INFRASTRUCTURE',
                  `the SQLite database stayed locked by another process for ${lockWaitMs / 1000} s`,
                  { retryable: true, cause: error },
                );
              }
              await lockPause(attempt);
            }
          }
        };
        patched.add(connection);
      }
      return connection;
    };
    return driver;
  }
}

/**
 * The pause before the next try for a lock: the next turn of the event loop twice, then about a
 * millisecond (randomised, so two waiting processes do not try in step). Another process holds the
 * lock for one batch, about a millisecond; a longer pause left both processes idle (bench http:
 * pauses of up to 8 ms gave 804–936 issued/s with `--processes 2`, 1 ms gave 953–1,025).
 */
function lockPause(attempt: number): Promise<void> {
  if (attempt < 2) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, 0.5 + Math.random()));
}

export interface SqliteStoreOptions {
  /** How the group commit syncs the WAL file (tests slow it down); default: fdatasync. */
  syncWal?: (handle: FileHandle) => Promise<void>;
  /** How long a write waits for another process's lock (default SQLITE_LOCK_WAIT_MS; tests shorten it). */
  lockWaitMs?: number;
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): KyselyStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('busy_timeout = 15000');
  enableWal(database);
  database.pragma('foreign_keys = ON');
  // A file database commits with NORMAL and is made durable by the group commit (wal-flush.ts)
  // before any write is answered; an in-memory one has nothing to sync.
  database.pragma(path === ':memory:' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  // Each work of a commit batch runs in a savepoint, whose statement journal keeps the original of
  // every page the work changes. Past 64 KiB (an issue changes more) SQLite spills that journal to a
  // new temporary file in /var/tmp for each batch; in memory it is a copy (strace during bench http:
  // about 70 temporary-file writes per license before, none after).
  database.pragma('temp_store = MEMORY');
  reuseStatements(database);
  return new KyselyStore(
    new Kysely<Database>({
      dialect: new EventLoopLockWaitDialect(database, options.lockWaitMs ?? SQLITE_LOCK_WAIT_MS),
    }),
    'sqlite',
    undefined,
    path === ':memory:' ? undefined : `${path}.migrate-lock`,
    path === ':memory:' ? undefined : new WalFlusher(`${path}-wal`, options.syncWal),
    // Migrating waited in SQLite's busy handler (the migrator's own transactions cannot be retried
    // statement by statement); from now on lock waits are EventLoopLockWaitDialect's.
    () => database.pragma('busy_timeout = 0'),
    database,
  );
}
