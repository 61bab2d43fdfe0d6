/** `POST /api/v1/licenses/decode` and `GET /api/v1/audit/verify`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftLicense, deepLicenseJson } from '../helpers/crafted-license.js';
import { eligibleBody, startApi, type Api } from './helpers.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const JSON_TYPE = { 'content-type': 'application/json' };
const post = (url: string, body: unknown, token?: string) =>
  api.call('POST', url, { body: JSON.stringify(body), headers: JSON_TYPE, ...(token ? { token } : {}) });

describe('POST /api/v1/licenses/decode', () => {
  it('decodes a license Lifeline issued, names its request, and reports its status on a date', async () => {
    const issued = (await post('/api/v1/emergency-licenses', eligibleBody())).json();
    const res = await post('/api/v1/licenses/decode', { text: issued.license.text, today: '2026-11-30' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      valid: true,
      code: null,
      activeUserCount: 120,
      expired: false,
      issuedBy: { requestId: issued.id },
      fingerprint: issued.license.fingerprint,
    });
  });

  it('answers 200 valid:false with the code for damaged licenses', async () => {
    const res = await post('/api/v1/licenses/decode', { text: 'not a license at all' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valid: false, code: 'MALFORMED_ENVELOPE' });
  });

  it('a validly signed license nested 5,000 levels deep is 200 valid:false INVALID_ATTRIBUTES, not a 500', async () => {
    const key = api.app.ports.signer.privateKey;
    if (!key) throw new Error('the test app has a signing key');
    const text = craftLicense(deepLicenseJson(5_000), key);
    const res = await post('/api/v1/licenses/decode', { text });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      valid: false,
      code: 'INVALID_ATTRIBUTES',
      field: 'restrictions',
      message: expect.stringMatching(/nested more than 64 levels deep/),
      attributes: null,
    });
    // As the previous license of an issue call: refused by rule 1, naming the field.
    const issue = await post('/api/v1/emergency-licenses', {
      ...eligibleBody(),
      previousLicense: text,
      plan: undefined,
      expiresAt: undefined,
    });
    expect(issue.statusCode).toBe(422);
    expect(issue.json()).toMatchObject({
      error: { code: 'INPUT_INVALID', message: expect.stringMatching(/nested more than 64 levels deep/) },
      refusals: [{ field: 'previousLicense' }],
    });
  });

  it('400 for a missing text or a wrong type', async () => {
    expect((await post('/api/v1/licenses/decode', {})).json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'text',
    });
    expect((await post('/api/v1/licenses/decode', { text: 42 })).statusCode).toBe(400);
    expect((await post('/api/v1/licenses/decode', { text: 'x', today: 'soon' })).statusCode).toBe(400);
  });
});

describe('GET /api/v1/audit/verify', () => {
  it('licensing and admin see the chain verified; engineers are refused', async () => {
    for (const role of ['licensing', 'admin'] as const) {
      const res = await api.call('GET', '/api/v1/audit/verify', { token: api.tokens[role] });
      expect(res.statusCode).toBe(200);
      expect(res.json().ok).toBe(true);
    }
    const engineer = await api.call('GET', '/api/v1/audit/verify', { token: api.tokens.engineer });
    expect(engineer.statusCode).toBe(403);
    expect(engineer.json().error.code).toBe('FORBIDDEN');
  });
});

describe('secrets', () => {
  it('no response carries the signing key, a token secret or a stack trace', async () => {
    const responses = [
      await api.call('GET', '/api/v1/emergency-licenses'),
      await post('/api/v1/emergency-licenses', { seats: {} }),
      await api.call('GET', '/readyz'),
      await api.call('GET', '/api/v1/openapi.json'),
    ];
    for (const res of responses) {
      expect(res.body).not.toContain('PRIVATE KEY');
      for (const token of Object.values(api.tokens)) expect(res.body).not.toContain(token);
      expect(res.body).not.toMatch(/\n\s+at /);
    }
  });
});
