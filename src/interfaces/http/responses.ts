/**
 * The API's answers as zod schemas: the OpenAPI document shows them, `test/http/responses.test.ts`
 * holds real answers to them (strict: a field added to a record without its schema fails), and
 * the web imports their inferred types (type-only) instead of writing the shapes again.
 */
import { z } from 'zod';
import { CODES, type Code } from '../../core/errors.js';
import { ELIGIBILITY_RULES, WARNING_CODES, type RefusalCode } from '../../core/eligibility/index.js';
import { CHANNEL_NAMES, type DeliveryChannel } from '../../core/deliveries/channels/index.js';
import { DELIVERY_STATUSES, REQUEST_INTERFACES, REQUEST_STATUSES, ROLES } from '../../core/ports.js';

const tuple = <T extends string>(values: readonly T[]) => values as [T, ...T[]];
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const nullableString = z.string().nullable();

export const ErrorCode = z.enum(tuple(Object.keys(CODES) as Code[]));
const RefusalCodeEnum = z.enum(tuple(ELIGIBILITY_RULES.map((r) => r.code) as RefusalCode[]));

const ErrorDetail = z.strictObject({
  code: ErrorCode,
  message: z.string(),
  requestId: z.string(),
  /** The request field the error is about, when there is one. */
  field: z.string().optional(),
});
export const ErrorBody = z.strictObject({ error: ErrorDetail });

const finding = <C extends z.ZodType>(code: C) =>
  z.strictObject({ code, message: z.string(), field: z.string().optional() });

const Facts = z.strictObject({
  source: z.enum(['license', 'typed', 'none']),
  plan: nullableString,
  trial: z.boolean().nullable(),
  expiresAt: date.nullable(),
  previousSeats: z.number().nullable(),
  graceEndsOn: date.nullable(),
  daysSinceGraceEnd: z.number().nullable(),
  peakUsers: z.number().nullable(),
  recommendedSeats: z.number().nullable(),
  minimumSeats: z.number().nullable(),
  issuedByLifelineRequestId: nullableString,
  isWeekendOrHoliday: z.boolean(),
  matchingRecentRequestIds: z.array(z.string()),
});

const checkShape = {
  eligible: z.boolean(),
  /** True when every refusal is overridable (rules 4–9). */
  overridable: z.boolean(),
  refusals: z.array(finding(RefusalCodeEnum)),
  warnings: z.array(finding(z.enum(WARNING_CODES))),
  facts: Facts,
};
export const CheckBody = z.strictObject(checkShape);
/** A refusal (422): the first refusal's code as the error, every refusal, and the request's id. */
export const RefusedBody = z.strictObject({ error: ErrorDetail, ...checkShape, id: nullableString });

const NormalizedRequest = z.strictObject({
  ticketId: z.string(),
  ticketUrl: nullableString,
  requesterEmail: z.string(),
  engineer: nullableString,
  seats: z.number(),
  plan: nullableString,
  expiresAt: date.nullable(),
  previousSeats: z.number().nullable(),
  maximumUsers: z.number().nullable(),
  billableUsers: z.number().nullable(),
});

const LicenseInfo = z.strictObject({
  id: z.string(),
  text: z.string(),
  fingerprint: z.string(),
  fileName: z.string(),
  issuedAt: date,
  expiresAt: date,
  seats: z.number(),
});

const ReadValue = z.strictObject({
  value: z.union([z.string(), z.number()]),
  confidence: z.number(),
  image: z.number(),
});
const Screenshot = z.enum(['dashboard', 'subscription']);
/** What a request recorded of the customer's screenshots, and the fields the engineer changed. */
const ScreenshotsUsed = z.strictObject({
  evidenceId: z.string(),
  readAt: z.string(),
  pages: z.array(z.enum(['subscription', 'license', 'dashboard', 'unknown'])),
  missing: z.array(Screenshot),
  read: z.record(z.string(), ReadValue),
  changed: z.array(
    z.strictObject({
      field: z.string(),
      read: z.union([z.string(), z.number()]),
      sent: z.union([z.string(), z.number()]).nullable(),
    }),
  ),
});

