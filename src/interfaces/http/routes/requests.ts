/**
 * Eligibility and emergency licenses (PRODUCT.md §7, §8). Each route parses, calls ONE use case and
 * renders its result; the actor always comes from authentication, never from the body.
 *
 * Reads (`GET …/:id`, `…/:id/license`) have no role rule in the core; were one to refuse, a
 * FORBIDDEN on a record read is answered 404 NOT_FOUND so that it does not reveal the record.
 */
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import { parseCalendarDate, type CalendarDate } from '../../../core/dates.js';
import type { EligibilityResult } from '../../../core/eligibility/index.js';
import { httpStatusOf, LifelineError, type Code } from '../../../core/errors.js';
import {
  checkRequest,
  issueEmergencyLicense,
  type IssueInput,
  approveRequest,
  assertLicenseKept,
  listRequests,
  lookupById,
  lookupRequests,
  rejectRequest,
  resendLicense,
  retryRequest,
  voidRequest,
} from '../../../core/issuance/index.js';
import { replaceRequest } from '../../../core/issuance/replace.js';
import { checkJson, recordJson } from '../../../core/issuance/view.js';
import type { Actor } from '../../../core/ports.js';
import { parse, type ApiRoute, type RouteContext } from '../route.js';
import {
  ApproveBody,
  CheckBody,
  ErrorBody,
  IdParams,
  IssueBody,
  ListBody,
  ListQuery,
  ReasonBody,
  RecordBody,
  RefusedBody,
  FailedBody,
  ReplaceBody,
  ResendBody,
  RetryBody,
} from '../schemas.js';
import { DomainFailure, fail, unwrap } from '../../../core/outcome.js';

function pinnedDate(value: string | undefined, field: string): CalendarDate | undefined {
  if (value === undefined) return undefined;
  const date = parseCalendarDate(value);
  if (!date)
    throw new LifelineError('VALIDATION_FAILED', `${field}: must be a real date as YYYY-MM-DD`, { field });
  return date;
}

function issueInput(body: IssueBody, actor: Actor): IssueInput {
  const today = pinnedDate(body.today, 'today');
  return {
    request: {
      ticketId: body.ticketId,
      ticketUrl: body.ticketUrl,
      requesterEmail: body.requesterEmail,
      seats: body.seats,
      plan: body.plan,
      expiresAt: body.expiresAt,
      previousSeats: body.previousSeats,
      maximumUsers: body.maximumUsers,
      billableUsers: body.billableUsers,
    },
    previousLicenseText: body.previousLicense ?? null,
    overrideReason: body.overrideReason ?? null,
    ...(body.evidenceId !== undefined ? { evidenceId: body.evidenceId } : {}),
    actor,
    ...(today ? { today } : {}),
  };
}

/** A 422: refused by the rules (every refusal), or another coded error (e.g. OVERRIDE_NOT_ALLOWED). */
const RefusedOrError = z.union([RefusedBody, ErrorBody]);

/** 422 with the first refusal's code, every refusal, the warnings and the facts. */
function refused(reply: FastifyReply, ctx: RouteContext, result: EligibilityResult, id: string | null) {
  const first = result.refusals[0];
  const code = (first?.code ?? 'INPUT_INVALID') as Code;
  reply.code(httpStatusOf(code));
  return {
    error: { code, message: first?.message ?? 'refused', requestId: ctx.requestId },
    ...checkJson(result),
    id,
  };
}

const idOf = (ctx: RouteContext): string => parse(IdParams, ctx.params, 'params').id;

/** A read that must not reveal whether a record exists. */
async function hidden<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainFailure && error.error.code === 'FORBIDDEN')
      fail('NOT_FOUND', 'no such request');
    throw error;
  }
}

const recordResponses = {
  200: { description: 'the record', schema: RecordBody },
  400: { description: 'invalid input', schema: ErrorBody },
  401: { description: 'not authenticated', schema: ErrorBody },
  403: { description: 'the role may not do this', schema: ErrorBody },
  404: { description: 'no such request', schema: ErrorBody },
  409: { description: 'the request is not in a state that allows this', schema: ErrorBody },
};

const rateLimitedResponse = {
  description: 'too many issue/resend calls this hour for the user or the customer; see Retry-After',
  schema: ErrorBody,
};

