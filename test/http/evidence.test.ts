/**
 * POST /api/v1/evidence/screenshots and POST /api/v1/evidence/ticket/{ticketId} on a real app with
 * the real reader (tesseract.js, sharp; one warm reader for the whole file, shared by its apps),
 * TICKETS=zendesk against a loopback Zendesk stand-in serving the fixture screenshots: what is read
 * and kept, the image and crop routes, every bad image a 4xx with the reader's code (never a 5xx,
 * nothing kept), who may call, the limit, and an issue call that names the read by evidenceId.
 */
import { RecordBody } from '../../src/interfaces/http/responses.js';
import { storeOf } from '../../src/app.js';
import { SignJWT } from 'jose';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, type Expected } from '../../bench/evidence-fixtures.js';
import { EvidenceBody, TicketEvidenceBody } from '../../src/interfaces/http/routes/evidence.js';
import { drain } from '../deliveries/harness.js';
import type { HttpPeer } from '../helpers/http-peer.js';
import {
  DASHBOARD_SHOT,
  fixtureShot,
  startZendeskStandIn,
  SUBSCRIPTION_SHOT,
} from '../helpers/zendesk-attachments.js';
import { eligibleBody, startApi, ZENDESK_SECRET, type Api } from './helpers.js';

const expected = (file: string): Expected => {
  const f = loadManifest().readable.find((x) => x.file === `images/${file}`);
  if (!f) throw new Error(`no fixture ${file}`);
  return f.expected;
};
const SUB = expected(SUBSCRIPTION_SHOT);
const DASH = expected(DASHBOARD_SHOT);

