/**
 * The response schemas (src/interfaces/http/responses.ts) hold the API's real answers, strictly:
 * a field the server adds without its schema, a code outside the code list or a status outside
 * the record's statuses fails here, so the OpenAPI document and the web's types stay true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CheckBody,
  ErrorBody,
  FailedBody,
  ListBody,
  RecordBody,
  RefusedBody,
} from '../../src/interfaces/http/responses.js';
import { drain } from '../deliveries/harness.js';
import { unusableKey } from '../helpers/issuance.js';
import { eligibleBody, startApi, type Api } from './helpers.js';

let api: Api;
beforeAll(async () => {
  api = await startApi({ LIFELINE_ALLOW_PINNED_DATES: 'true' });
});
afterAll(async () => {
  await api?.close();
});

const json = { 'content-type': 'application/json' };
const post = (url: string, body: unknown, token?: string) =>
  api.call('POST', url, { body: JSON.stringify(body), headers: json, ...(token ? { token } : {}) });

/** Parses with the schema; the failure message names the path and the problem. */
function holds(schema: z.ZodType, body: unknown): void {
  const result = schema.safeParse(body);
  expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(
    [],
  );
}

describe('the response schemas', () => {
  it('hold an issued record, its lookup with local records, a replaced and a voided record, and a page', async () => {
    const made = await post('/api/v1/emergency-licenses', eligibleBody());
    expect(made.statusCode, made.body).toBe(201);
    holds(RecordBody, made.json());
    await drain(api.app);
    const id = made.json().id as string;
    const looked = await api.call('GET', `/api/v1/emergency-licenses/${id}`);
    expect(looked.json().localRecords.length).toBeGreaterThan(0);
    holds(RecordBody, looked.json());

    const replaced = await post(
      `/api/v1/emergency-licenses/${id}/replace`,
      { reason: 'Issued for the wrong seat count.', seats: 130, today: '2026-11-28' },
      api.tokens.licensing,
    );
    expect(replaced.statusCode, replaced.body).toBe(201);
    holds(RecordBody, replaced.json());
    const voided = await post(
      `/api/v1/emergency-licenses/${replaced.json().id}/void`,
      { reason: 'The customer renewed on Monday.' },
      api.tokens.licensing,
    );
    expect(voided.statusCode, voided.body).toBe(200);
    holds(RecordBody, voided.json());
    await drain(api.app);

    const page = await api.call('GET', '/api/v1/emergency-licenses?limit=5');
    expect(page.json().requests.length).toBeGreaterThan(0);
    holds(ListBody, page.json());
  });

  it('hold an override waiting for approval, and a check', async () => {
    const late = eligibleBody({ expiresAt: '2026-09-01', overrideReason: 'Renewal signed, PO delayed.' });
    const pending = await post('/api/v1/emergency-licenses', late);
    expect(pending.statusCode, pending.body).toBe(202);
    holds(RecordBody, pending.json());
    const check = await post('/api/v1/eligibility', eligibleBody({ seats: 90 }));
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json().warnings.length).toBeGreaterThan(0);
    holds(CheckBody, check.json());
  });

  it('hold a refusal, a coded error and a validation error, and refuse a code outside the list', async () => {
    const refused = await post('/api/v1/emergency-licenses', eligibleBody({ plan: 'free' }));
    expect(refused.statusCode, refused.body).toBe(422);
    holds(RefusedBody, refused.json());
    const missing = await api.call('GET', '/api/v1/emergency-licenses/req_nothing');
    expect(missing.statusCode).toBe(404);
    holds(ErrorBody, missing.json());
    const invalid = await post('/api/v1/emergency-licenses', { ...eligibleBody(), extra: 1 });
    expect(invalid.statusCode).toBe(400);
    holds(ErrorBody, invalid.json());

    expect(
      ErrorBody.safeParse({ error: { code: 'NO_SUCH_CODE', message: 'x', requestId: 'r' } }).success,
    ).toBe(false);
    const record = (await post('/api/v1/emergency-licenses', eligibleBody())).json() as object;
    expect(RecordBody.safeParse(record).success).toBe(true);
    expect(RecordBody.safeParse({ ...record, x: 1 }).success).toBe(false);
    expect(RecordBody.safeParse({ ...record, status: 'lost' }).success).toBe(false);
  });

  it('hold the answer to an issue call that could not generate a license, with the record of the failure', async () => {
    const ports = api.app.ports as { signer: unknown };
    const signer = ports.signer;
    ports.signer = { privateKey: unusableKey(), development: false };
    let failed;
    try {
      failed = await post('/api/v1/emergency-licenses', eligibleBody());
    } finally {
      ports.signer = signer;
    }
    expect(failed.statusCode, failed.body).toBe(500);
    expect(failed.json().record.status).toBe('failed');
    holds(FailedBody, failed.json());
  });
});
