/**
 * The Zendesk sidebar's signed claims are kept with the request (and a signed request may only
 * issue for its own ticket); the list filters by engineer; the dashboard figures add up.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drain } from '../deliveries/harness.js';
import { eligibleBody, startApi, ZENDESK_SECRET, type Api } from './helpers.js';
import { storeOf } from '../../src/app.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const now = () => Math.floor(Date.now() / 1000);
const jwt = (claims: Record<string, unknown>) =>
  new SignJWT({ iat: now(), exp: now() + 300, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(ZENDESK_SECRET));

const json = { 'content-type': 'application/json' };

describe('signed requests from the Zendesk sidebar', () => {
  it('records the ticket and agent claims with the request and in its audit event', async () => {
    const body = eligibleBody();
    const token = await jwt({
      email: 'sam@acme.example',
      name: 'Sam Agent',
      ticket_id: Number(body.ticketId),
    });
    const res = await api.call('POST', '/api/v1/emergency-licenses', {
      token,
      body: JSON.stringify(body),
      headers: json,
    });
    expect(res.statusCode, res.body).toBe(201);
    const origin = {
      via: 'zendesk',
      ticketId: body.ticketId,
      agentEmail: 'sam@acme.example',
      agentName: 'Sam Agent',
    };
    expect(res.json().origin).toEqual(origin);
    expect(res.json().engineer).toBe('sam@acme.example');
    const stored = await storeOf(api.app).getRequest(res.json().id);
    expect(stored?.origin).toEqual(origin);
    const events = await storeOf(api.app).listAudit({ requestId: res.json().id });
    expect(events.find((e) => e.action === 'license.issued')?.details).toMatchObject({ origin });
  });

  it('refuses to issue for another ticket than the one the request was signed on, storing nothing', async () => {
    const body = eligibleBody();
    const token = await jwt({ email: 'sam@acme.example', ticket_id: '424242' });
    const before = (await storeOf(api.app).findRequests({ limit: 500 })).length;
    const res = await api.call('POST', '/api/v1/emergency-licenses', {
      token,
      body: JSON.stringify(body),
      headers: json,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'ticketId' });
    expect((await storeOf(api.app).findRequests({ limit: 500 })).length).toBe(before);
  });

  it('API-token requests have no origin', async () => {
    const res = await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody()),
      headers: json,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().origin).toBeNull();
  });
});

describe('list by engineer', () => {
  it('returns only that engineer’s requests', async () => {
    await api.call('POST', '/api/v1/emergency-licenses', {
      token: api.tokens.licensing,
      body: JSON.stringify(eligibleBody()),
      headers: json,
    });
    const res = await api.call('GET', '/api/v1/emergency-licenses?engineer=licensing-bot');
    expect(res.statusCode).toBe(200);
    const engineers = new Set(res.json().requests.map((r: { engineer: string }) => r.engineer));
    expect([...engineers]).toEqual(['licensing-bot']);
  });
});

describe('GET one request on the embedded default', () => {
  it('shows the tracker issue, team post and ticket note kept locally', async () => {
    const made = await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody()),
      headers: json,
    });
    await drain(api.app);
    const res = await api.call('GET', `/api/v1/emergency-licenses/${made.json().id}`);
    expect(res.statusCode).toBe(200);
    const local = res.json().localRecords as { kind: string; title: string | null; body: string }[];
    expect(local.map((r) => r.kind).sort()).toEqual(['chat_post', 'ticket_note', 'tracker_issue']);
    expect(local.find((r) => r.kind === 'tracker_issue')?.title).toMatch(/^\[Success\]/);
  });
});

describe('list by creation date', () => {
  it('a date-only `to` includes the whole of that day', async () => {
    const made = await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody()),
      headers: json,
    });
    const day = (made.json().createdAt as string).slice(0, 10);
    const res = await api.call('GET', `/api/v1/emergency-licenses?from=${day}&to=${day}&limit=200`);
    expect(res.json().requests.map((r: { id: string }) => r.id)).toContain(made.json().id);
  });
});

describe('GET /api/v1/stats', () => {
  it('counts this week’s requests by outcome and refusals by code', async () => {
    const before = (await api.call('GET', '/api/v1/stats')).json();
    await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody()),
      headers: json,
    });
    // Not a paid plan: refused.
    await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody({ plan: 'free' })),
      headers: json,
    });
    const res = await api.call('GET', '/api/v1/stats');
    expect(res.statusCode).toBe(200);
    const after = res.json();
    expect(after.weeks).toHaveLength(12);
    const last = after.weeks.at(-1);
    const lastBefore = before.weeks.at(-1);
    expect(new Date(`${last.week}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(last.issued - lastBefore.issued).toBe(1);
    expect(last.refused - lastBefore.refused).toBe(1);
    expect((after.refusalsByCode.NOT_PAID_PLAN ?? 0) - (before.refusalsByCode.NOT_PAID_PLAN ?? 0)).toBe(1);
  });

  it('refuses a bad range naming the field', async () => {
    for (const [q, field] of [
      ['from=2026-13-01', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-11-20&to=2026-11-01', 'from'],
      ['from=2020-01-01&to=2026-11-01', 'from'],
      ['week=1', 'week'],
    ] as const) {
      const res = await api.call('GET', `/api/v1/stats?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.field, q).toBe(field);
    }
  });
});
