/**
 * The embedded default's tracker, chat and ticket system (TRACKER=local, CHAT=local, TICKETS=local):
 * the same records the real systems would get, kept in the local database and shown by `lookup`.
 */
import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely, Transaction } from 'kysely';
import type {
  ChatNotifier,
  IssueTracker,
  TicketSystem,
  TrackerIssue,
  TrackerRef,
} from '../../core/deliveries/ports.js';
import type { LocalRecord, LocalRecordKind } from '../../core/operations/ports.js';
import type { Database } from '../store/schema.js';

/**
 * Where the local records live: read through `db`; written through `inTransactionUnsynced` (on
 * SQLite, in the store's commit batch: one commit shared with the writes of the same moment, not
 * one commit — and one reset of every other connection's page cache — per record). A record needs
 * no sync of its own: the delivery's outcome, recorded and synced after it, makes it durable too.
 */
export interface LocalRecordsStore {
  db: Kysely<Database>;
  inTransactionUnsynced<T>(work: (db: Kysely<Database> | Transaction<Database>) => Promise<T>): Promise<T>;
}

const insertRecord = (store: LocalRecordsStore, row: Insertable<Database['local_records']>): Promise<void> =>
  store.inTransactionUnsynced(async (db) => {
    await db.insertInto('local_records').values(row).execute();
  });

const id = (prefix: string): string => `${prefix}_${randomBytes(8).toString('hex')}`;
const now = (): string => new Date().toISOString();

const issueState = (issue: TrackerIssue): string =>
  issue.closed ? 'closed (confidential)' : 'open (confidential)';

export function createLocalTracker(store: LocalRecordsStore): IssueTracker {
  const { db } = store;
  return {
    async findIssueForRequest(requestId) {
      const row = await db
        .selectFrom('local_records')
        .select('id')
        .where('kind', '=', 'tracker_issue')
        .where('request_id', '=', requestId)
        .executeTakeFirst();
      return row ? { iid: row.id, url: null } : null;
    },
    async createIssue(issue: TrackerIssue): Promise<TrackerRef> {
      const existing = await this.findIssueForRequest(issue.requestId);
      // Found again after a crash, or the request's issue from an earlier state (a failure before
      // a retry that succeeded): made this issue.
      if (existing) return this.updateIssue(existing, issue);
      const iid = id('iss');
      await insertRecord(store, {
        id: iid,
        kind: 'tracker_issue',
        request_id: issue.requestId,
        ref: issue.labels.join(','),
        title: issue.title,
        body: issue.description,
        state: issueState(issue),
        created_at: now(),
      });
      return { iid, url: null };
    },
    async updateIssue(ref: TrackerRef, issue: TrackerIssue): Promise<TrackerRef> {
      await store.inTransactionUnsynced(async (db) => {
        await db
          .updateTable('local_records')
          .set({
            title: issue.title,
            body: issue.description,
            ref: issue.labels.join(','),
            state: issueState(issue),
          })
          .where('id', '=', ref.iid)
          .where('kind', '=', 'tracker_issue')
          .execute();
      });
      return { iid: ref.iid, url: null };
    },
    async addNote(ref, body) {
      const issue = await db
        .selectFrom('local_records')
        .select('request_id')
        .where('id', '=', ref.iid)
        .executeTakeFirst();
      await insertRecord(store, {
        id: id('note'),
        kind: 'tracker_note',
        request_id: issue?.request_id ?? null,
        ref: ref.iid,
        title: null,
        body,
        state: null,
        created_at: now(),
      });
    },
    verify: async () => 'local tracker: issues are kept in the local database (TRACKER=local)',
  };
}

export function createLocalChat(store: LocalRecordsStore): ChatNotifier {
  return {
    async post(text, meta) {
      const ref = id('post');
      await insertRecord(store, {
        id: ref,
        kind: 'chat_post',
        request_id: meta.requestId,
        // A follow-up answers its post (as a reply in the post's Slack thread would).
        ref: meta.threadRef ?? null,
        title: null,
        body: text,
        state: null,
        created_at: now(),
      });
      return { ref };
    },
    verify: async () => 'local chat: posts are kept in the local database (CHAT=local)',
  };
}

export function createLocalTickets(store: LocalRecordsStore): TicketSystem {
  return {
    async addInternalNote(ticketId, body) {
      await insertRecord(store, {
        id: id('tnote'),
        kind: 'ticket_note',
        request_id: null,
        ref: ticketId,
        title: null,
        body,
        state: 'internal',
        created_at: now(),
      });
    },
    imageAttachmentCount: async () => 0,
    // The local ticket system keeps notes only: its tickets have no attachments.
    imageAttachments: async () => [],
    downloadAttachment: async () => null,
    verify: async () => 'local tickets: notes are kept in the local database (TICKETS=local)',
  };
}

export async function listLocalRecords(
  db: Kysely<Database>,
  requestId: string,
  ticketId: string,
): Promise<LocalRecord[]> {
  const rows = await db
    .selectFrom('local_records')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('request_id', '=', requestId),
        eb.and([eb('kind', '=', 'ticket_note'), eb('ref', '=', ticketId)]),
      ]),
    )
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as LocalRecordKind,
    requestId: r.request_id,
    ref: r.ref,
    title: r.title,
    body: r.body,
    state: r.state,
    createdAt: r.created_at,
  }));
}
