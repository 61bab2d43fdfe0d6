/**
 * What operating Lifeline needs from the outside (PRODUCT.md §9): the figures of `lifeline status`,
 * `/metrics` and the dashboard, the deliveries a human must look at, the retention purge, the
 * records the embedded default keeps instead of GitLab/Slack/Zendesk, readiness and migrations.
 */
import type { CalendarDate } from '../dates.js';
import type { AuditVerification } from '../ports.js';

/** Upper bounds (seconds) of the delivery latency histogram: created → sent. */
export const DELIVERY_LATENCY_BUCKETS: readonly number[] = [
  1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 14_400, 86_400,
];

export interface LatencyHistogram {
  channel: string;
  /** Cumulative counts, one per DELIVERY_LATENCY_BUCKETS entry (≤ that many seconds). */
  buckets: number[];
  sum: number;
  count: number;
}

export interface OperationalStats {
  /** Requests by status (issued, refused, pending_approval, failed, voided, rejected). */
  requestsByStatus: Record<string, number>;
  /** Refused requests by refusal code (a request refused for two reasons counts under both). */
  refusalsByCode: Record<string, number>;
  licensesIssued: number;
  /** Deliveries by channel and status. */
  deliveries: { channel: string; status: string; count: number }[];
  /** Deliveries not finished (queued, claimed, sending) and the age of the oldest. */
  outbox: { depth: number; oldestCreatedAt: string | null; oldestAgeSeconds: number | null };
  /** Deliveries failed for good that nothing newer on the same request and channel has replaced. */
  failedNeedingHuman: { channel: string; count: number }[];
  /** License emails whose outcome is unknown, not followed by a newer email (e.g. a resend). */
  unknownEmails: number;
  pendingApprovals: number;
  deliveryLatency: LatencyHistogram[];
}

export interface DeliveryNeedingHuman {
  id: string;
  requestId: string;
  ticketId: string;
  channel: string;
  purpose: string;
  status: string;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

export interface EvidencePurgeSummary {
  /** Reads deleted (or, with dryRun, to delete), and their images. */
  records: number;
  images: number;
  /** Reads past the cutoff kept for a request awaiting a decision. */
  awaitingDecision: number;
}

export interface PurgeSummary {
  cutoff: string;
  dryRun: boolean;
  /** Requests whose personal data was (or, with dryRun, would be) redacted. */
  requests: number;
  /** Rows changed (or to change) per table. */
  rows: { requests: number; licenses: number; deliveries: number; local_records: number; audit_log: number };
  /** Requests past the cutoff left alone, by reason. */
  skipped: { awaiting_decision: number; delivering: number };
  alreadyPurged: number;
  /** The ids of the requests purged (or to purge). */
  requestIds: string[];
  /** Their email deliveries (an outbox mailer's .eml files are named after them). */
  emailDeliveryIds: string[];
  /** Kept screenshot reads (issue 21) deleted with their images. */
  evidence: EvidencePurgeSummary;
  /**
   * SQLite: whether the file was rebuilt (VACUUM) and its log checkpointed, so no old copy of a
   * redacted value is left in free space. Absent for PostgreSQL and when nothing was purged.
   */
  fileRewritten?: boolean;
}

export type LocalRecordKind = 'tracker_issue' | 'tracker_note' | 'chat_post' | 'ticket_note';

export interface LocalRecord {
  id: string;
  kind: LocalRecordKind;
  requestId: string | null;
  ref: string | null;
  title: string | null;
  body: string;
  state: string | null;
  createdAt: string;
}

export interface StatsReader {
  operationalStats(now: Date): Promise<OperationalStats>;
  /** Licenses issued and requests refused on one issue date. */
  dayStats(date: CalendarDate): Promise<{ issued: number; refused: number }>;
  deliveriesNeedingHuman(): Promise<DeliveryNeedingHuman[]>;
  requestOfDelivery(deliveryId: string): Promise<string | null>;
}

export interface RetentionStore {
  /**
   * Redacts the personal data of requests created before `cutoff` (with `dryRun`, only says what it
   * would do), and removes what else holds it (the outbox's copies of the emails).
   */
  purge(options: {
    cutoff: string;
    now: Date;
    dryRun?: boolean;
  }): Promise<PurgeSummary & { outboxFiles: number }>;
}

export interface LocalRecords {
  /** What the embedded default kept for a request instead of posting it (tracker, chat, ticket notes). */
  list(requestId: string, ticketId: string): Promise<LocalRecord[]>;
}

export interface Health {
  /** What keeps the service from answering now (empty when ready). */
  problems(): Promise<string[]>;
}

export interface Maintenance {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations; the names applied. */
  migrate(): Promise<{ applied: string[] }>;
  /**
   * SQLite: while a delivery thread with a connection of its own runs, the API's connection
   * checkpoints the write-ahead log only rarely ('rare'), leaving it to the thread; 'normal' restores
   * the default. Nothing to do on PostgreSQL.
   */
  checkpoints(mode: 'rare' | 'normal'): Promise<void>;
}

/** A Lifeline SQLite database file, as `backup` and `restore` check it. */
export interface DatabaseFacts {
  path: string;
  bytes: number;
  requests: number;
  licenses: number;
  migrations: string[];
  audit: AuditVerification;
}

/** The embedded default's database file: online backup and a checked restore (SQLite only). */
export interface DatabaseFiles {
  /** Checks a file is a sound Lifeline database (integrity, tables, migrations, audit); fails with a code otherwise. */
  inspect(path: string): Promise<DatabaseFacts>;
  backup(source: string, destination: string): Promise<void>;
  restore(source: string, target: string): Promise<void>;
  describe(target: string): { exists: boolean; rows: number; inUse: boolean };
  /** What to use instead on PostgreSQL. */
  readonly postgresAdvice: string;
}
