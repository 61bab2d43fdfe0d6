/**
 * The HTTP API (PRODUCT.md §8, §10) on Fastify: request ids, one JSON error envelope with the
 * status from the single code table, authentication on every route but health, readiness, the
 * OpenAPI document and /docs; routes from the route table, which also makes the OpenAPI document.
 */
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { App } from '../../app.js';
import { randomHex } from '../../runtime/random-pool.js';
import { CODES, httpStatusOf, LifelineError, type Code } from '../../core/errors.js';
import { DomainFailure } from '../../core/outcome.js';
import type { Actor } from '../../core/ports.js';
import { authenticate, SESSION_COOKIE, type Authentication } from './auth.js';
import { openApiDocument } from './openapi.js';
import type { ApiRoute } from './route.js';
import { accessRoutes } from './routes/access.js';
import { auditRoutes } from './routes/audit.js';
import { eligibilityRoutes } from './routes/eligibility.js';
import { evidenceRoutes } from './routes/evidence.js';
import { licenseRoutes } from './routes/licenses.js';
import { requestRoutes } from './routes/requests.js';
import { registerOidc } from './routes/oidc.js';
import { registerLoginLink, sessionRoutes } from './routes/session.js';
import { statsRoutes } from './routes/stats.js';
import { registerWeb } from './web.js';
import { registerMetrics } from './metrics.js';
import { registerZendeskDev } from './zendesk-dev.js';
import { secretValuesOf, serverErrorFields } from './error-log.js';
import { readUpload } from './upload.js';

export interface HttpServerOptions {
  /**
   * Fastify's (pino) JSON logger; off unless asked for. `{ stream }` writes the log lines to that
   * stream (tests capture them). Credentials and cookies are always redacted.
   */
  logger?: boolean | { stream: { write(line: string): void }; level?: string };
  /**
   * Where every 5xx answer is logged (one JSON line) while the logger above is off; default
   * standard error. With the logger on, these lines go through it.
   */
  errorLog?: { write(line: string): void };
  /** Largest request body in bytes (default 256 KiB). */
  bodyLimit?: number;
  /** Serve the browsable /docs page (default true). */
  docs?: boolean;
}

export const DEFAULT_BODY_LIMIT = 256 * 1024;
export const API_ROUTES: readonly ApiRoute[] = [
  ...sessionRoutes,
  ...requestRoutes,
  ...eligibilityRoutes,
  ...licenseRoutes,
  ...auditRoutes,
  ...statsRoutes,
  ...accessRoutes,
  ...evidenceRoutes,
];

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    auth: Authentication | null;
    /** What made this request's answer a 5xx (logged when the answer is sent). */
    serverError: { code: Code; error: unknown } | null;
  }
  interface FastifyContextConfig {
    /** An API route answered without credentials (signing in). */
    public?: boolean;
  }
}

/** Never logged: credentials and cookies (license texts are never handed to the logger at all). */
const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Only the API needs credentials: paths under /api/v1/ but its OpenAPI document and the routes
 * marked public (signing in). Web pages, assets, health and docs are answered by their own routes.
 */
function needsCredentials(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  // The matched route decides (a percent-encoded path still matches its route); else the raw path.
  if (!(url ?? request.url).startsWith('/api/') && !request.url.startsWith('/api/')) return false;
  if (url === '/api/v1/openapi.json') return false;
  return request.routeOptions.config?.public !== true;
}

/** Retry-After of a 503 that trying again may cure (a retryable INFRASTRUCTURE error). */
const RETRY_AFTER_SECONDS = '5';

function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  code: Code,
  message: string,
  status: number = httpStatusOf(code),
  extra: Record<string, unknown> = {},
): FastifyReply {
  if (status >= 500) request.serverError ??= { code, error: undefined };
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, requestId: request.id, ...extra } });
}

/** Maps Fastify's own 4xx errors (body too large, bad JSON, wrong content type…) to a coded answer. */
function frameworkError(error: FastifyError): { code: Code; status: number; message: string } | null {
  const status = error.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (status === 404) return { code: 'NOT_FOUND', status, message: 'no such route' };
  if (status === 413)
    return { code: 'PAYLOAD_TOO_LARGE', status, message: 'body: the request body is too large' };
  if (status === 415)
    return { code: 'UNSUPPORTED_MEDIA_TYPE', status, message: 'content-type: send application/json' };
  if (status === 429) return { code: 'RATE_LIMITED', status, message: 'too many requests' };
  return {
    code: 'VALIDATION_FAILED',
    status: 400,
    message: `body: ${error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'the JSON body is empty' : 'the request could not be read (malformed JSON?)'}`,
  };
}

