/** The tables, as Kysely sees them. JSON columns are TEXT holding JSON, in both dialects. */
import type { Generated } from 'kysely';

export interface RequestsTable {
  id: string;
  ticket_id: string;
  /** The ticket id while this request holds the ticket, else NULL; UNIQUE: one holder per ticket. */
  ticket_claim: string | null;
  ticket_url: string | null;
  requester_email: string;
  engineer: string;
  actor_role: string;
  seats: number;
  issue_date: string;
  status: string;
  evidence: string;
  eligibility: string;
  override: string | null;
  decision: string | null;
  failure: string | null;
  voided: string | null;
  tracker_iid: string | null;
  tracker_url: string | null;
  /** JSON `RequestOrigin` (PRODUCT.md §10: the signed request's claims), or NULL. */
  origin: string | null;
  /** 1 when the decision date was pinned by the caller (LIFELINE_ALLOW_PINNED_DATES). Migration 0007. */
  date_pinned: number;
  /** The request this one replaced, and the request that replaced this one (PRODUCT.md §12). */
  replaces: string | null;
  replaced_by: string | null;
  /** The interface the request was made from (migration 0010), or NULL for older requests. */
  made_from?: string | null;
  created_at: string;
  updated_at: string;
}

export interface LicensesTable {
  id: string;
  request_id: string;
  text: string;
  fingerprint: string;
  file_name: string;
  email: string;
  seats: number;
  issued_at: string;
  expires_at: string;
  created_at: string;
}

/** Fingerprints a license was known by before (migration 0007): still found by lookup. */
export interface LicenseFingerprintAliasesTable {
  fingerprint: string;
  license_id: string;
}

/** Rule 9's index: a license filed under the SHA-256 of each of its customer's keys. */
export interface LicenseKeysTable {
  key: string;
  issued_at: string;
  license_id: string;
}

/** The request list's search index (migration 0009, search-terms.ts). */
export interface RequestSearchTable {
  kind: string;
  term: string;
  request_id: string;
}

export interface DeliveriesTable {
  id: string;
  request_id: string;
  channel: string;
  purpose: string;
  status: string;
  recipient: string | null;
  /** A follow-up's email delivery (migration 0007); null otherwise. */
  about?: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
  external_ref: string | null;
  /** Where people can see the sent delivery (migration 0010): an issue, a Slack permalink, a ticket. */
  external_url?: string | null;
  created_at: string;
  updated_at: string;
}

export interface AuditLogTable {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  request_id: string | null;
  details: string;
  details_digest: string;
  prev_hash: string;
  hash: string;
  /** 1: digest of the details as written; 2: sealed (personal values hashed with `salt`). Migration 0005. */
  format: Generated<number>;
  /** Format 2: the per-entry salt (hex) until retention redacts the entry, then NULL. */
  salt: string | null;
  /** When retention redacted the entry's personal values. */
  redacted_at: string | null;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface LocalRecordsTable {
  id: string;
  kind: string;
  request_id: string | null;
  ref: string | null;
  title: string | null;
  body: string;
  state: string | null;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  /** SHA-256 (hex) of the secret; the secret itself is never stored. */
  hash: string;
  /** The first characters of the secret, to recognise it in a list. */
  prefix: string;
  created_at: string;
  revoked_at: string | null;
}

export interface WebSessionsTable {
  id: string;
  hash: string;
  name: string;
  role: string;
  token_id: string | null;
  created_at: string;
  expires_at: string;
}

export interface LoginLinksTable {
  hash: string;
  name: string;
  role: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface OidcFlowsTable {
  /** SHA-256 (hex) of the flow's state. */
  state_hash: string;
  /** SHA-256 (hex) of the browser's binding (its cookie). */
  binding_hash: string;
  /** The nonce and PKCE verifier, AES-256-GCM under a key derived from the binding. */
  sealed: string;
  return_to: string;
  created_at: string;
  expires_at: string;
}

export interface RateWindowsTable {
  key: string;
  /** Start of the current window, ms since the epoch. */
  window_start: number | string;
  count: number;
  /** The limit of the key when it was last counted. */
  lim: number;
}

/** Screenshot reads kept on the server (migration 0009): the merged read as JSON. */
export interface EvidenceTable {
  id: string;
  created_at: string;
  actor: string;
  actor_role: string;
  source: string;
  ticket_id: string | null;
  evidence: string;
}

/** Each image of a kept read: its bytes (BLOB / bytea) and what was read from it (JSON). */
export interface EvidenceImagesTable {
  evidence_id: string;
  n: number;
  format: string;
  size: number;
  width: number;
  height: number;
  file_name: string | null;
  evidence: string;
  bytes: Uint8Array;
}

export interface Database {
  evidence: EvidenceTable;
  evidence_images: EvidenceImagesTable;
  rate_windows: RateWindowsTable;
  web_sessions: WebSessionsTable;
  login_links: LoginLinksTable;
  oidc_flows: OidcFlowsTable;
  api_tokens: ApiTokensTable;
  local_records: LocalRecordsTable;
  requests: RequestsTable;
  licenses: LicensesTable;
  license_keys: LicenseKeysTable;
  license_fingerprint_aliases: LicenseFingerprintAliasesTable;
  request_search: RequestSearchTable;
  deliveries: DeliveriesTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
}

export type { Generated };
