/**
 * The one source of the API's shapes: these zod schemas validate requests at the edge and are
 * turned into the OpenAPI 3.1 document (`z.toJSONSchema`).
 */
import { z } from 'zod';
import {
  EMAIL_MAX_LENGTH,
  ENGINEER_MAX_LENGTH,
  PLAN_MAX_LENGTH,
  REASON_MAX_LENGTH,
  RECORD_ID_MAX_LENGTH,
  TICKET_ID_MAX_LENGTH,
  TICKET_URL_MAX_LENGTH,
} from '../../core/limits.js';
import { REQUEST_ATTENTION, REQUEST_STATUSES, ROLES } from '../../core/ports.js';

const text = (max: number) => z.string().max(max);
/** Numbers stay as sent (a string or a fraction reaches rule 1, which names the field). */
const numberish = z.union([z.number(), z.string().max(32)]);

/** A pinned decision date: accepted only with LIFELINE_ALLOW_PINNED_DATES=true (the core decides). */
const pinnedToday = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional();

/** The issue / eligibility request. Rule 1 (the core) judges the values; this only bounds them. */
export const IssueBody = z
  .object({
    ticketId: z.union([text(TICKET_ID_MAX_LENGTH), z.number()]),
    ticketUrl: text(TICKET_URL_MAX_LENGTH).optional(),
    requesterEmail: text(EMAIL_MAX_LENGTH),
    seats: numberish,
    plan: text(PLAN_MAX_LENGTH).optional(),
    expiresAt: text(32).optional(),
    previousSeats: numberish.optional(),
    maximumUsers: numberish.optional(),
    billableUsers: numberish.optional(),
    previousLicense: text(200_000).optional(),
    overrideReason: text(REASON_MAX_LENGTH).optional(),
    /** Screenshots read by POST /api/v1/evidence/…: recorded with the request (the values sent decide). */
    evidenceId: text(RECORD_ID_MAX_LENGTH).optional(),
    today: pinnedToday,
  })
  .strict();
export type IssueBody = z.infer<typeof IssueBody>;

export const ListQuery = z
  .object({
    /** The start of an email, a domain, a company, or (8+ hex digits) a license fingerprint. */
    q: text(EMAIL_MAX_LENGTH + 16).optional(),
    /** What needs a human: a failed delivery, an unknown-outcome email, deliveries in flight. */
    attention: z.enum(REQUEST_ATTENTION).optional(),
    email: text(EMAIL_MAX_LENGTH).optional(),
    ticket: text(TICKET_ID_MAX_LENGTH).optional(),
    engineer: text(ENGINEER_MAX_LENGTH).optional(),
    status: z.enum(REQUEST_STATUSES).optional(),
    /** Creation instant bounds: YYYY-MM-DD or an ISO 8601 UTC instant. */
    from: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/)
      .optional(),
    to: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/)
      .optional(),
    /** sha256:<hex> or the hex alone (a license's fingerprint, or one it was known by). */
    fingerprint: text(80).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    before: text(RECORD_ID_MAX_LENGTH).optional(),
  })
  .strict();

export const IdParams = z.object({ id: text(RECORD_ID_MAX_LENGTH) }).strict();
export const ResendBody = z.object({ to: text(EMAIL_MAX_LENGTH).optional() }).strict();
export const ReasonBody = z.object({ reason: text(REASON_MAX_LENGTH) }).strict();
export const ApproveBody = z
  .object({ reason: text(REASON_MAX_LENGTH).optional(), today: pinnedToday })
  .strict();
export const RetryBody = z.object({}).strict();
/** Replace (licensing): the corrected address and/or seats, and why. Rule 1 judges the values. */
export const ReplaceBody = z
  .object({
    requesterEmail: text(EMAIL_MAX_LENGTH).optional(),
    seats: numberish.optional(),
    reason: text(REASON_MAX_LENGTH),
    today: pinnedToday,
  })
  .strict();
export const DecodeBody = z
  .object({
    text: text(1_100_000),
    today: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  })
  .strict();

export { CheckBody, ErrorBody, FailedBody, ListBody, RecordBody, RefusedBody } from './responses.js';

/** How people may sign in to the console (GET /api/v1/session/methods, public). */
export const SignInMethodsBody = z.object({
  /** An API token pasted on the login page (always). */
  token: z.literal(true),
  /** The identity provider, when one is configured: "Sign in with <name>" links to `url`. */
  oidc: z.object({ name: z.string(), url: z.literal('/auth/oidc/login') }).nullable(),
});

const RoleName = z.enum(ROLES);

/** An API token as admins see it: never its secret, only its first characters. */
export const TokenBody = z.object({
  id: z.string(),
  name: z.string(),
  role: RoleName,
  prefix: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export const TokenListBody = z.object({ tokens: z.array(TokenBody) });
/** Who or what uses the token (the use case checks it is printable) and its role. */
export const CreateTokenBody = z.object({ name: text(400), role: RoleName }).strict();
/** The new token and its secret: the only answer that ever holds the secret. */
export const CreatedTokenBody = z.object({ token: TokenBody, secret: z.string() });
export const RevokedTokenBody = z.object({ id: z.string(), revoked: z.literal(true) });

/** A live console session as admins see it (never its cookie's secret). */
export const ConsoleSessionBody = z.object({
  id: z.string(),
  user: z.object({ name: z.string(), role: RoleName }),
  createdAt: z.string().nullable(),
  expiresAt: z.string(),
  /** The API token it was signed in with; revoking the token ends it. */
  tokenId: z.string().nullable(),
  /** The caller's own session. */
  current: z.boolean(),
});
export const ConsoleSessionListBody = z.object({ sessions: z.array(ConsoleSessionBody) });
export const EndedSessionBody = z.object({ id: z.string(), ended: z.literal(true) });
