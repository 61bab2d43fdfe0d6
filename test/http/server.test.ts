import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './helpers.js';

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
    await other.app.store.db.destroy();
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