/** What the request was decided on (the approver's page). */
const DecidedOn = z.strictObject({
  source: z.enum(['license', 'typed', 'none']),
  plan: nullableString,
  trial: z.boolean().nullable(),
  expiresAt: date.nullable(),
  previousSeats: z.number().nullable(),
  maximumUsers: z.number().nullable(),
  billableUsers: z.number().nullable(),
  ticketImages: z.number().nullable(),
  previousLicense: z
    .strictObject({
      fingerprint: z.string(),
      licenseeEmail: nullableString,
      licenseeCompany: nullableString,
      subscriptionId: nullableString,
    })
    .nullable(),
});

const Delivery = z.strictObject({
  id: z.string(),
  channel: z.enum(tuple<DeliveryChannel>(CHANNEL_NAMES)),
  /** The channel's name for people. */
  channelLabel: z.string(),
  purpose: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  recipient: nullableString,
  attempts: z.number(),
  /** The channel's reference once sent (a file name, never a server path). */
  externalRef: nullableString,
  /** Once sent: the delivery in words, with its link when one is known. */
  reference: z.strictObject({ text: z.string(), url: nullableString }).nullable(),
  lastError: nullableString,
  updatedAt: z.string(),
});

const AuditEvent = z.strictObject({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  /** The event in words. */
  text: z.string(),
  details: z.record(z.string(), z.unknown()),
});

/** On the embedded default: the tracker issue, chat posts and ticket notes kept locally. */
const LocalRecord = z.strictObject({
  id: z.string(),
  requestId: nullableString,
  kind: z.string(),
  ref: nullableString,
  title: nullableString,
  body: z.string(),
  state: nullableString,
  createdAt: z.string(),
});

/** The record of PRODUCT.md §8, as `src/core/issuance/view.ts` builds it. */
export const RecordBody = z.strictObject({
  id: z.string(),
  status: z.enum(REQUEST_STATUSES),
  /** The ticket already had this request (an issue call answered 200). */
  existing: z.boolean(),
  ticketId: z.string(),
  ticketUrl: nullableString,
  requesterEmail: z.string(),
  engineer: z.string(),
  seats: z.number(),
  issueDate: date,
  license: LicenseInfo.nullable(),
  tracker: z.strictObject({ iid: z.string(), url: nullableString }).nullable(),
  eligibility: z.strictObject({ ...checkShape, request: NormalizedRequest.nullable() }),
  screenshots: ScreenshotsUsed.nullable(),
  override: z
    .strictObject({ reason: z.string(), by: z.string(), role: z.enum(ROLES), codes: z.array(z.string()) })
    .nullable(),
  decision: z
    .strictObject({
      decision: z.enum(['approved', 'rejected']),
      by: z.string(),
      at: z.string(),
      reason: nullableString,
    })
    .nullable(),
  failure: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  voided: z.strictObject({ reason: z.string(), by: z.string(), at: z.string() }).nullable(),
  /** Set when the Zendesk sidebar made the request: its signed claims. */
  origin: z
    .strictObject({
      via: z.literal('zendesk'),
      ticketId: nullableString,
      agentEmail: nullableString,
      agentName: nullableString,
    })
    .nullable(),
  /** The interface the request was made from; null for requests made before it was recorded. */
  madeFrom: z.enum(REQUEST_INTERFACES).nullable(),
  evidence: DecidedOn.nullable(),
  /** The caller pinned the decision date (LIFELINE_ALLOW_PINNED_DATES). */
  datePinned: z.boolean(),
  replaces: nullableString,
  replacedBy: nullableString,
  deliveries: z.array(Delivery),
  events: z.array(AuditEvent),
  /** GET of one record on the embedded default (and `lifeline lookup --json`). */
  localRecords: z.array(LocalRecord).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const ListBody = z.strictObject({ requests: z.array(RecordBody), next: nullableString });
/** An issue call that could not generate a license: the failure is recorded. */
export const FailedBody = z.strictObject({ error: ErrorDetail, record: RecordBody });

export type ApiErrorJson = z.infer<typeof ErrorDetail>;
export type CheckJson = z.infer<typeof CheckBody>;
export type FactsJson = z.infer<typeof Facts>;
export type RecordJson = z.infer<typeof RecordBody>;
export type DeliveryJson = z.infer<typeof Delivery>;
export type AuditEventJson = z.infer<typeof AuditEvent>;
export type DecidedOnJson = z.infer<typeof DecidedOn>;
export type ScreenshotsUsedJson = z.infer<typeof ScreenshotsUsed>;
export type LocalRecordJson = z.infer<typeof LocalRecord>;
export type LicenseInfoJson = z.infer<typeof LicenseInfo>;
