/**
 * Admins manage access (PRODUCT.md §2): API tokens (created with the secret shown once, listed,
 * revoked) and console sessions (listed, ended). The use cases in core/access check the role; with
 * a session cookie, every POST and DELETE carries the CSRF token (server.ts).
 */
import { endSession, listSessions, sessionOf } from '../../../core/access/sessions.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../../core/access/tokens.js';
import type { z } from 'zod';
import { unwrap, type Outcome } from '../../../core/outcome.js';
import { parse, type ApiRoute, type RouteContext } from '../route.js';
import {
  ConsoleSessionListBody,
  CreatedTokenBody,
  CreateTokenBody,
  EndedSessionBody,
  ErrorBody,
  IdParams,
  RevokedTokenBody,
  TokenListBody,
} from '../schemas.js';

const idOf = (ctx: RouteContext): string => parse(IdParams, ctx.params, 'params').id;

const forbidden = { description: 'not an admin', schema: ErrorBody };

/** `DELETE <url>/:id` through one use case, answered `{ id, <done>: true }`. */
function removal(route: {
  url: string;
  summary: string;
  missing: string;
  schema: z.ZodType;
  done: 'revoked' | 'ended';
  run: (ctx: RouteContext, id: string) => Outcome<void>;
}): ApiRoute {
  return {
    method: 'DELETE',
    url: route.url,
    summary: route.summary,
    params: IdParams,
    responses: {
      200: { description: route.done, schema: route.schema },
      403: forbidden,
      404: { description: route.missing, schema: ErrorBody },
    },
    async handler(ctx) {
      const id = idOf(ctx);
      unwrap(await route.run(ctx, id));
      return { id, [route.done]: true };
    },
  };
}

export const accessRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/tokens',
    summary: 'API tokens (admin): names, roles, first characters and states, never the secrets',
    responses: { 200: { description: 'every token, oldest first', schema: TokenListBody }, 403: forbidden },
    async handler(ctx) {
      return { tokens: unwrap(await listApiTokens(ctx.actor, ctx.app.ports)) };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/tokens',
    summary: 'Create an API token with a role (admin); its secret is in this answer only',
    body: CreateTokenBody,
    responses: {
      201: { description: 'created: show the secret now, it is never shown again', schema: CreatedTokenBody },
      400: { description: 'invalid name or role', schema: ErrorBody },
      403: forbidden,
    },
    async handler(ctx, reply) {
      const body = parse(CreateTokenBody, ctx.body, 'body');
      const created = unwrap(await createApiToken({ actor: ctx.actor, ...body }, ctx.app.ports));
      reply.code(201);
      return created;
    },
  },
  removal({
    url: '/api/v1/tokens/:id',
    summary: 'Revoke an API token (admin); the console sessions signed in with it end too',
    missing: 'no live token with this id',
    schema: RevokedTokenBody,
    done: 'revoked',
    run: (ctx, id) => revokeApiToken(ctx.actor, id, ctx.app.ports),
  }),
  {
    method: 'GET',
    url: '/api/v1/sessions',
    summary: 'Live console sessions (admin): who, which role, since and until when',
    responses: { 200: { description: 'newest first', schema: ConsoleSessionListBody }, 403: forbidden },
    async handler(ctx) {
      const sessions = unwrap(await listSessions(ctx.actor, ctx.app.ports));
      const own = ctx.sessionSecret ? await sessionOf(ctx.sessionSecret, ctx.app.ports) : null;
      return {
        sessions: sessions.map((s) => ({
          id: s.id,
          user: { name: s.actor.name, role: s.actor.role },
          createdAt: s.createdAt ?? null,
          expiresAt: s.expiresAt,
          tokenId: s.tokenId ?? null,
          current: s.id === own?.id,
        })),
      };
    },
  },
  removal({
    url: '/api/v1/sessions/:id',
    summary: 'End a console session (admin): its cookie stops working at once',
    missing: 'no session with this id',
    schema: EndedSessionBody,
    done: 'ended',
    run: (ctx, id) => endSession(ctx.actor, id, ctx.app.ports),
  }),
];
