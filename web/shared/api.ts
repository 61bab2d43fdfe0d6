/**
 * The one way the front end reaches Lifeline: an `ApiClient` answering `{status, body}` for every
 * HTTP answer (4xx included, so a 422 refusal is data), throwing only when the API is unreachable.
 * The console's client uses `fetch` with the session cookie and the CSRF header; the sidebar's goes
 * through Zendesk's `client.request` (see ../sidebar/zaf.ts). Records and checks are typed from the
 * API's response schemas; the other shapes below follow its routes.
 */

import type {
  AuditEventJson,
  CheckJson,
  DecidedOnJson,
  DeliveryJson,
  LicenseInfoJson,
  LocalRecordJson,
  RecordJson as RecordBody,
  ScreenshotsUsedJson,
} from '../../src/interfaces/http/responses.js';

/** The API's answers, inferred from its response schemas (src/interfaces/http/responses.ts). */
export type RecordJson = RecordBody;
export type RequestStatus = RecordJson['status'];
export type CheckResult = CheckJson;
export type Delivery = DeliveryJson;
export type AuditEvent = AuditEventJson;
export type LicenseInfo = LicenseInfoJson;
export type ScreenshotsJson = ScreenshotsUsedJson;
export type LocalRecord = LocalRecordJson;
/** What a request was decided on (the approver's page shows it beside the refusal). */
export type DecidedOn = DecidedOnJson;

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export interface ApiClient {
  get<T = unknown>(path: string): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>>;
  /** Files as multipart/form-data in `field` (the console; the sidebar reads the ticket's instead). */
  upload?<T = unknown>(path: string, field: string, files: readonly File[]): Promise<ApiResponse<T>>;
}

export type Role = 'engineer' | 'licensing' | 'admin';

export interface ApiError {
  code: string;
  message: string;
  requestId?: string;
  field?: string;
}

export interface Finding {
  code: string;
  message: string;
  field?: string;
}

/** One rule of GET /api/v1/eligibility/rules (src/interfaces/http/routes/eligibility.ts). */
export interface RuleInfo {
  rule: number;
  code: string;
  title: string;
  /** The sentence shown when the rule passes. */
  passed: string;
  overridable: boolean;
  /** Skipped when rule 2 finds no evidence at all. */
  needsEvidence: boolean;
}

/** The rules in order (their sentences with the configured numbers), and the emergency window. */
export interface EligibilityRules {
  rules: RuleInfo[];
  settings: { windowDays: number };
}

/** One field read from a screenshot (src/interfaces/http/routes/evidence.ts). */
export interface ReadField {
  value: string | number;
  confidence: number;
  text: string;
  box: { x0: number; y0: number; x1: number; y1: number };
  /** The image it was read from (`images[n]`). */
  image: number;
}

export type Screenshot = 'dashboard' | 'subscription';

/** A kept screenshot read (POST /api/v1/evidence/screenshots or …/ticket/{id}). */
export interface EvidenceJson {
  /** Null when a ticket had no screenshot that could be read. */
  evidenceId: string | null;
  evidence: Record<
    | 'plan'
    | 'startedAt'
    | 'expiresAt'
    | 'previousSeats'
    | 'billableUsers'
    | 'maximumUsers'
    | 'usersOverSubscription'
    | 'activeUsers'
    | 'gitlabVersion',
    ReadField | null
  > & { pages: string[] };
  missing: Screenshot[];
  images: { n: number; page: string; fileName: string | null; fieldsRead: number }[];
  /** Ticket reads: how many image attachments the ticket has, and those not read. */
  attachments?: number;
  skipped?: { fileName: string | null; code: string; message: string }[];
}

export interface LicenseReport {
  valid: boolean;
  code: string | null;
  message: string | null;
  field: string | null;
  attributes: Record<string, unknown> | null;
  today: string;
  plan: string | null;
  trial: boolean | null;
  activeUserCount: number | null;
  licensee: { name: string; company: string; email: string } | null;
  issuedAt: string | null;
  expiresAt: string | null;
  expired: boolean | null;
  graceEndsOn: string | null;
  daysSinceGraceEnd: number | null;
  notifyAdminsAt: string | null;
  notifyUsersAt: string | null;
  blockChangesAt: string | null;
  notifyAdmins: boolean | null;
  notifyUsers: boolean | null;
  blockChanges: boolean | null;
  fingerprint: string | null;
  verifiedBy: { index: number; path?: string } | null;
  issuedBy: { requestId: string } | null;
}

