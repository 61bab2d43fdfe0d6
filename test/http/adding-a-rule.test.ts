/**
 * The cost of a new rule: an entry in the catalogue (src/core/eligibility/rules.ts) and nothing
 * else. This test stands in for that edit by giving the catalogue module two more rules, then shows
 * that the verdict, the overridable set, the code table, the API's refusals and overrides, the rules
 * route and the OpenAPI document all follow, with no other file changed.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CODES, httpStatusOf, type Code } from '../../src/core/errors.js';
import {
  checkEligibility,
  ELIGIBILITY_RULES,
  OVERRIDABLE_CODES,
  overridableRuleNumbers,
  type EligibilityRule,
} from '../../src/core/eligibility/index.js';
import { BASE_REQUEST, context } from '../core/eligibility/fixtures.js';
import { eligibleBody, startApi, type Api } from './helpers.js';

vi.mock('../../src/core/eligibility/rules.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/eligibility/rules.js')>();
  const tenth: EligibilityRule = {
    code: 'SEATS_ABOVE_TEN_THOUSAND',
    overridable: true,
    needsEvidence: false,
    title: (c) => `At most 10000 seats (of ${c.maxSeats})`,
    passedText: () => 'The seat count is at most 10000.',
    check: ({ request }) =>
      request.seats > 10_000 ? { field: 'seats', message: `${request.seats} seats is above 10000.` } : null,
  };
  const eleventh: EligibilityRule = {
    code: 'TICKET_ON_HOLD',
    overridable: false,
    needsEvidence: true,
    title: () => 'Ticket not on hold',
    passedText: () => 'The ticket is not on hold.',
    check: ({ request }) =>
      request.ticketId.endsWith('-hold') ? { message: 'The ticket is on hold.' } : null,
  };
  return { ...original, ELIGIBILITY_RULES: [...original.ELIGIBILITY_RULES, tenth, eleventh] };
});

const refusalCodes = (r: { refusals: { code: string }[] }) => r.refusals.map((f) => f.code);

describe('a rule added to the catalogue', () => {
  it('is evaluated in its place, refused with its code, overridable as it says', () => {
    expect(ELIGIBILITY_RULES.map((r) => r.code).slice(-2)).toEqual([
      'SEATS_ABOVE_TEN_THOUSAND',
      'TICKET_ON_HOLD',
    ]);
    const today = context('2026-11-28', { previousLicense: null });
    const large = { ...BASE_REQUEST, plan: 'premium', expiresAt: '2026-11-14', previousSeats: 15_000 };
    expect(checkEligibility({ ...large, seats: 10_000 }, today).eligible).toBe(true);

    const tenth = checkEligibility({ ...large, seats: 20_000 }, today);
    expect(refusalCodes(tenth)).toEqual(['SEATS_ABOVE_TEN_THOUSAND']);
    expect(tenth.refusals[0]).toMatchObject({ field: 'seats', message: '20000 seats is above 10000.' });
    expect(tenth.overridable).toBe(true);

    const both = checkEligibility({ ...large, ticketId: '9-hold', seats: 20_000 }, today);
    expect(refusalCodes(both)).toEqual(['SEATS_ABOVE_TEN_THOUSAND', 'TICKET_ON_HOLD']);
    expect(both.overridable).toBe(false);

    // Rule 2 skips it when it needs evidence and there is none.
    const prospect = checkEligibility(
      { ticketId: '9-hold', requesterEmail: 'ops@acme.example', seats: 20_000 },
      today,
    );
    expect(refusalCodes(prospect)).toEqual(['PROSPECT', 'SEATS_ABOVE_TEN_THOUSAND']);
  });

  it('joins the overridable set and the code table', () => {
    expect(OVERRIDABLE_CODES).toContain('SEATS_ABOVE_TEN_THOUSAND');
    expect(OVERRIDABLE_CODES).not.toContain('TICKET_ON_HOLD');
    // What the command line's help says.
    expect(overridableRuleNumbers()).toBe('4–10');
    for (const code of ['SEATS_ABOVE_TEN_THOUSAND', 'TICKET_ON_HOLD'])
      expect((CODES as Record<string, unknown>)[code]).toEqual({ http: 422, exit: 1 });
    expect(httpStatusOf('TICKET_ON_HOLD' as Code)).toBe(422);
  });
});

describe('the API with a rule added', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api.close();
  });

  const post = (url: string, body: Record<string, unknown>, token = api.tokens.licensing) =>
    api.call('POST', url, {
      token,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  it('refuses with the new code (422), and a licensing override with a reason issues', async () => {
    const checked = await post('/api/v1/eligibility', eligibleBody({ seats: 20_000, previousSeats: 15_000 }));
    expect(checked.statusCode).toBe(200);
    expect(checked.json()).toMatchObject({ eligible: false, overridable: true });
    expect(refusalCodes(checked.json())).toEqual(['SEATS_ABOVE_TEN_THOUSAND']);

    const refused = await post(
      '/api/v1/emergency-licenses',
      eligibleBody({ seats: 20_000, previousSeats: 15_000 }),
    );
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('SEATS_ABOVE_TEN_THOUSAND');

    const overridden = await post(
      '/api/v1/emergency-licenses',
      eligibleBody({
        seats: 20_000,
        previousSeats: 15_000,
        overrideReason: 'The customer really has 20000 users, confirmed.',
      }),
    );
    expect(overridden.statusCode).toBe(201);
    expect(overridden.json()).toMatchObject({
      status: 'issued',
      override: { codes: ['SEATS_ABOVE_TEN_THOUSAND'] },
    });

    const notOverridable = await post(
      '/api/v1/emergency-licenses',
      eligibleBody({
        ticketId: '77-hold',
        ticketUrl: undefined,
        overrideReason: 'The ticket is on hold but we need it anyway.',
      }),
    );
    expect(notOverridable.statusCode).toBe(422);
    expect(notOverridable.json().error.code).toBe('TICKET_ON_HOLD');
  });

  it('lists it as rules 10 and 11 on the rules route and in the OpenAPI document', async () => {
    const res = await api.call('GET', '/api/v1/eligibility/rules');
    expect(res.statusCode).toBe(200);
    expect(res.json().rules.slice(-2)).toEqual([
      {
        rule: 10,
        code: 'SEATS_ABOVE_TEN_THOUSAND',
        title: 'At most 10000 seats (of 1000000)',
        passed: 'The seat count is at most 10000.',
        overridable: true,
        needsEvidence: false,
      },
      {
        rule: 11,
        code: 'TICKET_ON_HOLD',
        title: 'Ticket not on hold',
        passed: 'The ticket is not on hold.',
        overridable: false,
        needsEvidence: true,
      },
    ]);
    const doc = (await api.call('GET', '/api/v1/openapi.json', { token: null })).json();
    const schema =
      doc.paths['/api/v1/eligibility/rules'].get.responses['200'].content['application/json'].schema;
    expect(schema.properties.rules.items.properties.code.enum.slice(-2)).toEqual([
      'SEATS_ABOVE_TEN_THOUSAND',
      'TICKET_ON_HOLD',
    ]);
  });
});
