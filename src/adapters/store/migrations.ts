/**
 * Versioned migrations, in code so they ship in the build. Kysely's Migrator records them in
 * `kysely_migration` and takes a lock so that several processes migrating at once run each once.
 * Never edit a released migration: add a new one.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { licenseFingerprint } from '../../core/license/codec.js';
import { REDACTED_LICENSE_TEXT } from '../../core/retention.js';
import { fingerprintTerms, requestSearchTerms } from '../../core/issuance/search.js';
import { fileLicenseKeys } from './customer-keys.js';
import { parseEvidence, searchRows } from './search-terms.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on the untyped database
type AnyDb = Kysely<any>;

/** Runs `each` over every license, in pages (a long-running database can hold many). */
async function forEachLicense(
  db: Kysely<unknown>,
  each: (license: {
    id: string;
    request_id: string;
    issued_at: string;
    text: string;
    fingerprint: string;
  }) => Promise<void>,
): Promise<void> {
  let after = '';
  for (;;) {
    const page = (await (db as AnyDb)
      .selectFrom('licenses')
      .select(['id', 'request_id', 'issued_at', 'text', 'fingerprint'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute()) as {
      id: string;
      request_id: string;
      issued_at: string;
      text: string;
      fingerprint: string;
    }[];
    for (const l of page) await each(l);
    if (page.length < 500) break;
    after = page[page.length - 1]!.id;
  }
}

/**
 * True on PostgreSQL: Kysely writes its parameters `$1` there and `?` on SQLite (the migrations get
 * the database, not its dialect).
 */
function isPostgres(db: Kysely<unknown>): boolean {
  return (db as AnyDb).selectFrom('x').select('y').where('y', '=', 1).compile().sql.includes('$1');
}

/** Files every stored request and license under its search terms (migration 0009), in pages. */
async function fileExistingRequests(db: AnyDb): Promise<void> {
  let after = '';
  for (;;) {
    const page = (await db
      .selectFrom('requests')
      .select(['id', 'requester_email', 'evidence'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute()) as { id: string; requester_email: string; evidence: string }[];
    for (const r of page) {
      const fingerprints = (await db
        .selectFrom('licenses')
        .leftJoin('license_fingerprint_aliases as a', 'a.license_id', 'licenses.id')
        .select(['licenses.fingerprint as fingerprint', 'a.fingerprint as alias'])
        .where('licenses.request_id', '=', r.id)
        .execute()) as { fingerprint: string; alias: string | null }[];
      const rows = searchRows(r.id, [
        ...requestSearchTerms({ requesterEmail: r.requester_email, evidence: parseEvidence(r.evidence) }),
        ...fingerprintTerms(
          fingerprints.flatMap((f) => (f.alias ? [f.fingerprint, f.alias] : [f.fingerprint])),
        ),
      ]);
      if (rows.length > 0) await db.insertInto('request_search').values(rows).execute();
    }
    if (page.length < 500) break;
    after = page[page.length - 1]!.id;
  }
}

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ticket_id', 'text', (c) => c.notNull())
        .addColumn('ticket_claim', 'text', (c) => c.unique())
        .addColumn('ticket_url', 'text')
        .addColumn('requester_email', 'text', (c) => c.notNull())
        .addColumn('engineer', 'text', (c) => c.notNull())
        .addColumn('actor_role', 'text', (c) => c.notNull())
        .addColumn('seats', 'integer', (c) => c.notNull())
        .addColumn('issue_date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('eligibility', 'text', (c) => c.notNull())
        .addColumn('override', 'text')
        .addColumn('decision', 'text')
        .addColumn('failure', 'text')
        .addColumn('voided', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('requests_email')
        .on('requests')
        .columns(['requester_email', 'created_at'])
        .execute();
      await db.schema.createIndex('requests_ticket').on('requests').columns(['ticket_id']).execute();
      await db.schema.createIndex('requests_created').on('requests').columns(['created_at', 'id']).execute();
      await db.schema
        .createIndex('requests_status')
        .on('requests')
        .columns(['status', 'created_at'])
        .execute();

      await db.schema
        .createTable('licenses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull().unique().references('requests.id'))
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull().unique())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('seats', 'integer', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('licenses_issued').on('licenses').columns(['issued_at']).execute();

      await db.schema
        .createTable('deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('deliveries_request').on('deliveries').columns(['request_id']).execute();
      await db.schema
        .createIndex('deliveries_due')
        .on('deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('details_digest', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_request').on('audit_log').columns(['request_id', 'seq']).execute();

      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await sql`insert into audit_head (id, seq, hash) values (1, 0, ${'0'.repeat(64)})`.execute(db);
    },
  },
  '0002_outbox': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('deliveries').addColumn('claimed_by', 'text').execute();
      await db.schema.alterTable('deliveries').addColumn('claimed_until', 'text').execute();
      await db.schema.alterTable('deliveries').addColumn('external_ref', 'text').execute();
      await db.schema.alterTable('requests').addColumn('tracker_iid', 'text').execute();
      await db.schema.alterTable('requests').addColumn('tracker_url', 'text').execute();
      // The embedded default's tracker issues and notes, chat posts and ticket notes (TRACKER=local…).
      await db.schema
        .createTable('local_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('ref', 'text')
        .addColumn('title', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('state', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('local_records_request')
        .on('local_records')
        .columns(['request_id', 'kind'])
        .execute();
    },
  },
  '0003_api_tokens': {
    async up(db: Kysely<unknown>): Promise<void> {
      // API tokens of the HTTP API: only the SHA-256 of the secret is kept.
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
    },
  },
  '0004_sessions_and_origin': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Web console sessions: only the SHA-256 of the cookie's secret is kept.
      await db.schema
        .createTable('web_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('token_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      // One-time login links printed by `lifeline serve`: the SHA-256 of the code, used once.
      await db.schema
        .createTable('login_links')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      // Where a request came from (the Zendesk sidebar's signed claims: ticket id, agent), JSON.
      await db.schema.alterTable('requests').addColumn('origin', 'text').execute();
      // Issue/resend rate-limit windows, shared by every process on the database.
      await db.schema
        .createTable('rate_windows')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('lim', 'integer', (c) => c.notNull())
        .execute();
    },
  },
  '0005_audit_sealing': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The audit entry format (src/core/audit.ts): existing entries are format 1 and verify as
      // before; new entries are sealed (format 2) with a per-entry salt, so retention can redact them.
      await db.schema
        .alterTable('audit_log')
        .addColumn('format', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.alterTable('audit_log').addColumn('salt', 'text').execute();
      await db.schema.alterTable('audit_log').addColumn('redacted_at', 'text').execute();
    },
  },
  '0006_license_keys': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Rule 9's index (customer-keys.ts): each license filed under its customer's keys, so the
      // repeat check reads only the licenses sharing a key with the request.
      await db.schema
        .createTable('license_keys')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('license_id', 'text', (c) => c.notNull().references('licenses.id'))
        .addPrimaryKeyConstraint('license_keys_pk', ['key', 'issued_at', 'license_id'])
        .execute();
      await db.schema
        .createIndex('license_keys_license')
        .on('license_keys')
        .columns(['license_id'])
        .execute();
      await forEachLicense(db, (l) =>
        fileLicenseKeys(db as AnyDb, { id: l.id, requestId: l.request_id, issuedAt: l.issued_at }),
      );
    },
  },
  '0007_trust': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A decision date pinned by the caller (LIFELINE_ALLOW_PINNED_DATES), and replace's links.
      await db.schema
        .alterTable('requests')
        .addColumn('date_pinned', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('requests').addColumn('replaces', 'text').execute();
      await db.schema.alterTable('requests').addColumn('replaced_by', 'text').execute();
      // Fingerprints are now taken over the payload without framing or whitespace; the old values
      // are already in emails, tracker issues and audit entries, so they stay findable.
      await db.schema
        .createTable('license_fingerprint_aliases')
        .addColumn('fingerprint', 'text', (c) => c.primaryKey())
        .addColumn('license_id', 'text', (c) => c.notNull().references('licenses.id'))
        .execute();
      await forEachLicense(db, async (l) => {
        if (l.text === REDACTED_LICENSE_TEXT) return;
        const fingerprint = licenseFingerprint(l.text);
        if (fingerprint === l.fingerprint) return;
        await (db as AnyDb)
          .insertInto('license_fingerprint_aliases')
          .values({ fingerprint: l.fingerprint, license_id: l.id })
          .onConflict((oc) => oc.column('fingerprint').doNothing())
          .execute();
        await (db as AnyDb).updateTable('licenses').set({ fingerprint }).where('id', '=', l.id).execute();
      });
      // Rule 9's keys in their canonical forms, beside the old ones (a previous license's
      // fingerprint cannot be recomputed: its text is not stored), so rule 9 never fails open.
      await forEachLicense(db, (l) =>
        fileLicenseKeys(
          db as AnyDb,
          { id: l.id, requestId: l.request_id, issuedAt: l.issued_at },
          { keepExisting: true },
        ),
      );
    },
  },
  '0008_delivery_follow_ups': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A follow-up names the email delivery whose final state it reports (core/deliveries/follow-ups.ts).
      await db.schema.alterTable('deliveries').addColumn('about', 'text').execute();
    },
  },
  '0009_request_search': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The request list's search (core/issuance/search.ts): each request under the start-matchable
      // terms it is found by. Terms compare byte by byte (PostgreSQL: collation "C"), so that a
      // prefix is one index range whatever the database's collation. On SQLite the primary key is
      // the table (WITHOUT ROWID): the terms are stored once beside their index, not twice.
      const postgres = isPostgres(db);
      const table = db.schema
        .createTable('request_search')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('term', 'text', (c) =>
          postgres ? c.notNull().modifyFront(sql`collate "C"`) : c.notNull(),
        )
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
        .addPrimaryKeyConstraint('request_search_pk', ['kind', 'term', 'request_id']);
      await (postgres ? table : table.modifyEnd(sql`without rowid`)).execute();
      await db.schema
        .createIndex('request_search_request')
        .on('request_search')
        .columns(['request_id', 'kind', 'term'])
        .execute();
      await fileExistingRequests(db as AnyDb);
    },
  },
  '0010_record_reading': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Which interface a request was made from (sidebar, console, API token, CLI); NULL before.
      await db.schema.alterTable('requests').addColumn('made_from', 'text').execute();
      // Where people can see a sent delivery (the tracker issue, the Slack permalink, the ticket).
      await db.schema.alterTable('deliveries').addColumn('external_url', 'text').execute();
    },
  },
  '0011_oidc_flows': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Sign-ins with the identity provider in flight (adapters/store/oidc-flows.ts): minutes long,
      // used once, finished by any process. The nonce and PKCE verifier are sealed with the browser's
      // binding, of which only a hash is kept.
      await db.schema
        .createTable('oidc_flows')
        .addColumn('state_hash', 'text', (c) => c.primaryKey())
        .addColumn('binding_hash', 'text', (c) => c.notNull())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('return_to', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oidc_flows_expires').on('oidc_flows').columns(['expires_at']).execute();
    },
  },
  '0012_evidence': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Customers' screenshots read on the server (issue 21): the merged read, and each image's
      // bytes with what was read from it (for the crops on the record); `lifeline purge` deletes them.
      const bytes = isPostgres(db) ? sql`bytea` : sql`blob`;
      await db.schema
        .createTable('evidence')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('actor_role', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('ticket_id', 'text')
        .addColumn('evidence', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('evidence_created').on('evidence').columns(['created_at']).execute();
      await db.schema
        .createTable('evidence_images')
        .addColumn('evidence_id', 'text', (c) => c.notNull().references('evidence.id'))
        .addColumn('n', 'integer', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('file_name', 'text')
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('bytes', bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('evidence_images_pk', ['evidence_id', 'n'])
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

export const LATEST_MIGRATION = Object.keys(migrations).sort().at(-1) as string;