export interface Session {
  user: { name: string; role: Role };
  /** Null when the caller is not a console session (a bearer token). */
  csrfToken: string | null;
  expiresAt: string | null;
  /** The server signs with a development key: GitLab will not accept its licenses. */
  developmentKey: boolean;
  /** LIFELINE_SUPPORT_TIMEZONE: the console shows times in it. */
  supportTimeZone?: string;
}

/** GET /api/v1/session/methods: how people may sign in (asked before signing in). */
export interface SignInMethods {
  token: true;
  /** The identity provider: "Sign in with <name>" links to `url`. */
  oidc: { name: string; url: string } | null;
}

/** An API token as admins see it (never its secret, but its first characters). */
export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A console session as admins see it. */
export interface ConsoleSession {
  id: string;
  user: { name: string; role: Role };
  createdAt: string | null;
  expiresAt: string;
  /** The API token it was signed in with, if any. */
  tokenId: string | null;
  /** The session of the caller. */
  current: boolean;
}

export interface StatsWeek {
  week: string;
  issued: number;
  pending_approval: number;
  refused: number;
  failed: number;
  voided: number;
  rejected: number;
}

export interface Stats {
  from?: string;
  to?: string;
  weeks: StatsWeek[];
  medianMinutesToDelivery: number | null;
  medianSecondsToDelivery?: number | null;
  refusalsByCode: Record<string, number>;
}

/** GET /api/v1/status: what needs attention now. */
export interface StatusJson {
  at: string;
  failedDeliveries: number;
  failedByChannel: { channel: string; count: number }[];
  unknownEmails: number;
  pendingApprovals: number;
  outbox: { depth: number; oldestAgeSeconds: number | null };
  attention: string[];
}

/** The error envelope of a non-2xx answer, when there is one. */
export function errorOf(body: unknown): ApiError | null {
  if (!body || typeof body !== 'object') return null;
  const error = (body as { error?: unknown }).error;
  if (!error || typeof error !== 'object') return null;
  const e = error as Record<string, unknown>;
  return {
    code: typeof e['code'] === 'string' ? e['code'] : 'ERROR',
    message: typeof e['message'] === 'string' ? e['message'] : 'the request failed',
    ...(typeof e['requestId'] === 'string' ? { requestId: e['requestId'] } : {}),
    ...(typeof e['field'] === 'string' ? { field: e['field'] } : {}),
  };
}

/** A sentence for any failed answer: the API's own message, or the status. */
export function describeFailure(response: ApiResponse): string {
  const error = errorOf(response.body);
  if (error)
    return `${error.message} (${error.code}${error.requestId ? `, request ${error.requestId}` : ''})`;
  return `The server answered HTTP ${response.status}.`;
}

export const ok = (response: ApiResponse): boolean => response.status >= 200 && response.status < 300;

export interface FetchClientOptions {
  /** The session's CSRF token, sent as `X-CSRF-Token` on every POST and DELETE. */
  csrfToken: () => string | null;
  /** Called on a 401 (the session ended). */
  onUnauthenticated?: () => void;
}

/** The console's client also deletes (the sidebar's never does). */
export interface ConsoleClient extends ApiClient {
  delete<T = unknown>(path: string): Promise<ApiResponse<T>>;
}

/** The console's client: same-origin fetch with the session cookie. */
export function createFetchClient(options: FetchClientOptions): ConsoleClient {
  async function call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    form?: FormData,
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') {
      const csrf = options.csrfToken();
      if (csrf) headers['x-csrf-token'] = csrf;
    }
    // A form's content type (with its boundary) is the browser's to set.
    if (method === 'POST' && !form) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(method === 'POST' ? { body: form ?? JSON.stringify(body ?? {}) } : {}),
    });
    const type = response.headers.get('content-type') ?? '';
    const text = await response.text();
    let parsed: unknown = text;
    if (type.includes('json') && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.status === 401 && !path.startsWith('/api/v1/session')) options.onUnauthenticated?.();
    return { status: response.status, body: parsed as T };
  }
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    delete: (path) => call('DELETE', path),
    upload: (path, field, files) => {
      const form = new FormData();
      for (const file of files) form.append(field, file, file.name);
      return call('POST', path, undefined, form);
    },
  };
}

/** `?a=1&b=2` from the non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && String(value).trim() !== '')
      search.set(key, String(value).trim());
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
