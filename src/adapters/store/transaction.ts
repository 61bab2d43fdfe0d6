/** The StoreTransaction: the writes of one use case, run on one transaction's executor. */
import { sql, type Insertable } from 'kysely';
import { AUDIT_FORMAT_SEALED, auditHash, sealedDetailsDigest } from '../../core/audit.js';
import {
  TICKET_HOLDING_STATUSES,
  type AuditEntry,
  type DeliveryCompletion,
  type DeliveryRecord,
  type LicenseRecord,
  type NewAuditEntry,
  type RequestRecord,
  type StoreTransaction,
  type TrackerLink,
} from '../../core/ports.js';
import { randomHex } from '../../runtime/random-pool.js';
import type { CompiledStatements } from './compiled-statements.js';
import { fingerprintTerms, requestSearchTerms } from '../../core/issuance/search.js';
import { fileLicenseKeys, licenseKeyRowsOf } from './customer-keys.js';
import { searchRows } from './search-terms.js';
import type { Dialect, Executor } from './executor.js';
import { selectDeliveries } from './queries/deliveries.js';
import { auditToRow } from './rows/audit.js';
import { deliveryToRow } from './rows/deliveries.js';
import { json } from './rows/json.js';
import { licenseToRow } from './rows/licenses.js';
import { requestToRow } from './rows/requests.js';
import type { Database } from './schema.js';

export class KyselyTransaction implements StoreTransaction {
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
    if (!inserted) return 'ticket_taken';
    this.lastRequest = record;
    await this.insertRows('request_search', searchRows(record.id, requestSearchTerms(record)));
    return 'inserted';
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
    const row = licenseToRow(r);
    await this.statements.execute(this.db, 'licenses.insert', row, (v) =>
      this.db
        .insertInto('licenses')
        .values(v as Database['licenses'])
        .compile(),
    );
    await this.insertRows('request_search', searchRows(r.requestId, fingerprintTerms([r.fingerprint])));
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
  private async insertRows<T extends 'license_keys' | 'deliveries' | 'request_search'>(
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
    await this.insertRows('deliveries', records.map(deliveryToRow));
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
        external_url: c.externalUrl ?? null,
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
    await this.statements.execute(this.db, 'audit_log.insert', auditToRow(full, salt), (v) =>
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
