/**
 * Secrets never in logs or responses: the server runs with its JSON logger ON into a capture stream;
 * licenses are issued with a known API token, a Zendesk JWT signed with a known app secret and a
 * signing key whose PEM is known. Every log line and every response body is then searched for them.
 * License texts may appear only in the responses that return a license, never in the log.
 */
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eligibleBody, startApi, ZENDESK_SECRET, type Api } from './helpers.js';

const JSON_TYPE = { 'content-type': 'application/json' };

const PERSONAL_EMAIL = 'private.person@customer-in-a-query.example';

let api: Api;
const logLines: string[] = [];
const responses: { what: string; status: number; body: string; mayHoldLicense: boolean }[] = [];
const licenseTexts: string[] = [];
let jwt = '';
let pem = '';
let sessionSecret = '';

async function call(
  what: string,
  method: 'GET' | 'POST',
  url: string,
  options: { token?: string | null; body?: unknown } = {},
  mayHoldLicense = false,
) {
  const res = await api.call(method, url, {
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body), headers: JSON_TYPE } : {}),
  });
  responses.push({
    what,
    status: res.statusCode,
    body: res.body + JSON.stringify(res.headers),
    mayHoldLicense: mayHoldLicense && res.statusCode < 300,
  });
  return res;
}

beforeAll(async () => {
  api = await startApi(
    {},
    { logger: { stream: { write: (line: string) => void logLines.push(line) }, level: 'trace' } },
  );
  const key = api.app.config.signingKey;
  if (key.kind !== 'file') throw new Error('the test app signs with a key file');
  pem = readFileSync(key.path, 'utf8');
  const now = Math.floor(Date.now() / 1000);
  // A signed request is bound to its ticket: one JWT for the ticket it issues for.
  const signFor = (ticketId: unknown) =>
    new SignJWT({ email: 'agent@acme.example', sub: '4242', ticket_id: ticketId, iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(ZENDESK_SECRET));

  const token = api.tokens.engineer;
  // Issue with the API token and with the Zendesk JWT; read, download, resend, list, decode.
  for (const who of ['token', 'jwt'] as const) {
    const body = eligibleBody();
    if (who === 'jwt') jwt = await signFor(body['ticketId']);
    const credential = who === 'jwt' ? jwt : token;
    const issued = await call(
      `issue (${who})`,
      'POST',
      '/api/v1/emergency-licenses',
      { token: credential, body },
      true,
    );
    expect(issued.statusCode).toBe(201);
    const record = issued.json() as { id: string; license: { text: string } };
    licenseTexts.push(record.license.text);
    await call(`repeat (${who})`, 'POST', '/api/v1/emergency-licenses', { token: credential, body }, true);
    await call(`get (${who})`, 'GET', `/api/v1/emergency-licenses/${record.id}`, { token: credential }, true);
    await call(
      `download (${who})`,
      'GET',
      `/api/v1/emergency-licenses/${record.id}/license`,
      { token: credential },
      true,
    );
    await call(
      `resend (${who})`,
      'POST',
      `/api/v1/emergency-licenses/${record.id}/resend`,
      { token: credential, body: {} },
      true,
    );
    await call(`list (${who})`, 'GET', '/api/v1/emergency-licenses?limit=5', { token: credential }, true);
    await call(
      `decode (${who})`,
      'POST',
      '/api/v1/licenses/decode',
      { token: credential, body: { text: record.license.text } },
      true,
    );
    // Failures must not echo credentials or license texts either.
    await call(`refused (${who})`, 'POST', '/api/v1/emergency-licenses', {
      token: credential,
      body: eligibleBody({ today: '2026-12-01' }),
    });
    await call(`bad body (${who})`, 'POST', '/api/v1/emergency-licenses', {
      token: credential,
      body: { ticketId: record.license.text.slice(0, 200), previousLicense: 42 },
    });
    await call(`forbidden void (${who})`, 'POST', `/api/v1/emergency-licenses/${record.id}/void`, {
      token: credential,
      body: { reason: 'the customer asked for it, confirmed on the call' },
    });
  }
  // Wrong and broken credentials, which must not be echoed.
  await call('wrong token', 'GET', '/api/v1/emergency-licenses', { token: `${api.tokens.engineer}x` });
  await call('expired jwt', 'GET', '/api/v1/emergency-licenses', { token: `${jwt.slice(0, -2)}AA` });
  await call('health', 'GET', '/healthz', { token: jwt });
  // A console session: the cookie's secret travels only in Set-Cookie and Cookie headers.
  const signIn = await api.server.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: JSON_TYPE,
    payload: JSON.stringify({ token: api.tokens.licensing }),
  });
  expect(signIn.statusCode).toBe(200);
  sessionSecret = signIn.cookies.find((c) => c.name === 'lifeline_session')?.value ?? '';
  responses.push({ what: 'sign in (body)', status: 200, body: signIn.body, mayHoldLicense: false });
  const viaSession = await api.server.inject({
    method: 'GET',
    url: '/api/v1/emergency-licenses?limit=1',
    headers: { cookie: `lifeline_session=${sessionSecret}` },
  });
  expect(viaSession.statusCode).toBe(200);
  // Personal data in a query string (a list by customer email).
  await call('list by email', 'GET', `/api/v1/emergency-licenses?email=${PERSONAL_EMAIL}&limit=5`);
  await call('eligibility', 'POST', '/api/v1/eligibility', {
    token: api.tokens.engineer,
    body: eligibleBody(),
  });
});

