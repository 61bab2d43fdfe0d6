/** What a route is: one table drives both registration and the OpenAPI document. */
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { App } from '../../app.js';
import { LifelineError } from '../../core/errors.js';
import type { Actor } from '../../core/ports.js';
import type { IssuancePorts } from '../../core/issuance/context.js';
import type { UploadSpec } from './upload.js';

export interface RouteContext {
  app: App;
  actor: Actor;
  body: unknown;
  query: unknown;
  params: unknown;
  requestId: string;
  /** The app's ports with the API's issue/resend limits (in the database: shared by every process). */
  ports: IssuancePorts;
  /** The console session's cookie secret, when the caller was recognised by it. */
  sessionSecret: string | null;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  summary: string;
  /** Answered without credentials (signing in); documented with `security: []`. */
  public?: boolean;
  body?: z.ZodType;
  /** Takes files (multipart/form-data) instead of JSON: the handler's `body` is the files read. */
  upload?: UploadSpec;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Status → response schema (documentation). */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler(ctx: RouteContext, reply: FastifyReply): Promise<unknown>;
}

/** Parses at the edge; the first problem is named by its field. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value ?? (where === 'body' ? {} : value));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = unknownKey ?? (issue && issue.path.length > 0 ? issue.path.join('.') : where);
  const message = unknownKey ? 'is not a field of this request' : (issue?.message ?? 'invalid');
  throw new LifelineError('VALIDATION_FAILED', `${field}: ${message}`, { field });
}
