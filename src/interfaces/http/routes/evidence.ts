/**
 * Customers' screenshots (issue 21): read an upload or the ticket's attachments, keep the read on
 * the server, and show it, its images and the crop around each field read. The values read only
 * fill the form: an issue call refers to the read by `evidenceId` and is decided on what it sends.
 */
import { z } from 'zod';
import {
  CROP_FIELDS,
  EVIDENCE_PLANS,
  evidenceCrop,
  evidenceImage,
  readScreenshots,
  readTicketScreenshots,
  showEvidence,
} from '../../../core/evidence/index.js';
import {
  RECORD_ID_MAX_LENGTH,
  SCREENSHOT_MAX_BYTES,
  SCREENSHOTS_PER_READ,
  TICKET_ID_MAX_LENGTH,
} from '../../../core/limits.js';
import { unwrap } from '../../../core/outcome.js';
import { parse, type ApiRoute } from '../route.js';
import { ErrorBody } from '../schemas.js';
import type { UploadedFile } from '../upload.js';

const Box = z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() }).strict();
const field = <T extends z.ZodType>(value: T) =>
  z
    .object({
      value,
      confidence: z.number().min(0).max(1),
      text: z.string(),
      box: Box,
      /** The image it was read from (`images[n]`). */
      image: z.number().int().min(0),
    })
    .strict()
    .nullable();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const count = z.number().int().min(0);
const Page = z.enum(['subscription', 'license', 'dashboard', 'unknown']);

export const MergedEvidenceBody = z
  .object({
    plan: field(z.enum(EVIDENCE_PLANS)),
    startedAt: field(date),
    expiresAt: field(date),
    previousSeats: field(count),
    billableUsers: field(count),
    maximumUsers: field(count),
    usersOverSubscription: field(count),
    activeUsers: field(count),
    gitlabVersion: field(z.string()),
    licensee: z
      .object({ name: field(z.string()), email: field(z.string()), company: field(z.string()) })
      .strict(),
    pages: z.array(Page),
  })
  .strict();

const ImageSummary = z
  .object({
    n: z.number().int().min(0),
    page: Page,
    mediaType: z.enum(['image/png', 'image/jpeg', 'image/webp']),
    size: z.number().int().min(0),
    width: z.number().int().min(1),
    height: z.number().int().min(1),
    fileName: z.string().nullable(),
    fieldsRead: z.number().int().min(0),
  })
  .strict();

const Missing = z.array(z.enum(['dashboard', 'subscription']));

export const EvidenceBody = z
  .object({
    evidenceId: z.string(),
    createdAt: z.string(),
    source: z.enum(['upload', 'ticket']),
    ticketId: z.string().nullable(),
    actor: z.string(),
    evidence: MergedEvidenceBody,
    missing: Missing,
    images: z.array(ImageSummary),
  })
  .strict();

export const TicketEvidenceBody = EvidenceBody.extend({
  evidenceId: z.string().nullable(),
  createdAt: z.string().nullable(),
  attachments: z.number().int().min(0),
  skipped: z.array(
    z
      .object({
        fileName: z.string().nullable(),
        code: z.enum(['IMAGE_UNSUPPORTED', 'IMAGE_TOO_LARGE', 'IMAGE_UNREADABLE', 'OCR_TIMEOUT', 'NOT_READ']),
        message: z.string(),
      })
      .strict(),
  ),
}).strict();

export const CropBody = z
  .object({
    field: z.enum(CROP_FIELDS),
    image: z.number().int().min(0),
    box: Box,
    mediaType: z.literal('image/png'),
    /** The crop, base64. */
    png: z.string(),
  })
  .strict();

const EvidenceParams = z.object({ id: z.string().max(RECORD_ID_MAX_LENGTH) }).strict();
const ImageParams = z
  .object({ id: z.string().max(RECORD_ID_MAX_LENGTH), n: z.coerce.number().int().min(0).max(99) })
  .strict();
const TicketParams = z.object({ ticketId: z.string().max(TICKET_ID_MAX_LENGTH) }).strict();
const CropQuery = z.object({ field: z.string().max(40) }).strict();

