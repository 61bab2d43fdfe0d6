/** The OpenAPI 3.1 document, built from the route table and its zod schemas. */
import { z } from 'zod';
import { EMERGENCY_TERM_DAYS, RECORD_ID_MAX_LENGTH } from '../../core/limits.js';
import type { ApiRoute } from './route.js';
import { ErrorBody } from './schemas.js';

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Json =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;

function parametersOf(route: ApiRoute): Json[] {
  const params: Json[] = [];
  for (const match of route.url.matchAll(/:([A-Za-z]+)/g)) {
    params.push({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string', maxLength: RECORD_ID_MAX_LENGTH },
    });
  }
  if (route.query) {
    const json = schemaOf(route.query, 'input');
    const properties = (json['properties'] ?? {}) as Record<string, Json>;
    const required = (json['required'] ?? []) as string[];
    for (const [name, schema] of Object.entries(properties)) {
      params.push({ name, in: 'query', required: required.includes(name), schema });
    }
  }
  return params;
}

const PUBLIC_PATHS: Json = {
  '/healthz': {
    get: {
      summary: 'Liveness',
      security: [],
      responses: { 200: { description: 'the process is up' } },
    },
  },
  '/readyz': {
    get: {
      summary: 'Readiness: database reachable and signing key loaded',
      security: [],
      responses: { 200: { description: 'ready' }, 503: { description: 'not ready' } },
    },
  },
  '/auth/oidc/login': {
    get: {
      summary:
        'Sign in with the identity provider: redirects there (OIDC_ISSUER; `next` is the console path to land on)',
      security: [],
      parameters: [
        { name: 'next', in: 'query', required: false, schema: { type: 'string', maxLength: 500 } },
      ],
      responses: { 303: { description: 'to the provider, or to /login?error=oidc-off|oidc-unavailable' } },
    },
  },
  '/auth/oidc/callback': {
    get: {
      summary:
        "The identity provider's redirect back: starts a console session (the flow's cookie must match)",
      security: [],
      responses: {
        303: { description: 'to the console path, or to /login?error=oidc-refused|oidc-failed (no session)' },
      },
    },
  },
  '/api/v1/openapi.json': {
    get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } },
  },
};

export function openApiDocument(routes: readonly ApiRoute[]): Json {
  const paths: Record<string, Json> = { ...(PUBLIC_PATHS as Record<string, Json>) };
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Json = {};
    for (const [status, r] of Object.entries(route.responses)) {
      responses[status] = r.schema
        ? {
            description: r.description,
            content: { 'application/json': { schema: schemaOf(r.schema, 'output') } },
          }
        : { description: r.description };
    }
    if (!route.public)
      responses['401'] ??= {
        description: 'not authenticated',
        content: { 'application/json': { schema: schemaOf(ErrorBody, 'output') } },
      };
    const operation: Json = {
      summary: route.summary,
      operationId: `${route.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: parametersOf(route),
      responses,
      ...(route.public ? { security: [] } : {}),
    };
    if (route.upload) {
      const { field, maxFiles } = route.upload;
      operation['requestBody'] = {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: {
                [field]: { type: 'array', maxItems: maxFiles, items: { type: 'string', format: 'binary' } },
              },
              required: [field],
            },
          },
        },
      };
    } else if (route.body) {
      operation['requestBody'] = {
        required: route.method === 'POST' && !route.url.match(/\/(resend|retry|approve)$/),
        content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
      };
    }
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lifeline API',
      version: '1',
      description:
        `Emergency ${EMERGENCY_TERM_DAYS}-day GitLab licenses. Errors are {"error":{"code","message","requestId"}}; ` +
        'every response carries x-request-id.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (llt_…) or a Zendesk sidebar signed request (HS256 JWT).',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'lifeline_session',
          description:
            'A web console session (POST /api/v1/session). Requests that change something also send X-CSRF-Token.',
        },
      },
    },
    paths,
  };
}
