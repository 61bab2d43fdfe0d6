/**
 * Reading a record (issue 20 items 4 and 9): which interface made it, the evidence it was decided
 * on, its events in words, and each sent delivery as words or a link — never an internal id or a
 * server path; and the support time zone the console shows times in.
 */
import { RecordBody } from '../../src/interfaces/http/responses.js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drain } from '../deliveries/harness.js';
import { eligibleBody, startApi, ZENDESK_SECRET, type Api } from './helpers.js';

let api: Api;
beforeAll(async () => {
  api = await startApi({ LIFELINE_SUPPORT_TIMEZONE: 'Europe/Berlin' });
});
afterAll(async () => {
  await api?.close();
});

const json = { 'content-type': 'application/json' };
type Reference = { text: string; url: string | null } | null;
interface RecordJson {
  id: string;
  madeFrom: string | null;
  evidence: Record<string, unknown> & { previousLicense: unknown };
  deliveries: { channel: string; purpose: string; status: string; reference: Reference }[];
  events: { action: string; text: string }[];
}

async function consoleSession(): Promise<{ cookie: string; csrf: string }> {
  const res = await api.call('POST', '/api/v1/session', {
    token: null,
    body: JSON.stringify({ token: api.tokens.engineer }),
    headers: json,
  });
  const cookie = res.cookies.find((c) => c.name === 'lifeline_session');
  return { cookie: `lifeline_session=${cookie?.value}`, csrf: res.json().csrfToken };
}

const record = async (id: string): Promise<RecordJson> =>
  (await api.call('GET', `/api/v1/emergency-licenses/${id}`)).json() as RecordJson;

describe('the record of a request', () => {
  it('says which interface made it: API token, console, Zendesk sidebar', async () => {
    const byToken = await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody()),
      headers: json,
    });
    expect(byToken.json().madeFrom).toBe('api');

    const session = await consoleSession();
    const byConsole = await api.call('POST', '/api/v1/emergency-licenses', {
      token: null,
      body: JSON.stringify(eligibleBody()),
      headers: { ...json, cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    expect(byConsole.statusCode, byConsole.body).toBe(201);
    expect((await record(byConsole.json().id)).madeFrom).toBe('console');

    const body = eligibleBody();
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({
      iat: now,
      exp: now + 300,
      email: 'sam@acme.example',
      ticket_id: body.ticketId,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(ZENDESK_SECRET));
    const bySidebar = await api.call('POST', '/api/v1/emergency-licenses', {
      token: jwt,
      body: JSON.stringify(body),
      headers: json,
    });
    expect(bySidebar.statusCode, bySidebar.body).toBe(201);
    expect(bySidebar.json().madeFrom).toBe('sidebar');
    expect(bySidebar.json().origin).toMatchObject({ via: 'zendesk' });
    expect(RecordBody.safeParse(bySidebar.json()).error?.issues ?? []).toEqual([]);
  });

  it('carries the evidence it was decided on', async () => {
    const res = await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody({ maximumUsers: 118, billableUsers: 112, previousSeats: 100 })),
      headers: json,
    });
    expect(res.json().evidence).toEqual({
      source: 'typed',
      plan: 'premium',
      // Typed values say nothing of a trial; a license file does.
      trial: null,
      expiresAt: '2026-11-14',
      previousSeats: 100,
      maximumUsers: 118,
      billableUsers: 112,
      // No ticket system is connected here: the screenshots were not counted.
      ticketImages: null,
      previousLicense: null,
    });
  });

  it('tells its events in words and its deliveries as words, never an internal id or a path', async () => {
    const made = await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(eligibleBody()),
      headers: json,
    });
    const id = made.json().id as string;
    await drain(api.app);
    const replaced = await api.call('POST', `/api/v1/emergency-licenses/${id}/replace`, {
      token: api.tokens.licensing,
      body: JSON.stringify({
        reason: 'Issued for the wrong number of seats.',
        seats: 130,
        today: '2026-11-28',
      }),
      headers: json,
    });
    expect(replaced.statusCode, replaced.body).toBe(201);
    await drain(api.app);
    const r = await record(id);
    const texts = r.events.map((e) => e.text);
    const email = made.json().requesterEmail as string;
    expect(texts).toContain('License issued: 120 seats, expires 2026-12-08');
    expect(texts).toContain(`Email sent to ${email}`);
    // The embedded default keeps the tracker issue locally: no issue number to show.
    expect(texts).toContain('The tracker issue closed (license recorded)');
    expect(texts).toContain('Team notified');
    expect(texts).toContain(`Internal note added to ticket #${made.json().ticketId}`);
    expect(texts).toContain(
      `License replaced by ${replaced.json().id}: “Issued for the wrong number of seats.”`,
    );
    expect(texts).toContain('Note added to the tracker issue');
    const refs = r.deliveries.filter((d) => d.status === 'sent').map((d) => d.reference);
    expect(refs).toContainEqual({ text: `Written to the local outbox (to ${email})`, url: null });
    expect(refs).toContainEqual({ text: 'Tracker issue (kept locally)', url: null });
    expect(refs).toContainEqual({ text: 'Note on the tracker issue (kept locally)', url: null });
    expect(refs).toContainEqual({ text: 'Team post', url: null });
    expect(refs).toContainEqual({ text: `Internal note on ticket #${made.json().ticketId}`, url: null });
    for (const text of [...texts, ...refs.map((x) => x?.text ?? '')]) {
      expect(text).not.toMatch(/dlv_|aud_|iss_|post_|\.eml|\/tmp|data\/outbox/);
    }
    // Unsent deliveries have no reference yet.
    expect(r.deliveries.filter((d) => d.status !== 'sent').every((d) => d.reference === null)).toBe(true);
  });

  it('gives the console the support time zone', async () => {
    const res = await api.call('GET', '/api/v1/session');
    expect(res.json().supportTimeZone).toBe('Europe/Berlin');
  });
});