afterAll(async () => {
  await api.close();
});

/** The secrets to look for, by name. */
function secrets(): Record<string, string> {
  const found: Record<string, string> = {
    'the API token': api.tokens.engineer,
    'the licensing token': api.tokens.licensing,
    'the Zendesk JWT': jwt,
    'the JWT signature': jwt.split('.')[2] ?? '',
    'the Zendesk app secret': ZENDESK_SECRET,
    'the console session cookie': sessionSecret,
  };
  const lines = pem
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('-----'));
  expect(lines.length).toBeGreaterThan(5);
  lines.forEach((line, i) => (found[`line ${i + 1} of the private key PEM`] = line));
  return found;
}

describe('secrets in logs and responses', () => {
  it('the log was captured (the logger was on) and the licenses were issued and decoded', () => {
    expect(responses.filter((r) => r.what.startsWith('decode')).map((r) => r.status)).toEqual([200, 200]);
    expect(logLines.length).toBeGreaterThan(20);
    expect(logLines.every((line) => JSON.parse(line) !== null)).toBe(true);
    expect(licenseTexts).toHaveLength(2);
    expect(licenseTexts.every((t) => t.length > 100)).toBe(true);
  });

  it('no log line holds a credential, the app secret, any line of the key or a license text', () => {
    const log = logLines.join('');
    for (const [what, secret] of Object.entries(secrets())) {
      expect(secret.length, what).toBeGreaterThan(10);
      expect(log.includes(secret), `${what} in the log`).toBe(false);
    }
    for (const text of licenseTexts) {
      expect(log.includes(text), 'a license text in the log').toBe(false);
      // Nor a recognisable piece of one.
      expect(log.includes(text.slice(0, 64)), 'part of a license text in the log').toBe(false);
    }
    // The authorization header, when logged at all, is redacted.
    expect(log).not.toMatch(/Bearer /);
  });

  it('request lines name the path without its query (which may hold personal data)', () => {
    const listed = logLines
      .map((line) => JSON.parse(line) as { req?: { url?: string } })
      .filter((line) => line.req?.url === '/api/v1/emergency-licenses');
    expect(listed.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(PERSONAL_EMAIL);
  });

  it('no response holds a credential, the app secret or any line of the key', () => {
    expect(responses.length).toBeGreaterThan(20);
    for (const res of responses) {
      for (const [what, secret] of Object.entries(secrets())) {
        expect(res.body.includes(secret), `${what} in the response to ${res.what}`).toBe(false);
      }
    }
  });

  it('license texts appear only in the successful responses that return a license', () => {
    for (const res of responses) {
      if (res.mayHoldLicense) continue;
      for (const text of licenseTexts) {
        expect(
          res.body.includes(text.slice(0, 64)),
          `a license text in the response to ${res.what} (${res.status})`,
        ).toBe(false);
      }
    }
    const returning = responses.filter(
      (r) => r.mayHoldLicense && licenseTexts.some((t) => r.body.includes(t)),
    );
    expect(returning.length).toBeGreaterThan(0);
  });
});