const refused = {
  400: { description: 'invalid input', schema: ErrorBody },
  403: { description: 'the caller may not', schema: ErrorBody },
  413: { description: 'IMAGE_TOO_LARGE: over 10 MB or 40 megapixels', schema: ErrorBody },
  415: { description: 'IMAGE_UNSUPPORTED: not a PNG, JPEG or WebP image', schema: ErrorBody },
  422: { description: 'IMAGE_UNREADABLE or OCR_TIMEOUT', schema: ErrorBody },
  429: { description: 'too many calls this hour for this caller; see Retry-After', schema: ErrorBody },
};
const notFound = { 404: { description: 'no such read, image or field', schema: ErrorBody } };

export const evidenceRoutes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/api/v1/evidence/screenshots',
    summary:
      "Read the customer's screenshots (multipart field `images`: PNG, JPEG or WebP, at most 10 MB and 40 megapixels each) and keep the read; an issue call refers to it by evidenceId",
    upload: {
      field: 'images',
      maxFiles: SCREENSHOTS_PER_READ,
      maxFileBytes: SCREENSHOT_MAX_BYTES,
      tooLargeCode: 'IMAGE_TOO_LARGE',
    },
    responses: { 201: { description: 'what was read, kept', schema: EvidenceBody }, ...refused },
    async handler(ctx, reply) {
      const images = ctx.body as UploadedFile[];
      const view = unwrap(await readScreenshots({ images, actor: ctx.actor }, ctx.ports));
      reply.code(201);
      return view;
    },
  },
  {
    method: 'POST',
    url: '/api/v1/evidence/ticket/:ticketId',
    summary:
      "Read the ticket's image attachments (ticket system connected; a signed request: its own ticket only), keep the read, and say which screenshot is missing",
    params: TicketParams,
    responses: {
      200: {
        description: 'what was read (evidenceId null when nothing could be)',
        schema: TicketEvidenceBody,
      },
      ...refused,
      409: { description: 'the ticket system is not connected', schema: ErrorBody },
    },
    async handler(ctx) {
      const { ticketId } = parse(TicketParams, ctx.params, 'params');
      return unwrap(await readTicketScreenshots({ ticketId, actor: ctx.actor }, ctx.ports));
    },
  },
  {
    method: 'GET',
    url: '/api/v1/evidence/:id',
    summary: 'A kept screenshot read',
    params: EvidenceParams,
    responses: { 200: { description: 'the read', schema: EvidenceBody }, ...notFound },
    async handler(ctx) {
      const { id } = parse(EvidenceParams, ctx.params, 'params');
      return unwrap(await showEvidence({ evidenceId: id }, ctx.ports));
    },
  },
  {
    method: 'GET',
    url: '/api/v1/evidence/:id/images/:n',
    summary: 'One image of a kept read, as it was uploaded',
    params: ImageParams,
    responses: { 200: { description: 'the image (PNG, JPEG or WebP)' }, ...notFound },
    async handler(ctx, reply) {
      const { id, n } = parse(ImageParams, ctx.params, 'params');
      const image = unwrap(await evidenceImage({ evidenceId: id, n }, ctx.ports));
      reply
        .header('content-type', image.mediaType)
        .header('content-disposition', `inline; filename="${image.fileName}"`);
      return Buffer.from(image.bytes);
    },
  },
  {
    method: 'GET',
    url: '/api/v1/evidence/:id/crop',
    summary: 'The part of the screenshot a field was read from (PNG, base64), to check it by eye',
    params: EvidenceParams,
    query: CropQuery,
    responses: { 200: { description: 'the crop', schema: CropBody }, ...notFound },
    async handler(ctx) {
      const { id } = parse(EvidenceParams, ctx.params, 'params');
      const { field } = parse(CropQuery, ctx.query, 'query');
      const crop = unwrap(await evidenceCrop({ evidenceId: id, field }, ctx.ports));
      return {
        field: crop.field,
        image: crop.image,
        box: crop.box,
        mediaType: 'image/png',
        png: Buffer.from(crop.png).toString('base64'),
      };
    },
  },
];
