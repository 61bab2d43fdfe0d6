/**
 * `GET /api/v1/status` (issue 20 item 10): the dashboard's "needs attention" counts, as `lifeline
 * status` has them, and the request lists they link to (`?attention=…`, `?status=pending_approval`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeOf } from '../../src/app.js';
import { eligibleBody, startApi, type Api } from './helpers.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const json = { 'content-type': 'application/json' };
const issue = async (overrides: Record<string, unknown> = {}) =>
  (
    await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody(overrides)),
      headers: json,
    })
  ).json() as { id: string; status: string };

const ids = async (query: string) =>
  ((await api.call('GET', `/api/v1/emergency-licenses?${query}`)).json().requests as { id: string }[]).map(
    (r) => r.id,
  );

describe('what needs attention', () => {
  it('counts deliveries needing a human, unknown-outcome emails, pending approvals and the outbox, and lists their requests', async () => {
    const calm = await api.call('GET', '/api/v1/status');
    expect(calm.statusCode).toBe(200);
    expect(calm.json()).toMatchObject({
      failedDeliveries: 0,
      unknownEmails: 0,
      pendingApprovals: 0,
      outbox: { depth: 0, oldestAgeSeconds: null },
      attention: [],
    });

    const failing = await issue();
    const unknown = await issue();
    const pending = await issue({
      expiresAt: '2026-11-20',
      overrideReason: 'Bank outage confirmed with the TAM on the call.',
    });
    expect(pending.status).toBe('pending_approval');
    // As the worker would record them: a chat post refused for good, an email lost after its data.
    const db = storeOf(api.app).db;
    await db
      .updateTable('deliveries')
      .set({ status: 'failed', last_error: 'Slack refused the token: invalid_auth' })
      .where('request_id', '=', failing.id)
      .where('channel', '=', 'chat')
      .execute();
    await db
      .updateTable('deliveries')
      .set({ status: 'unknown', last_error: 'connection lost after the data' })
      .where('request_id', '=', unknown.id)
      .where('channel', '=', 'email')
      .execute();

    const res = await api.call('GET', '/api/v1/status', { token: api.tokens.engineer });
    const body = res.json();
    expect(body).toMatchObject({
      failedDeliveries: 1,
      failedByChannel: [{ channel: 'chat', count: 1 }],
      unknownEmails: 1,
      pendingApprovals: 1,
      attention: ['unknown-outcome email', 'failed delivery', 'pending approval'],
      today: { timeZone: 'UTC' },
    });
    // The rest of the deliveries are still queued: the outbox has an oldest age.
    expect(body.outbox.depth).toBeGreaterThan(0);
    expect(body.outbox.oldestAgeSeconds).toBeGreaterThanOrEqual(0);

    expect(await ids('attention=failed_delivery')).toEqual([failing.id]);
    expect(await ids('attention=unknown_email')).toEqual([unknown.id]);
    expect(await ids('status=pending_approval')).toEqual([pending.id]);
    expect(await ids('attention=delivering')).toEqual(expect.arrayContaining([failing.id, unknown.id]));
  });

  it('is there for every signed-in role, and for nobody else', async () => {
    for (const token of [api.tokens.engineer, api.tokens.licensing, api.tokens.admin])
      expect((await api.call('GET', '/api/v1/status', { token })).statusCode).toBe(200);
    expect((await api.call('GET', '/api/v1/status', { token: null })).statusCode).toBe(401);
  });
});
