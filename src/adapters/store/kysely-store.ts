/**
 * The Store port on SQLite and PostgreSQL through one Kysely implementation. Opening a store is
 * sqlite/open.ts or postgres/open.ts; the queries live in queries/, the writes in transaction.ts.
 */
import { sql } from 'kysely';
import type { CalendarDate } from '../../core/dates.js';
import type { RecentLicense } from '../../core/eligibility/index.js';
import type {
  AuditEntry,
  AuditVerification,
  DeliveryRecord,
  LicenseRecord,
  RequestQuery,
  RequestRecord,
  RequestSummary,
  Store,
  StoreTransaction,
  TrackerLink,
} from '../../core/ports.js';
import { CompiledStatements } from './compiled-statements.js';
import type { Db, Dialect, Executor } from './executor.js';
import { migrateStore } from './migrate.js';
import { listAudit, verifyAudit } from './queries/audit.js';
import { claimDue, markSending, pendingDeliveries, selectDeliveries } from './queries/deliveries.js';
import { findLicenseByFingerprint, getLicenseForRequest, recentLicenses } from './queries/licenses.js';
import {
  findRequests,
  findTicketHolder,
  getRequest,
  getTrackerLink,
  requestSummaries,
} from './queries/requests.js';
import type { SqliteGroupCommit } from './sqlite/group-commit.js';
import type { WalFlusher } from './sqlite/wal-flush.js';
import { KyselyTransaction } from './transaction.js';

export type { Dialect } from './executor.js';

/** SQLite's own default for `wal_autocheckpoint`, in pages. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

export interface KyselyStoreOptions {
  db: Db;
  dialect: Dialect;
  /** PostgreSQL: the schema this store lives in (created on migrate), when not the default. */
  schema?: string | undefined;
  /** SQLite: a file locked while migrating, so that processes starting together migrate one at a time. */
  migrationLockPath?: string | undefined;
  /** SQLite: the WAL sync that makes each write durable before it is answered (sqlite/wal-flush.ts). */
  flusher?: WalFlusher | undefined;
  /** SQLite: the batch that shares one commit among the write transactions of a moment. */
  groupCommit?: SqliteGroupCommit | undefined;
  /** SQLite: called once the schema is migrated (switches lock waits to the event loop). */
  onMigrated?: (() => void) | undefined;
}

export class KyselyStore implements Store {
  readonly db: Db;
  readonly dialect: Dialect;
  readonly schema: string | undefined;
  /** The hot statements, compiled once per shape for this store's dialect. */
  private readonly statements = new CompiledStatements();
  private readonly flusher: WalFlusher | undefined;
  private readonly groupCommit: SqliteGroupCommit | undefined;

  constructor(private readonly options: KyselyStoreOptions) {
    this.db = options.db;
    this.dialect = options.dialect;
    this.schema = options.schema;
    this.flusher = options.flusher;
    this.groupCommit = options.groupCommit;
  }

  migrate(): Promise<{ applied: string[] }> {
    return migrateStore(this.options);
  }

  async transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.inTransaction((db) => work(new KyselyTransaction(db, this.dialect, this.statements)));
  }

  /**
   * Runs `work` with an executor bound to one write transaction (for store modules outside this
   * class, such as the retention purge). On SQLite it joins the group commit and awaits the WAL sync.
   */
  async inTransaction<T>(work: (db: Executor) => Promise<T>): Promise<T> {
    if (!this.groupCommit) return this.db.transaction().execute(work);
    const result = await this.groupCommit.run(work, true);
    await this.flusher?.flush();
    return result;
  }

  /**
   * Runs writes whose loss in a power cut does no harm (a rate-limit count), answered as soon as they
   * are committed: on SQLite in the group commit without waiting for the WAL sync; on PostgreSQL each
   * statement commits on its own.
   */
  async inTransactionUnsynced<T>(work: (db: Executor) => Promise<T>): Promise<T> {
    if (!this.groupCommit) return work(this.db);
    return this.groupCommit.run(work, false);
  }

  /** SQLite: how many batches the group commit committed (for tests). */
  get commits(): number {
    return this.groupCommit?.commits ?? 0;
  }

  getRequest(id: string): Promise<RequestRecord | null> {
    return getRequest(this.db, id);
  }

  findTicketHolder(ticketId: string): Promise<RequestRecord | null> {
    return findTicketHolder(this.db, this.statements, ticketId);
  }

  findRequests(query: RequestQuery): Promise<RequestRecord[]> {
    return findRequests(this.db, query);
  }

  getLicenseForRequest(requestId: string): Promise<LicenseRecord | null> {
    return getLicenseForRequest(this.db, requestId);
  }

  findLicenseByFingerprint(fingerprint: string): Promise<LicenseRecord | null> {
    return findLicenseByFingerprint(this.db, fingerprint);
  }

  listDeliveries(requestId: string): Promise<DeliveryRecord[]> {
    return selectDeliveries(this.db, requestId);
  }

  listAudit(filter: { requestId?: string }): Promise<AuditEntry[]> {
    return listAudit(this.db, filter);
  }

  recentLicenses(since: CalendarDate, keys: readonly string[]): Promise<RecentLicense[]> {
    return recentLicenses(this.db, this.statements, since, keys);
  }

  claimDueDeliveries(...claim: Parameters<Store['claimDueDeliveries']>): Promise<DeliveryRecord[]> {
    return this.inTransaction((db) => claimDue(db, this.dialect, ...claim));
  }

  markSending(id: string, workerId: string, updatedAt: string): Promise<boolean> {
    // On disk before the message goes out (inTransaction awaits the WAL sync): after a power loss
    // it must come back as `sending`. On SQLite it shares the commit batch of the same moment.
    return this.inTransaction((db) => markSending(db, id, workerId, updatedAt));
  }

  pendingDeliveries(requestId?: string): Promise<{ count: number; nextDueAt: string | null }> {
    return pendingDeliveries(this.db, requestId);
  }

  getTrackerLink(requestId: string): Promise<TrackerLink | null> {
    return getTrackerLink(this.db, requestId);
  }

  requestSummaries(range: { createdFrom: string; createdTo: string }): Promise<RequestSummary[]> {
    return requestSummaries(this.db, range);
  }

  verifyAudit(): Promise<AuditVerification> {
    return verifyAudit(this.db);
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