export async function createHttpServer(app: App, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const server = Fastify({
    logger: options.logger
      ? {
          redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
          // The path without its query, which may hold personal data (a list by email).
          serializers: {
            req: (req: FastifyRequest) => ({
              method: req.method,
              url: req.url.split('?')[0],
              remoteAddress: req.ip,
            }),
          },
          level: typeof options.logger === 'object' ? (options.logger.level ?? 'info') : 'info',
          ...(typeof options.logger === 'object' ? { stream: options.logger.stream } : {}),
        }
      : false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // The router's own refusals (a path segment over 100 characters, a malformed URL) answer in the
    // one error envelope too, not in Fastify's.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void sendError(
        reply,
        request,
        'VALIDATION_FAILED',
        tooLong ? 'params: a path segment is too long' : 'the URL is malformed',
        400,
        { field: 'params' },
      );
    },
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req-${randomHex(8)}`;
    },
  });
  server.decorateRequest('actor', null);
  server.decorateRequest('auth', null);
  server.decorateRequest('serverError', null);
  await server.register(fastifyCookie);
  // Multipart bodies are read only by routes that take files (route.upload), within their limits.
  await server.register(fastifyMultipart);

  server.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (!request.url.startsWith('/docs')) {
      // The API answers JSON and files only: nothing may be framed, scripted or loaded from it.
      reply.header('x-frame-options', 'DENY');
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    } else {
      // Swagger UI serves its own scripts and styles (and inline styles); still never framed.
      reply.header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
      );
    }
    reply.header('cache-control', 'no-store');
    if (!needsCredentials(request)) return;
    const auth = await authenticate(app, request.headers.authorization, request.cookies[SESSION_COOKIE]);
    // A console session changes nothing without its CSRF token (a header a foreign page cannot set).
    if (
      auth.sessionSecret &&
      !SAFE_METHODS.has(request.method) &&
      !app.ports.sessions.csrfTokenMatches(auth.sessionSecret, request.headers['x-csrf-token'])
    ) {
      throw new LifelineError('CSRF_FAILED', 'x-csrf-token: missing or wrong; reload the page and try again');
    }
    request.auth = auth;
    request.actor = auth.actor;
  });

  // Every 5xx is logged, also with request logging off: it is a fault someone has to look at; so
  // is a fault a route answered otherwise (a sign-in sent back to the login page).
  const secrets = secretValuesOf(app.config);
  const errorLog = options.errorLog ?? process.stderr;
  server.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode < 500 && !request.serverError) return;
    const fields = serverErrorFields(
      {
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        code: request.serverError?.code ?? 'INTERNAL',
        error: request.serverError?.error,
      },
      secrets,
    );
    if (options.logger) request.log.error(fields, 'server error');
    else
      errorLog.write(
        `${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: 'server error', ...fields })}\n`,
      );
  });

  server.setNotFoundHandler((request, reply) => {
    void sendError(
      reply,
      request,
      'NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''}`,
    );
  });

  server.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainFailure) {
      // A use case's expected failure: its code decides the status; the sentence is for people.
      const { code, message, field, retryAfterSeconds } = error.error;
      if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
      return sendError(reply, request, code, message, httpStatusOf(code), field ? { field } : {});
    }
    if (error instanceof LifelineError) {
      const extra = error.options.field ? { field: error.options.field } : {};
      // Only coded messages written for people; infrastructure details stay in the log.
      const internal = httpStatusOf(error.code) >= 500;
      if (internal) request.serverError = { code: error.code, error };
      // The database restarting, or locked for a moment: the same call may succeed shortly.
      if (error.retryable && httpStatusOf(error.code) === 503)
        reply.header('retry-after', RETRY_AFTER_SECONDS);
      if (error.options.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.options.retryAfterSeconds));
      return sendError(
        reply,
        request,
        error.code,
        internal
          ? `${error.code === 'INFRASTRUCTURE' ? 'a dependency is unavailable' : 'internal error'}; request ${request.id}`
          : error.message,
        httpStatusOf(error.code),
        extra,
      );
    }
    if (error.validation) {
      const first = error.validation[0];
      const field =
        (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') ||
        (error.validationContext ?? 'body');
      return sendError(reply, request, 'VALIDATION_FAILED', `${field}: ${first?.message ?? 'invalid'}`, 400, {
        field,
      });
    }
    const framework = frameworkError(error);
    if (framework) return sendError(reply, request, framework.code, framework.message, framework.status);
    request.serverError = { code: 'INTERNAL', error };
    return sendError(
      reply,
      request,
      'INTERNAL',
      `internal error; request ${request.id}`,
      CODES.INTERNAL.http,
    );
  });

  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (request, reply) => {
    const problems = await app.ports.health.problems();
    if (problems.length > 0) return sendError(reply, request, 'INFRASTRUCTURE', problems.join('; '));
    return { status: 'ready' };
  });

  const document = openApiDocument(API_ROUTES);
  server.get('/api/v1/openapi.json', async () => document);

  if (options.docs !== false) {
    await server.register(fastifySwagger, { mode: 'static', specification: { document: document as never } });
    await server.register(fastifySwaggerUi, { routePrefix: '/docs' });
  }

  for (const route of API_ROUTES) {
    server.route({
      method: route.method,
      url: route.url,
      config: { public: route.public === true },
      handler: async (request, reply) => {
        const actor = request.actor;
        if (!actor && !route.public) throw new LifelineError('UNAUTHENTICATED', 'sign in');
        const body = route.upload ? await readUpload(request, route.upload) : request.body;
        return route.handler(
          {
            app,
            actor: actor ?? { name: 'anonymous', role: 'engineer' },
            sessionSecret: request.auth?.sessionSecret ?? null,
            body,
            query: request.query,
            params: request.params,
            requestId: request.id,
            ports: { ...app.ports, limits: app.ports.apiLimits },
          },
          reply,
        );
      },
    });
  }
  registerLoginLink(server, app);
  registerOidc(server, app);
  registerWeb(server, app);
  registerMetrics(server, app);
  registerZendeskDev(server, app);
  return server;
}