/** A multipart/form-data body with files in `field`. */
export function multipart(
  files: { name: string; bytes: Buffer; type?: string }[],
  field = 'images',
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----lifeline${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${f.name}"\r\n` +
          `Content-Type: ${f.type ?? 'image/png'}\r\n\r\n`,
      ),
      f.bytes,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

let api: Api;
let zendesk: HttpPeer;
const attachments = new Map<string, string[]>();

const upload = (files: { name: string; bytes: Buffer }[], token?: string | null) => {
  const body = multipart(files);
  return api.server.inject({
    method: 'POST',
    url: '/api/v1/evidence/screenshots',
    payload: body.payload,
    headers: {
      ...body.headers,
      ...(token !== null ? { authorization: `Bearer ${token ?? api.tokens.engineer}` } : {}),
    },
  });
};
const shot = (name: string) => ({ name, bytes: fixtureShot(name) });
const countKept = async () =>
  Number(
    (
      await storeOf(api.app)
        .db.selectFrom('evidence')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const signed = async (ticketId: string) => {
  const at = Math.floor(api.app.ports.clock.now().getTime() / 1000);
  return new SignJWT({
    ticket_id: ticketId,
    email: 'robin@example.com',
    name: 'Robin',
    iat: at,
    exp: at + 600,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(ZENDESK_SECRET));
};

beforeAll(async () => {
  const standIn = await startZendeskStandIn((ticket) => attachments.get(ticket) ?? []);
  zendesk = standIn.peer;
  api = await startApi(standIn.env);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await zendesk?.close();
});

let kept: { evidenceId: string; evidence: Record<string, { value: unknown; image: number } | null> };

describe('POST /api/v1/evidence/screenshots', { timeout: 120_000 }, () => {
  it('reads a subscription page and a dashboard, keeps the read and answers it with evidenceId', async () => {
    const res = await upload([shot(SUBSCRIPTION_SHOT), shot(DASHBOARD_SHOT)]);
    expect(res.statusCode, res.body).toBe(201);
    const body = EvidenceBody.parse(res.json());
    expect(body.evidenceId).toMatch(/^evd_[0-9a-f]+$/);
    expect(body.evidence.plan).toMatchObject({ value: SUB.plan, image: 0 });
    expect(body.evidence.expiresAt).toMatchObject({ value: SUB.expiresAt, image: 0 });
    expect(body.evidence.previousSeats).toMatchObject({ value: SUB.previousSeats, image: 0 });
    expect(body.evidence.maximumUsers).toMatchObject({ value: SUB.maximumUsers, image: 0 });
    expect(body.evidence.activeUsers).toMatchObject({ value: DASH.activeUsers, image: 1 });
    expect(body.evidence.gitlabVersion).toMatchObject({ value: DASH.gitlabVersion, image: 1 });
    expect(body.evidence.pages).toEqual(['subscription', 'dashboard']);
    expect(body.missing).toEqual([]);
    expect(body.images.map((i) => [i.n, i.page, i.mediaType, i.fileName])).toEqual([
      [0, 'subscription', 'image/png', SUBSCRIPTION_SHOT],
      [1, 'dashboard', 'image/png', DASHBOARD_SHOT],
    ]);
    expect(body).toMatchObject({ source: 'upload', ticketId: null, actor: 'engineer-bot' });
    kept = body as unknown as typeof kept;
    const again = await api.call('GET', `/api/v1/evidence/${body.evidenceId}`, { token: api.tokens.admin });
    expect(again.json()).toEqual(body);
  });

  it('serves each kept image as uploaded, and the crop around a field', async () => {
    const image = await api.call('GET', `/api/v1/evidence/${kept.evidenceId}/images/1`);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.rawPayload.equals(fixtureShot(DASHBOARD_SHOT))).toBe(true);
    expect((await api.call('GET', `/api/v1/evidence/${kept.evidenceId}/images/2`)).statusCode).toBe(404);

    const crop = await api.call('GET', `/api/v1/evidence/${kept.evidenceId}/crop?field=previousSeats`);
    expect(crop.statusCode, crop.body).toBe(200);
    const c = crop.json() as { field: string; image: number; png: string; box: { x0: number } };
    expect(c).toMatchObject({ field: 'previousSeats', image: 0, mediaType: 'image/png' });
    const meta = await sharp(Buffer.from(c.png, 'base64')).metadata();
    const full = await sharp(fixtureShot(SUBSCRIPTION_SHOT)).metadata();
    expect(meta.format).toBe('png');
    expect(meta.height).toBeLessThan((full.height ?? 0) / 4);
    expect(
      (await api.call('GET', `/api/v1/evidence/${kept.evidenceId}/crop?field=licensee.email`)).statusCode,
    ).toBe(200);
    const unknown = await api.call('GET', `/api/v1/evidence/${kept.evidenceId}/crop?field=secret`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'field' } });
    expect((await api.call('GET', '/api/v1/evidence/evd_nope/crop?field=plan')).statusCode).toBe(404);
  });

  it('refuses bad images with the reader codes, never a 5xx, and keeps nothing', async () => {
    const before = await countKept();
    const cases: [string, Buffer, number, string][] = [
      ['document.pdf.png', fixtureShot('document.pdf.png'), 415, 'IMAGE_UNSUPPORTED'],
      ['truncated.png', fixtureShot('truncated.png'), 422, 'IMAGE_UNREADABLE'],
      ['huge-50mp.png', fixtureShot('huge-50mp.png'), 413, 'IMAGE_TOO_LARGE'],
      ['empty.png', Buffer.alloc(0), 415, 'IMAGE_UNSUPPORTED'],
      ['big.png', Buffer.alloc(10 * 1024 * 1024 + 1, 0x89), 413, 'IMAGE_TOO_LARGE'],
    ];
    for (const [name, bytes, status, code] of cases) {
      // A good image first: one bad image refuses the whole upload.
      const res = await upload([shot(DASHBOARD_SHOT), { name, bytes }]);
      expect([name, res.statusCode]).toEqual([name, status]);
      expect(res.json()).toMatchObject({ error: { code, field: 'images' } });
      expect((res.json() as { error: { message: string } }).error.message).toMatch(/^images\[1\]/);
    }
    const seven = await upload(Array.from({ length: 7 }, () => shot('blank.png')));
    expect(seven.statusCode).toBe(400);
    expect(seven.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'images' } });
    const other = multipart([shot('blank.png')], 'file');
    const wrongField = await api.server.inject({
      method: 'POST',
      url: '/api/v1/evidence/screenshots',
      payload: other.payload,
      headers: { ...other.headers, authorization: `Bearer ${api.tokens.engineer}` },
    });
    expect(wrongField.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'images' } });
    const none = await upload([]);
    expect(none.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'images' } });
    const json = await api.call('POST', '/api/v1/evidence/screenshots', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.statusCode).toBe(415);
    expect(await countKept()).toBe(before);
  });

  it('needs a signed-in caller; every role may have screenshots read', async () => {
    const anonymous = await upload([shot('document.pdf.png')], null);
    expect(anonymous.statusCode).toBe(401);
    // Past authorization: the image itself is what is refused.
    for (const role of ['licensing', 'admin'] as const)
      expect((await upload([shot('document.pdf.png')], api.tokens[role])).statusCode).toBe(415);
  });
});

