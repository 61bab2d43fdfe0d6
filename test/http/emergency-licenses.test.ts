/** The issuance routes: happy paths, errors, the role matrix, and nothing stored on bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drain } from '../deliveries/harness.js';
import { eligibleBody, startApi, type Api } from './helpers.js';
import { storeOf } from '../../src/app.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const JSON_TYPE = { 'content-type': 'application/json' };
const REASON = 'Customer is a bank; outage confirmed by the TAM on the call.';
const TUESDAY = '2026-12-01';

const post = (url: string, body: unknown, token?: string | null) =>
  api.call('POST', url, {
    body: JSON.stringify(body),
    headers: JSON_TYPE,
    ...(token !== undefined ? { token } : {}),
  });

async function counts(): Promise<{ requests: number; audit: number }> {
  const db = storeOf(api.app).db;
  const r = await db
    .selectFrom('requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const a = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { requests: Number(r.n), audit: Number(a.n) };
}

async function issued(): Promise<{ id: string; body: Record<string, unknown> }> {
  const res = await post('/api/v1/emergency-licenses', eligibleBody());
  expect(res.statusCode).toBe(201);
  return { id: res.json().id as string, body: res.json() };
}

async function pending(): Promise<string> {
  const res = await post(
    '/api/v1/emergency-licenses',
    eligibleBody({ today: TUESDAY, overrideReason: REASON }),
  );
  expect(res.statusCode).toBe(202);
  expect(res.json().status).toBe('pending_approval');
  return res.json().id as string;
}

describe('POST /api/v1/eligibility', () => {
  it('answers the check shape and stores nothing', async () => {
    const before = await counts();
    const ok = await post('/api/v1/eligibility', eligibleBody());
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ eligible: true, refusals: [], facts: expect.any(Object) });
    const refused = await post('/api/v1/eligibility', eligibleBody({ today: TUESDAY }));
    expect(refused.statusCode).toBe(200);
    expect(refused.json().eligible).toBe(false);
    expect(refused.json().refusals[0].code).toBe('NOT_WEEKEND');
    expect(await counts()).toEqual(before);
  });
});

describe('POST /api/v1/emergency-licenses', () => {
  it('201 issued, then 200 existing for the same ticket, with the license in the record', async () => {
    const body = eligibleBody();
    const first = await post('/api/v1/emergency-licenses', body);
    expect(first.statusCode).toBe(201);
    const record = first.json();
    expect(record).toMatchObject({ status: 'issued', existing: false, engineer: 'engineer-bot' });
    expect(record.license.text.length).toBeGreaterThan(100);
    expect(record.deliveries).toHaveLength(4);
    const again = await post('/api/v1/emergency-licenses', body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: record.id, existing: true });
  });

  it('takes the actor from the credential, never from the body', async () => {
    const res = await post('/api/v1/emergency-licenses', { ...eligibleBody(), engineer: 'mallory' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('engineer');
  });

  it('202 for an engineer override, which waits for licensing', async () => {
    await pending();
  });

  it('422 refused with every code, the warnings and the facts', async () => {
    const res = await post('/api/v1/emergency-licenses', eligibleBody({ today: TUESDAY }));
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.error).toMatchObject({ code: 'NOT_WEEKEND', requestId: res.headers['x-request-id'] });
    expect(body.refusals.map((r: { code: string }) => r.code)).toContain('NOT_WEEKEND');
    expect(body).toHaveProperty('warnings');
    expect(body).toHaveProperty('facts');
  });

  it('stores nothing on 400 or 422 INPUT_INVALID', async () => {
    const before = await counts();
    const missing = await post('/api/v1/emergency-licenses', { ticketId: '1' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('VALIDATION_FAILED');
    const invalid = await post(
      '/api/v1/emergency-licenses',
      eligibleBody({ seats: -3, requesterEmail: 'nobody' }),
    );
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error.code).toBe('INPUT_INVALID');
    const badLicense = await post(
      '/api/v1/emergency-licenses',
      eligibleBody({ previousLicense: 'not a license' }),
    );
    expect(badLicense.statusCode).toBe(422);
    expect(badLicense.json().error.code).toBe('INPUT_INVALID');
    const badDate = await post('/api/v1/emergency-licenses', eligibleBody({ today: '2026-02-30' }));
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().error.field).toBe('today');
    expect(await counts()).toEqual(before);
  });
});

describe('reading requests', () => {
  it('lists newest first with a next cursor, filtered by email, ticket and status', async () => {
    const a = await issued();
    const b = await issued();
    const page1 = await api.call('GET', '/api/v1/emergency-licenses?limit=1');
    expect(page1.statusCode).toBe(200);
    expect(page1.json().requests[0].id).toBe(b.id);
    const next = page1.json().next as string;
    expect(next).toBe(b.id);
    const page2 = await api.call('GET', `/api/v1/emergency-licenses?limit=1&before=${next}`);
    expect(page2.json().requests[0].id).toBe(a.id);
    const byEmail = await api.call(
      'GET',
      `/api/v1/emergency-licenses?email=${encodeURIComponent(String(a.body['requesterEmail']))}`,
    );
    expect(byEmail.json().requests.map((r: { id: string }) => r.id)).toEqual([a.id]);
    const byTicket = await api.call('GET', `/api/v1/emergency-licenses?ticket=${String(b.body['ticketId'])}`);
    expect(byTicket.json().requests.map((r: { id: string }) => r.id)).toEqual([b.id]);
    const byStatus = await api.call('GET', '/api/v1/emergency-licenses?status=pending_approval');
    expect(byStatus.json().requests.every((r: { status: string }) => r.status === 'pending_approval')).toBe(
      true,
    );
    const bad = await api.call('GET', '/api/v1/emergency-licenses?status=bogus&limit=1000');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const unknown = await api.call('GET', '/api/v1/emergency-licenses?sql=1');
    expect(unknown.statusCode).toBe(400);
  });

  it('gets one request with events and deliveries, and downloads its license file', async () => {
    const { id, body } = await issued();
    const one = await api.call('GET', `/api/v1/emergency-licenses/${id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json().events.length).toBeGreaterThan(0);
    expect(one.json().deliveries).toHaveLength(4);
    const file = await api.call('GET', `/api/v1/emergency-licenses/${id}/license`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9._-]+"$/);
    expect(file.body).toBe((body['license'] as { text: string }).text);
  });

  it('shows no server path in a request: the outbox email is named by its file only', async () => {
    const { id } = await issued();
    await drain(api.app, { requestId: id });
    const one = await api.call('GET', `/api/v1/emergency-licenses/${id}`);
    const email = (one.json().deliveries as { channel: string; status: string; externalRef: string }[]).find(
      (d) => d.channel === 'email',
    );
    expect(email?.status).toBe('sent');
    expect(email?.externalRef).toMatch(/^dlv_[A-Za-z0-9_-]+\.eml$/);
    expect(one.body).not.toContain(api.app.dataDir);
    const list = await api.call('GET', `/api/v1/emergency-licenses?ticket=${one.json().ticketId}`);
    expect(list.body).toContain(email?.externalRef);
    expect(list.body).not.toContain(api.app.dataDir);
  });

  it('404 NOT_FOUND for an unknown id, and for the license of a request without one', async () => {
    const missing = await api.call('GET', '/api/v1/emergency-licenses/req_nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    const id = await pending();
    expect((await api.call('GET', `/api/v1/emergency-licenses/${id}/license`)).statusCode).toBe(404);
  });
});

describe('state-changing routes: the role matrix', () => {
  it('approve and reject: licensing only (engineer and admin 403)', async () => {
    for (const role of ['engineer', 'admin'] as const) {
      const id = await pending();
      const approve = await post(`/api/v1/emergency-licenses/${id}/approve`, {}, api.tokens[role]);
      expect(approve.statusCode, role).toBe(403);
      expect(approve.json().error.code).toBe('FORBIDDEN');
      const reject = await post(
        `/api/v1/emergency-licenses/${id}/reject`,
        { reason: 'not an outage' },
        api.tokens[role],
      );
      expect(reject.statusCode, role).toBe(403);
    }
    const approved = await pending();
    const res = await post(
      `/api/v1/emergency-licenses/${approved}/approve`,
      { reason: 'ok by licensing' },
      api.tokens.licensing,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('issued');
    const again = await post(`/api/v1/emergency-licenses/${approved}/approve`, {}, api.tokens.licensing);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('INVALID_STATE');
    const rejected = await pending();
    const short = await post(
      `/api/v1/emergency-licenses/${rejected}/reject`,
      { reason: 'no' },
      api.tokens.licensing,
    );
    expect(short.statusCode).toBe(400);
    const ok = await post(
      `/api/v1/emergency-licenses/${rejected}/reject`,
      { reason: 'not an outage' },
      api.tokens.licensing,
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('rejected');
  });

  it('void: licensing only, with a reason', async () => {
    const { id } = await issued();
    for (const role of ['engineer', 'admin'] as const) {
      expect(
        (await post(`/api/v1/emergency-licenses/${id}/void`, { reason: 'wrong address' }, api.tokens[role]))
          .statusCode,
      ).toBe(403);
    }
    const missing = await post(`/api/v1/emergency-licenses/${id}/void`, {}, api.tokens.licensing);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.field).toBe('reason');
    const ok = await post(
      `/api/v1/emergency-licenses/${id}/void`,
      { reason: 'wrong address' },
      api.tokens.licensing,
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('voided');
  });

  it('resend: anyone to the requester; only licensing to another address', async () => {
    const { id } = await issued();
    for (const role of ['engineer', 'licensing', 'admin'] as const) {
      const res = await post(`/api/v1/emergency-licenses/${id}/resend`, {}, api.tokens[role]);
      expect(res.statusCode, role).toBe(200);
    }
    for (const role of ['engineer', 'admin'] as const) {
      const res = await post(
        `/api/v1/emergency-licenses/${id}/resend`,
        { to: 'other@else.example' },
        api.tokens[role],
      );
      expect(res.statusCode, role).toBe(403);
    }
    const ok = await post(
      `/api/v1/emergency-licenses/${id}/resend`,
      { to: 'other@else.example' },
      api.tokens.licensing,
    );
    expect(ok.statusCode).toBe(200);
    expect(
      ok.json().deliveries.some((d: { recipient: string | null }) => d.recipient === 'other@else.example'),
    ).toBe(true);
    const bad = await post(`/api/v1/emergency-licenses/${id}/resend`, { to: 'nope' }, api.tokens.licensing);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'INPUT_INVALID', field: 'to' });
  });

  it('resend refuses a recipient rule 1 refuses: control characters, as stored and as sent', async () => {
    const { id } = await issued();
    const res = await post(
      `/api/v1/emergency-licenses/${id}/resend`,
      { to: 'x\u0000y@evil.example' },
      api.tokens.licensing,
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'INPUT_INVALID', field: 'to' });
    const record = (await api.call('GET', `/api/v1/emergency-licenses/${id}`)).json();
    expect(record.deliveries.filter((d: { purpose: string }) => d.purpose === 'resend')).toEqual([]);
  });

  it('retry takes no date: the request’s own decision date is used', async () => {
    const { id } = await issued();
    const res = await post(`/api/v1/emergency-licenses/${id}/retry`, { today: '2026-11-28' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'today' });
  });

  it('retry: only a failed request (an issued one is 409)', async () => {
    const { id } = await issued();
    const res = await post(`/api/v1/emergency-licenses/${id}/retry`, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('INVALID_STATE');
    expect((await post('/api/v1/emergency-licenses/req_nope/retry', {})).statusCode).toBe(404);
  });
});

describe('pinned dates (LIFELINE_ALLOW_PINNED_DATES)', () => {
  it('are refused with 400 naming the field when the server does not allow them', async () => {
    const strict = await startApi({ LIFELINE_ALLOW_PINNED_DATES: 'false' });
    try {
      for (const url of ['/api/v1/eligibility', '/api/v1/emergency-licenses']) {
        const res = await strict.call('POST', url, {
          body: JSON.stringify(eligibleBody({ today: '2030-01-05' })),
          headers: JSON_TYPE,
        });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'today' });
        expect(res.json().error.message).toMatch(/LIFELINE_ALLOW_PINNED_DATES=true/);
      }
      const stored = await storeOf(strict.app)
        .db.selectFrom('requests')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('are shown on the record and written into the audit entry when allowed', async () => {
    const { body } = await issued();
    expect(body.datePinned).toBe(true);
    expect(body.events).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ pinnedToday: '2026-11-28' }) }),
    ]);
  });
});

describe('ticket URLs (PRODUCT.md §12)', () => {
  it('are stored normalised, and refused on another host than ZENDESK_URL', async () => {
    const zd = await startApi({ ZENDESK_URL: 'https://acme.zendesk.com' });
    try {
      const ok = await zd.call('POST', '/api/v1/emergency-licenses', {
        body: JSON.stringify(eligibleBody({ ticketUrl: 'HTTPS://ACME.zendesk.com/agent/tickets/3001' })),
        headers: JSON_TYPE,
      });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().ticketUrl).toBe('https://acme.zendesk.com/agent/tickets/3001');
      const evil = await zd.call('POST', '/api/v1/emergency-licenses', {
        body: JSON.stringify(
          eligibleBody({
            ticketUrl: 'https://zd.example/agent/tickets/3001<!channel>|<https://evil.example|Click>',
          }),
        ),
        headers: JSON_TYPE,
      });
      expect(evil.statusCode).toBe(422);
      expect(evil.json().refusals[0]).toMatchObject({ code: 'INPUT_INVALID', field: 'ticketUrl' });
      expect(evil.json().refusals[0].message).toMatch(/acme\.zendesk\.com \(ZENDESK_URL\)/);
    } finally {
      await zd.close();
    }
  });
});

describe('GET /api/v1/emergency-licenses?fingerprint=', () => {
  it('finds a license by sha256:<hex> or bare hex; anything else is 400', async () => {
    const { id, body } = await issued();
    const hex = (body.license as { fingerprint: string }).fingerprint;
    for (const q of [hex, `sha256:${hex}`]) {
      const res = await api.call('GET', `/api/v1/emergency-licenses?fingerprint=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().requests.map((r: { id: string }) => r.id)).toEqual([id]);
    }
    const none = await api.call('GET', `/api/v1/emergency-licenses?fingerprint=${'0'.repeat(64)}`);
    expect(none.json().requests).toEqual([]);
    const bad = await api.call('GET', '/api/v1/emergency-licenses?fingerprint=abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('fingerprint');
  });
});

describe('POST /api/v1/emergency-licenses/:id/replace', () => {
  it('licensing replaces: 201 with `replaces`; the old record says `replacedBy`; engineers get 403', async () => {
    const { id } = await issued();
    const reason = 'Issued to the wrong address by mistake';
    const denied = await post(`/api/v1/emergency-licenses/${id}/replace`, { reason }, api.tokens.engineer);
    expect(denied.statusCode).toBe(403);
    const res = await post(
      `/api/v1/emergency-licenses/${id}/replace`,
      { requesterEmail: 'right@customer.example', seats: 130, reason, today: '2026-11-29' },
      api.tokens.licensing,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'issued',
      replaces: id,
      requesterEmail: 'right@customer.example',
      seats: 130,
      license: { issuedAt: '2026-11-29', expiresAt: '2026-12-09' },
    });
    const old = (await api.call('GET', `/api/v1/emergency-licenses/${id}`)).json();
    expect(old).toMatchObject({ status: 'voided', replacedBy: res.json().id });
    const again = await post(`/api/v1/emergency-licenses/${id}/replace`, { reason }, api.tokens.licensing);
    expect(again.statusCode).toBe(409);
    const badEmail = await post(
      `/api/v1/emergency-licenses/${res.json().id}/replace`,
      { requesterEmail: 'nope', reason },
      api.tokens.licensing,
    );
    expect(badEmail.statusCode).toBe(422);
    expect(badEmail.json().refusals[0]).toMatchObject({ code: 'INPUT_INVALID', field: 'requesterEmail' });
  });
});
