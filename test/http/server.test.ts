import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { scrubSecrets, secretValuesOf } from '../../src/interfaces/http/error-log.js';
import { startApi, ZENDESK_SECRET, type Api } from './helpers.js';
import { storeOf } from '../../src/app.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

describe('the HTTP server', () => {
  it('answers /healthz and /readyz without credentials, with a request id', async () => {
    const health = await api.call('GET', '/healthz', { token: null });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    expect(health.headers['x-request-id']).toMatch(/^req-[0-9a-f]{16}$/);
    const ready = await api.call('GET', '/readyz', { token: null });
    expect(ready.statusCode).toBe(200);
  });

  it('keeps a sane x-request-id and replaces an insane one', async () => {
    const kept = await api.call('GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await api.call('GET', '/healthz', { headers: { 'x-request-id': 'a b\u00e9<script>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^req-/);
  });

  it('answers unknown routes 404 NOT_FOUND in the envelope (when signed in) and 401 otherwise', async () => {
    const res = await api.call('GET', '/api/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.requestId).toBe(res.headers['x-request-id']);
    expect((await api.call('GET', '/api/v1/nothing-here', { token: null })).statusCode).toBe(401);
  });

  it('answers malformed JSON, wrong content types and oversized bodies with a code, never a 5xx', async () => {
    const bad = await api.call('POST', '/api/v1/eligibility', {
      body: '{"ticketId":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const type = await api.call('POST', '/api/v1/eligibility', {
      body: 'ticketId=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(type.statusCode).toBe(415);
    expect(type.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const huge = await api.call('POST', '/api/v1/eligibility', {
      body: JSON.stringify({ ticketId: 'x'.repeat(300 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(huge.body).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('names the field of a validation error', async () => {
    const res = await api.call('POST', '/api/v1/eligibility', {
      body: JSON.stringify({ ticketId: '1', requesterEmail: 'a@b.example', seats: 5, plan: 42 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'plan' });
  });

  it('serves the OpenAPI document and /docs without credentials', async () => {
    const doc = await api.call('GET', '/api/v1/openapi.json', { token: null });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toBe('3.1.0');
    const docs = await api.call('GET', '/docs/', { token: null });
    expect(docs.statusCode).toBeLessThan(400);
  });

  it('answers 503 on /readyz when the database is gone', async () => {
    const { startApi: start } = await import('./helpers.js');
    const other = await start();
    await storeOf(other.app).db.destroy();
    const res = await other.server.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('INFRASTRUCTURE');
    await other.server.close();
  });
});

describe('security headers', () => {
  it('every response (API, error, health) carries nosniff, a CSP with frame-ancestors, frame protection and Referrer-Policy', async () => {
    const responses = [
      await api.call('GET', '/api/v1/emergency-licenses'),
      await api.call('GET', '/api/v1/emergency-licenses', { token: null }),
      await api.call('GET', '/healthz', { token: null }),
      await api.call('GET', '/api/v1/openapi.json', { token: null }),
    ];
    for (const res of responses) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const docs = await api.call('GET', '/docs/', { token: null });
    expect(docs.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
    expect(docs.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('every 5xx answer is logged, with request logging off too', () => {
  /** An API whose 5xx lines are captured, with a route that fails quoting every secret it can. */
  async function failingApi(logger: boolean) {
    const lines: string[] = [];
    const capture = { write: (line: string) => void lines.push(line) };
    const started = await startApi(
      {},
      logger ? { logger: { stream: capture, level: 'info' } } : { errorLog: capture },
    );
    const key = started.app.config.signingKey;
    if (key.kind !== 'file') throw new Error('the test app signs with a key file');
    const pem = readFileSync(key.path, 'utf8');
    const token = started.tokens.engineer;
    started.server.post('/api/v1/test-failure', async () => {
      throw new Error(`could not go on with ${ZENDESK_SECRET}, Bearer ${token} and\n${pem}`);
    });
    const secrets = [
      ZENDESK_SECRET,
      token,
      ...pem.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('-----')),
    ];
    return { api: started, lines, secrets };
  }

  for (const logger of [false, true]) {
    it(`a forced 500 gives one JSON line with request id, route, code and error, without secrets (logger ${logger ? 'on' : 'off'})`, async () => {
      const { api: failing, lines, secrets } = await failingApi(logger);
      try {
        const res = await failing.server.inject({
          method: 'POST',
          url: '/api/v1/test-failure?email=ops@customer.example',
          headers: {
            authorization: `Bearer ${failing.tokens.engineer}`,
            'x-request-id': 'forced-500',
            'content-type': 'application/json',
          },
          payload: '{}',
        });
        expect(res.statusCode).toBe(500);
        expect(res.json().error).toMatchObject({ code: 'INTERNAL', requestId: 'forced-500' });
        const errors = lines
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .filter((l) => l['msg'] === 'server error');
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({
          requestId: 'forced-500',
          method: 'POST',
          route: '/api/v1/test-failure',
          status: 500,
          code: 'INTERNAL',
          error: {
            type: 'Error',
            message: expect.stringMatching(
              /^could not go on with \[redacted\], Bearer \[redacted\] and\n\[redacted\]/,
            ),
            stack: expect.stringMatching(/server\.test\.ts/),
          },
        });
        const log = lines.join('');
        for (const secret of secrets) expect(log.includes(secret), secret.slice(0, 12)).toBe(false);
        expect(log).not.toContain('PRIVATE KEY');
        // The route's pattern, never the URL with its query (personal data).
        expect(JSON.stringify(errors[0])).not.toContain('ops@customer.example');
      } finally {
        await failing.close();
      }
    });
  }

  it('a store that is gone: the 5xx of an API call and of /readyz are logged with their code and cause', async () => {
    const lines: string[] = [];
    const other = await startApi({}, { errorLog: { write: (line: string) => void lines.push(line) } });
    await storeOf(other.app).db.destroy();
    const call = await other.call('GET', '/api/v1/emergency-licenses');
    expect(call.statusCode).toBeGreaterThanOrEqual(500);
    const ready = await other.server.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    await other.server.close();
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'error',
        route: '/api/v1/emergency-licenses',
        status: call.statusCode,
        code: call.json().error.code,
        requestId: call.headers['x-request-id'],
        error: expect.objectContaining({ message: expect.any(String) }),
      }),
      expect.objectContaining({ route: '/readyz', status: 503, code: 'INFRASTRUCTURE', error: null }),
    ]);
    expect(lines.join('')).not.toContain(other.tokens.engineer);
  });

  it('scrubs the secrets of any configuration: database and SMTP passwords, tokens, webhook paths, an inline key', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const parsed = parseConfig({
      DATABASE_URL: 'postgres://lifeline:db-pass%40word@db.internal:5432/lifeline?sslpassword=ssl-secret-1',
      LIFELINE_SIGNING_KEY: pem,
      MAIL_TRANSPORT: 'smtp',
      MAIL_FROM: 'lifeline@example.com',
      SMTP_URL: 'smtp://mailer:smtp-secret-2@mail.internal:587',
      TRACKER: 'gitlab',
      GITLAB_URL: 'https://gitlab.internal',
      GITLAB_TOKEN: 'glpat-gitlab-secret-3',
      GITLAB_PROJECT: 'support/licenses',
      CHAT: 'slack',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/webhook-secret-4',
      ZENDESK_APP_SECRET: 'zendesk-app-secret-5',
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    const secrets = secretValuesOf(parsed.value);
    const message = [
      'connect failed: postgres://lifeline:db-pass%40word@db.internal:5432/lifeline?sslpassword=ssl-secret-1',
      'password db-pass@word rejected; ssl-secret-1',
      'smtp-secret-2 glpat-gitlab-secret-3 /services/T000/B000/webhook-secret-4 zendesk-app-secret-5',
      pem,
      'headers: Authorization: Basic dXNlcjpwYXNz, Bearer llt_abcdefghijklmnop',
    ].join('\n');
    const scrubbed = scrubSecrets(message, secrets);
    for (const secret of [
      'db-pass',
      'ssl-secret-1',
      'smtp-secret-2',
      'gitlab-secret-3',
      'webhook-secret-4',
      'zendesk-app-secret-5',
      'dXNlcjpwYXNz',
      'llt_',
      ...pem.split('\n').filter((l) => l.length > 20),
    ]) {
      expect(scrubbed.includes(secret), secret).toBe(false);
    }
    // What is not secret stays readable.
    expect(scrubbed).toContain('connect failed');
    expect(scrubbed).toContain('db.internal');
  });
});
