/**
 * `GET /api/v1/emergency-licenses?q=…` (issue 20 item 8): one search parameter matching the start
 * of an email, a domain, the previous license's company, or a fingerprint (8+ hex digits); a short
 * or odd `q` is refused with the field or harmless; nothing in it reaches SQL as SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerLicense } from '../helpers/customer-license.js';
import { eligibleBody, startApi, type Api } from './helpers.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const json = { 'content-type': 'application/json' };

async function issue(overrides: Record<string, unknown>): Promise<{ id: string; fingerprint: string }> {
  const body = eligibleBody(overrides);
  const res = await api.call('POST', '/api/v1/emergency-licenses', {
    body: JSON.stringify(body),
    headers: json,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id, fingerprint: res.json().license.fingerprint };
}

const search = async (q: string, extra = '') => {
  const res = await api.call('GET', `/api/v1/emergency-licenses?q=${encodeURIComponent(q)}${extra}`);
  return { status: res.statusCode, body: res.json() };
};
const found = async (q: string, extra = '') => {
  const res = await search(q, extra);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { requests: { id: string }[] }).requests.map((r) => r.id);
};

describe('the q search parameter', () => {
  let bank: { id: string; fingerprint: string };
  let globex: { id: string; fingerprint: string };
  beforeAll(async () => {
    bank = await issue({
      requesterEmail: 'it-ops@eu.first-bank.example',
      previousLicense: customerLicense({
        company: 'First Bank of Nowhere AG',
        email: 'admin@first-bank.example',
        expiresAt: '2026-11-14',
      }),
      plan: undefined,
      expiresAt: undefined,
      previousSeats: undefined,
    });
    globex = await issue({ requesterEmail: 'ops@globex.example' });
  });

  it('matches the start of an email, a domain or a parent domain', async () => {
    expect(await found('it-ops@eu.fir')).toEqual([bank.id]);
    expect(await found('first-bank.example')).toEqual([bank.id]);
    expect(await found('eu.first-bank')).toEqual([bank.id]);
    expect(await found('@globex')).toEqual([globex.id]);
    expect(await found('OPS@GLOBEX.EX')).toEqual([globex.id]);
  });

  it("matches the previous license's licensee company, or a word of it", async () => {
    expect(await found('first bank')).toEqual([bank.id]);
    expect(await found('nowhere ag')).toEqual([bank.id]);
    expect(await found('bank of')).toEqual([bank.id]);
  });

  it('matches a fingerprint prefix of at least 8 hex digits, with or without sha256:', async () => {
    expect(await found(bank.fingerprint.slice(0, 8))).toEqual([bank.id]);
    expect(await found(`sha256:${globex.fingerprint.slice(0, 20).toUpperCase()}`)).toEqual([globex.id]);
    // Seven hex digits are not a fingerprint (they would match far too much).
    expect(await found(bank.fingerprint.slice(0, 7))).not.toContain(bank.id);
  });

  it('combines with the other filters', async () => {
    expect(await found('globex', '&status=issued')).toEqual([globex.id]);
    expect(await found('globex', '&status=refused')).toEqual([]);
    expect(await found('globex', '&engineer=nobody')).toEqual([]);
  });

  it('refuses a q too short, too long or only spaces, naming the field and the rule', async () => {
    for (const q of ['ab', '   ', '@x', '']) {
      const res = await search(q);
      expect(res.status, q).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'q' });
      expect(res.body.error.message).toMatch(/at least 3 characters/);
    }
    const long = await search('a'.repeat(300));
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('VALIDATION_FAILED');
    const shortHex = await search('sha256:abc');
    expect(shortHex.status).toBe(400);
    expect(shortHex.body.error.message).toMatch(/at least 8 hex digits/);
  });

  it('treats wildcards, quotes and SQL as characters: no match, no error, the table intact', async () => {
    for (const q of ['%%%', '___', "' or '1'='1", "x'); drop table requests; --", '\\\\%', '%@%.%']) {
      expect(await found(q), q).toEqual([]);
    }
    expect(await found('globex')).toEqual([globex.id]);
    const all = await api.call('GET', '/api/v1/emergency-licenses?limit=200');
    expect(all.json().requests.length).toBeGreaterThanOrEqual(2);
  });

  it('lists the requests that need attention', async () => {
    const res = await api.call('GET', '/api/v1/emergency-licenses?attention=delivering');
    expect(res.statusCode).toBe(200);
    // Not delivered yet (no worker runs in this file): both are still delivering.
    expect(res.json().requests.map((r: { id: string }) => r.id)).toEqual([globex.id, bank.id]);
    const bad = await api.call('GET', '/api/v1/emergency-licenses?attention=everything');
    expect(bad.statusCode).toBe(400);
  });
});