describe('the limit', { timeout: 120_000 }, () => {
  it('counts reads that passed authorization and validation, with issue and resend calls', async () => {
    const limited = await startApi({ LIFELINE_RATE_LIMIT_PER_USER: '2' });
    limited.app.ports.reader = api.app.ports.reader; // one warm reader for the file
    try {
      const call = (name: string) => {
        const body = multipart([shot(name)]);
        return limited.server.inject({
          method: 'POST',
          url: '/api/v1/evidence/screenshots',
          payload: body.payload,
          headers: { ...body.headers, authorization: `Bearer ${limited.tokens.engineer}` },
        });
      };
      for (let i = 0; i < 3; i++) expect((await call('document.pdf.png')).statusCode).toBe(415);
      expect((await call('blank.png')).statusCode).toBe(201);
      expect((await call('blank.png')).statusCode).toBe(201);
      const third = await call('blank.png');
      expect(third.statusCode).toBe(429);
      expect(third.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('POST /api/v1/evidence/ticket/{ticketId}', { timeout: 120_000 }, () => {
  it('reads the two screenshots attached to the ticket: nothing missing; a PDF is left out', async () => {
    attachments.set('4101', [SUBSCRIPTION_SHOT, 'notes.pdf', DASHBOARD_SHOT]);
    const res = await api.call('POST', '/api/v1/evidence/ticket/4101', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = TicketEvidenceBody.parse(res.json());
    expect(body.evidenceId).toMatch(/^evd_/);
    expect(body).toMatchObject({ source: 'ticket', ticketId: '4101', attachments: 2, missing: [] });
    expect(body.evidence.previousSeats?.value).toBe(SUB.previousSeats);
    expect(body.evidence.gitlabVersion?.value).toBe(DASH.gitlabVersion);
    // The PDF is not an image attachment at all; Zendesk sent the credentials only to its own host.
    expect(zendesk.requestsTo('GET', /^\/files\//).length).toBe(2);
    expect(
      zendesk.requestsTo('GET', /^\/files\//).every((r) => r.headers.authorization?.startsWith('Basic ')),
    ).toBe(true);
  });

  it('names the missing screenshot; a ticket without images keeps nothing', async () => {
    attachments.set('4102', [DASHBOARD_SHOT]);
    const one = await api.call('POST', '/api/v1/evidence/ticket/4102', { token: await signed('4102') });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ missing: ['subscription'], ticketId: '4102' });
    attachments.set('4103', []);
    const none = await api.call('POST', '/api/v1/evidence/ticket/4103');
    expect(none.json()).toMatchObject({
      evidenceId: null,
      missing: ['dashboard', 'subscription'],
      attachments: 0,
    });
  });

  it('binds a signed request to its ticket; a bad ticket id is invalid', async () => {
    const other = await api.call('POST', '/api/v1/evidence/ticket/4101', { token: await signed('4102') });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const bad = await api.call('POST', '/api/v1/evidence/ticket/12ab');
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'ticketId' } });
  });
});

describe('an issue call naming the read', { timeout: 120_000 }, () => {
  const issueBody = (overrides: Record<string, unknown>) => {
    const body = eligibleBody(overrides);
    delete body['ticketUrl']; // ZENDESK_URL is the stand-in: the default URL is on its host
    return body;
  };

  it('records what was read and what the engineer changed; the rules run on the values sent', async () => {
    const body = issueBody({
      evidenceId: kept.evidenceId,
      seats: 300,
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: 260,
      maximumUsers: SUB.maximumUsers,
    });
    const res = await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const record = res.json() as {
      id: string;
      screenshots: Record<string, unknown>;
      eligibility: { facts: { previousSeats: number } };
    };
    expect(record.eligibility.facts.previousSeats).toBe(260);
    expect(record.screenshots).toMatchObject({
      evidenceId: kept.evidenceId,
      pages: ['subscription', 'dashboard'],
      missing: [],
      read: { plan: { value: SUB.plan, image: 0 }, previousSeats: { value: SUB.previousSeats } },
      changed: [
        { field: 'expiresAt', read: SUB.expiresAt, sent: '2026-11-14' },
        { field: 'previousSeats', read: SUB.previousSeats, sent: 260 },
        { field: 'billableUsers', read: SUB.billableUsers, sent: null },
      ],
    });
    const shown = await api.call('GET', `/api/v1/emergency-licenses/${record.id}`);
    expect((shown.json() as { screenshots: unknown }).screenshots).toEqual(record.screenshots);
    // The record's schema (the OpenAPI document's, the web's type) holds it.
    expect(RecordBody.safeParse(shown.json()).error?.issues ?? []).toEqual([]);
    await drain(api.app);
    const issue = await storeOf(api.app)
      .db.selectFrom('local_records')
      .select('body')
      .where('request_id', '=', record.id)
      .where('kind', '=', 'tracker_issue')
      .executeTakeFirstOrThrow();
    expect(issue.body).toContain(
      `Read from screenshots (\`${kept.evidenceId}\`): plan ${SUB.plan}, expires ${SUB.expiresAt}`,
    );
    // Escaped for GitLab Markdown (parentheses too).
    expect(issue.body).toContain(
      `changed by the engineer: expires \\(read ${SUB.expiresAt}, sent 2026-11-14\\), users in subscription \\(read ${SUB.previousSeats}, sent 260\\)`,
    );
  });

  it('refuses an unknown or stale evidenceId as invalid input naming the field', async () => {
    const check = (evidenceId: string) =>
      api.call('POST', '/api/v1/eligibility', {
        body: JSON.stringify(issueBody({ evidenceId })),
        headers: { 'content-type': 'application/json' },
      });
    const unknown = (await check('evd_0000')).json() as { refusals: { code: string; field?: string }[] };
    expect(unknown.refusals).toEqual([
      expect.objectContaining({ code: 'INPUT_INVALID', field: 'evidenceId' }),
    ]);
    const real = api.app.ports.clock;
    api.app.ports.clock = { now: () => new Date(real.now().getTime() + 25 * 3_600_000) };
    try {
      const stale = (await check(kept.evidenceId)).json() as {
        refusals: { field?: string; message: string }[];
      };
      expect(stale.refusals[0]).toMatchObject({
        field: 'evidenceId',
        message: expect.stringMatching(/24 hours/),
      });
    } finally {
      api.app.ports.clock = real;
    }
    const issued = await api.call('POST', '/api/v1/emergency-licenses', {
      body: JSON.stringify(issueBody({ evidenceId: 'evd_0000' })),
      headers: { 'content-type': 'application/json' },
    });
    expect(issued.statusCode).toBe(422);
    expect(issued.json()).toMatchObject({ error: { code: 'INPUT_INVALID' }, id: null });
  });
});