export const requestRoutes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/api/v1/eligibility',
    summary: 'Check eligibility only; nothing is stored',
    body: IssueBody,
    responses: {
      200: { description: 'the check result (eligible or not)', schema: CheckBody },
      400: { description: 'invalid input', schema: ErrorBody },
    },
    async handler(ctx) {
      const body = parse(IssueBody, ctx.body, 'body');
      const result = unwrap(await checkRequest(issueInput(body, ctx.actor), ctx.ports, ctx.app.settings));
      return checkJson(result);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/emergency-licenses',
    summary: 'Issue an emergency license (201 new, 200 existing, 202 pending approval, 422 refused)',
    body: IssueBody,
    responses: {
      201: { description: 'issued', schema: RecordBody },
      200: { description: 'the ticket already has a request', schema: RecordBody },
      202: { description: 'override recorded; waits for licensing', schema: RecordBody },
      400: { description: 'invalid input', schema: ErrorBody },
      422: { description: 'refused, with every refusal', schema: RefusedOrError },
      429: rateLimitedResponse,
      500: { description: 'no license could be generated; the failure is recorded', schema: FailedBody },
    },
    async handler(ctx, reply) {
      const body = parse(IssueBody, ctx.body, 'body');
      const outcome = unwrap(
        await issueEmergencyLicense(issueInput(body, ctx.actor), ctx.ports, ctx.app.settings),
      );
      switch (outcome.kind) {
        case 'issued':
          reply.code(201);
          return recordJson(outcome.view, false);
        case 'existing':
          reply.code(200);
          return recordJson(outcome.view, true);
        case 'pending_approval':
          reply.code(202);
          return recordJson(outcome.view, false);
        case 'refused':
          return refused(reply, ctx, outcome.eligibility, outcome.view?.request.id ?? null);
        case 'failed':
          reply.code(httpStatusOf('INTERNAL'));
          return {
            error: {
              code: 'INTERNAL',
              message: 'no license could be generated; the failure is recorded',
              requestId: ctx.requestId,
            },
            record: recordJson(outcome.view, false),
          };
      }
    },
  },
  {
    method: 'GET',
    url: '/api/v1/emergency-licenses',
    summary:
      'List requests, newest first: search (q: the start of an email, domain, company or fingerprint), filters (email, ticket, engineer, status, creation date range, attention), or one license fingerprint',
    query: ListQuery,
    responses: {
      200: { description: 'a page of requests; `next` is the cursor for the next page', schema: ListBody },
      400: { description: 'invalid query', schema: ErrorBody },
    },
    async handler(ctx) {
      const q = parse(ListQuery, ctx.query, 'query');
      if (q.fingerprint !== undefined) {
        const found = unwrap(await lookupRequests(ctx.ports, { fingerprint: q.fingerprint }));
        return { requests: found.map((v) => recordJson(v, true)), next: null };
      }
      const page = unwrap(
        await listRequests(ctx.ports, {
          ...(q.q !== undefined ? { q: q.q } : {}),
          ...(q.attention ? { attention: q.attention } : {}),
          ...(q.email ? { email: q.email } : {}),
          ...(q.ticket ? { ticketId: q.ticket } : {}),
          ...(q.engineer ? { engineer: q.engineer } : {}),
          ...(q.status ? { status: q.status } : {}),
          ...(q.from ? { createdFrom: q.from } : {}),
          // A date-only upper bound means the whole of that day (UTC).
          ...(q.to ? { createdTo: q.to.length === 10 ? `${q.to}T23:59:59.999Z` : q.to } : {}),
          ...(q.before ? { before: q.before } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
        }),
      );
      return { requests: page.requests.map((v) => recordJson(v, true)), next: page.next };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/emergency-licenses/:id',
    summary: 'One request with its license, deliveries and event timeline',
    params: IdParams,
    responses: recordResponses,
    async handler(ctx) {
      const id = idOf(ctx);
      const view = await hidden(async () => unwrap(await lookupById(ctx.ports, id)));
      // The embedded default keeps its tracker issues, chat posts and ticket notes in the database
      // (PRODUCT.md §9): the record shows them, as `lifeline lookup` does.
      const localRecords = await ctx.app.ports.localRecords.list(view.request.id, view.request.ticketId);
      return { ...recordJson(view, true), localRecords };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/emergency-licenses/:id/license',
    summary: 'Download the license file',
    params: IdParams,
    responses: {
      200: { description: 'the license file' },
      404: { description: 'no such request, or it has no license', schema: ErrorBody },
    },
    async handler(ctx, reply) {
      const id = idOf(ctx);
      const view = await hidden(async () => unwrap(await lookupById(ctx.ports, id)));
      if (!view.license) throw new LifelineError('NOT_FOUND', `request ${view.request.id} has no license`);
      assertLicenseKept(view.license.text, view.request.id);
      const fileName = view.license.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
      reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${fileName}"`);
      return view.license.text;
    },
  },
  {
    method: 'POST',
    url: '/api/v1/emergency-licenses/:id/resend',
    summary: 'Send the same license again (another address: licensing only)',
    params: IdParams,
    body: ResendBody,
    responses: { ...recordResponses, 429: rateLimitedResponse },
    async handler(ctx) {
      const id = idOf(ctx);
      const body = parse(ResendBody, ctx.body, 'body');
      const view = unwrap(
        await resendLicense(
          { requestId: id, actor: ctx.actor, to: body.to ?? null },
          ctx.ports,
          ctx.app.settings,
        ),
      );
      return recordJson(view, true);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/emergency-licenses/:id/retry',
    summary:
      'Run a failed request again (only when no license was generated; on its own decision date, up to 7 days after it)',
    params: IdParams,
    body: RetryBody,
    responses: { ...recordResponses, 422: { description: 'refused now', schema: RefusedOrError } },
    async handler(ctx, reply) {
      const id = idOf(ctx);
      parse(RetryBody, ctx.body, 'body');
      const outcome = unwrap(
        await retryRequest({ requestId: id, actor: ctx.actor }, ctx.ports, ctx.app.settings),
      );
      if (outcome.kind === 'refused') return refused(reply, ctx, outcome.eligibility, id);
      return recordJson(outcome.view, false);
    },
  },
  ...(['void', 'approve', 'reject'] as const).map((name): ApiRoute => ({
    method: 'POST',
    url: `/api/v1/emergency-licenses/:id/${name}`,
    summary:
      name === 'void'
        ? 'Void an issued record (licensing)'
        : name === 'approve'
          ? 'Approve an override waiting for licensing (licensing)'
          : 'Reject an override waiting for licensing (licensing)',
    params: IdParams,
    body: name === 'approve' ? ApproveBody : ReasonBody,
    responses: recordResponses,
    async handler(ctx) {
      const id = idOf(ctx);
      if (name === 'approve') {
        const body = parse(ApproveBody, ctx.body, 'body');
        const today = pinnedDate(body.today, 'today');
        const view = unwrap(
          await approveRequest(
            { requestId: id, actor: ctx.actor, reason: body.reason ?? null, ...(today ? { today } : {}) },
            ctx.ports,
            ctx.app.settings,
          ),
        );
        return recordJson(view, true);
      }
      const body = parse(ReasonBody, ctx.body, 'body');
      const input = { requestId: id, actor: ctx.actor, reason: body.reason };
      const view =
        name === 'reject'
          ? unwrap(await rejectRequest(input, ctx.ports))
          : unwrap(await voidRequest(input, ctx.ports));
      return recordJson(view, true);
    },
  })),
  {
    method: 'POST',
    url: '/api/v1/emergency-licenses/:id/replace',
    summary:
      'Replace an issued or voided license (licensing): voids it if needed and issues a new one for the same ticket, both records linked',
    params: IdParams,
    body: ReplaceBody,
    responses: {
      ...recordResponses,
      201: { description: 'the replacement, with `replaces`', schema: RecordBody },
      422: { description: 'refused by the rules on the original decision date', schema: RefusedOrError },
    },
    async handler(ctx, reply) {
      const id = idOf(ctx);
      const body = parse(ReplaceBody, ctx.body, 'body');
      const today = pinnedDate(body.today, 'today');
      const outcome = unwrap(
        await replaceRequest(
          {
            requestId: id,
            actor: ctx.actor,
            requesterEmail: body.requesterEmail,
            seats: body.seats,
            reason: body.reason,
            ...(today ? { today } : {}),
          },
          ctx.ports,
          ctx.app.settings,
        ),
      );
      if (outcome.kind === 'refused') return refused(reply, ctx, outcome.eligibility, id);
      reply.code(201);
      return recordJson(outcome.view, false);
    },
  },
];
