/** Rule 1 (INPUT_INVALID): every field, every way it can be wrong, reported with its field. */
import { describe, expect, it } from 'vitest';
import { checkEligibility, DEFAULT_ELIGIBILITY_CONFIG } from '../../../src/core/eligibility/index.js';
import { check, codes, context, BASE_REQUEST } from './fixtures.js';

const MB = 'x'.repeat(1024 * 1024);

/** A test title that never prints a 1 MB value. */
const show = (value: unknown): string => {
  const text =
    typeof value === 'number' && !Number.isFinite(value)
      ? String(value)
      : (JSON.stringify(value) ?? 'undefined');
  return text.length > 60 ? `${text.slice(0, 30)}… (${text.length} chars)` : text;
};

/** [field, value, a phrase the message must contain] — each refused by rule 1 with that field. */
const INVALID: [string, unknown, string][] = [
  ['ticketId', undefined, 'is required'],
  ['ticketId', '', 'is required'],
  ['ticketId', '   ', 'is required'],
  ['ticketId', MB, 'at most 64'],
  ['ticketId', 'a'.repeat(65), 'at most 64'],
  ['ticketId', 'abc def', 'only letters, digits'],
  ['ticketId', '../etc/passwd', 'only letters, digits'],
  ['ticketId', 'ticket#1', 'only letters, digits'],
  ['ticketId', 0, 'positive whole number'],
  ['ticketId', -5, 'positive whole number'],
  ['ticketId', 1.5, 'positive whole number'],
  ['ticketId', true, 'must be text'],
  ['ticketId', { id: 1 }, 'must be text'],
  ['ticketUrl', 'not-a-url', 'is not a URL'],
  ['ticketUrl', 'https://', 'is not a URL'],
  ['ticketUrl', 'ftp://acme.example/4242', 'http or https'],
  ['ticketUrl', 'javascript:alert(1)', 'http or https'],
  ['ticketUrl', 'https://user:secret@acme.zendesk.com/agent/tickets/1', 'user name or password'],
  ['ticketUrl', 'https://acme.zendesk.com/a b', 'spaces'],
  ['ticketUrl', `https://acme.zendesk.com/${'a'.repeat(2030)}`, 'at most 2048'],
  ['ticketUrl', 42, 'must be text'],
  ['requesterEmail', undefined, 'is required'],
  ['requesterEmail', '', 'is required'],
  ['requesterEmail', 'plainaddress', 'exactly one "@"'],
  ['requesterEmail', 'a@@acme.com', 'exactly one "@"'],
  ['requesterEmail', 'a@b@acme.com', 'exactly one "@"'],
  ['requesterEmail', '@acme.com', 'before "@"'],
  ['requesterEmail', '.ops@acme.com', 'before "@"'],
  ['requesterEmail', 'ops.@acme.com', 'before "@"'],
  ['requesterEmail', 'o..ps@acme.com', 'before "@"'],
  ['requesterEmail', `${'a'.repeat(65)}@acme.com`, 'before "@"'],
  ['requesterEmail', 'ops@', 'domain name with a dot'],
  ['requesterEmail', 'ops@acme', 'domain name with a dot'],
  ['requesterEmail', 'ops@.com', 'domain name with a dot'],
  ['requesterEmail', 'ops@acme..com', 'domain name with a dot'],
  ['requesterEmail', 'ops@-acme.com', 'domain name with a dot'],
  ['requesterEmail', 'ops@acme_corp.com', 'domain name with a dot'],
  ['requesterEmail', 'ops@10.0.0.1', 'domain name with a dot'],
  ['requesterEmail', 'o ps@acme.com', 'printable ASCII'],
  ['requesterEmail', 'ops@acme.com, ceo@acme.com', 'printable ASCII'],
  ['requesterEmail', 'jörg@acme.de', 'printable ASCII'],
  [
    'requesterEmail',
    `ops@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`,
    'at most 254',
  ],
  ['requesterEmail', MB, 'at most 254'],
  ['requesterEmail', ['ops@acme.com'], 'must be text'],
  ['engineer', 'e'.repeat(101), 'at most 100'],
  ['engineer', 'bad\u0000name', 'printable'],
  ['engineer', 'tab\there', 'printable'],
  ['engineer', 'line\u2028break', 'printable'],
  ['engineer', 7, 'must be text'],
  ['seats', undefined, 'is required'],
  ['seats', null, 'is required'],
  ['seats', '10', 'not as text'],
  ['seats', '', 'got ""'],
  ['seats', -1, 'below 1'],
  ['seats', 0, 'below 1'],
  ['seats', 1.5, 'not a whole number'],
  ['seats', Number.NaN, 'NaN'],
  ['seats', Number.POSITIVE_INFINITY, 'not a whole number'],
  ['seats', 1_000_001, 'above 1000000'],
  ['seats', true, 'got a boolean'],
  ['seats', [10], 'got a list'],
  ['previousSeats', '100', 'not as text'],
  ['previousSeats', -1, 'below 0'],
  ['previousSeats', 2.5, 'not a whole number'],
  ['previousSeats', 1_000_001, 'above 1000000'],
  ['maximumUsers', 'many', 'got "many"'],
  ['maximumUsers', -3, 'below 0'],
  ['maximumUsers', Number.NaN, 'NaN'],
  ['billableUsers', 10.01, 'not a whole number'],
  ['billableUsers', 2_000_000, 'above 1000000'],
  ['billableUsers', false, 'got a boolean'],
  ['plan', 42, 'must be text'],
  ['plan', 'p'.repeat(41), 'at most 40'],
  ['plan', 'pre\u0007mium', 'printable'],
  ['expiresAt', '2026-02-30', 'not a real calendar date'],
  ['expiresAt', '2026-13-01', 'not a real calendar date'],
  ['expiresAt', '2025-02-29', 'not a real calendar date'],
  ['expiresAt', '2026-11-10T00:00:00Z', 'YYYY-MM-DD'],
  ['expiresAt', '2026/11/10', 'YYYY-MM-DD'],
  ['expiresAt', '10.11.2026', 'YYYY-MM-DD'],
  ['expiresAt', '26-11-10', 'YYYY-MM-DD'],
  ['expiresAt', 20261110, 'YYYY-MM-DD'],
];

describe('rule 1 INPUT_INVALID: each malformed field is reported with its field', () => {
  it.each(INVALID.map(([f, v, p]) => [f, show(v), v, p] as const))(
    '%s = %s',
    (field, _shown, value, phrase) => {
      const result = check({ [field]: value });
      expect(result.eligible).toBe(false);
      expect(result.request).toBeNull();
      expect(result.overridable).toBe(false);
      expect(result.refusals).toHaveLength(1);
      const [finding] = result.refusals;
      expect(finding?.code).toBe('INPUT_INVALID');
      expect(finding?.field).toBe(field);
      expect(finding?.message).toContain(`"${field}"`);
      expect(finding?.message).toContain(phrase);
      // Never echoes a huge input back.
      expect(finding?.message.length).toBeLessThan(400);
    },
  );
});

/** [field, value sent, value after normalisation] — accepted by rule 1. */
const VALID: [string, unknown, unknown][] = [
  ['ticketId', 4242, '4242'],
  ['ticketId', '  ZD-4242.a_b  ', 'ZD-4242.a_b'],
  ['ticketId', 'a'.repeat(64), 'a'.repeat(64)],
  ['ticketUrl', undefined, null],
  ['ticketUrl', null, null],
  ['ticketUrl', '', null],
  [
    'ticketUrl',
    ' https://acme.zendesk.com/agent/tickets/4242 ',
    'https://acme.zendesk.com/agent/tickets/4242',
  ],
  ['ticketUrl', 'http://localhost:3000/t/1', 'http://localhost:3000/t/1'],
  ['requesterEmail', '  Ops@ACME.Example ', 'ops@acme.example'],
  ['requesterEmail', "o'brien+tag@sub.acme.co.uk", "o'brien+tag@sub.acme.co.uk"],
  ['requesterEmail', 'x@xn--bcher-kva.example', 'x@xn--bcher-kva.example'],
  ['engineer', undefined, null],
  ['engineer', '  ', null],
  ['engineer', ' Zoë Müller ', 'Zoë Müller'],
  ['engineer', 'é'.repeat(100), 'é'.repeat(100)],
  ['seats', 1, 1],
  ['seats', 1_000_000, 1_000_000],
  ['previousSeats', 0, 0],
  ['previousSeats', null, null],
  ['maximumUsers', 1_000_000, 1_000_000],
  ['billableUsers', undefined, null],
  ['plan', '  Premium ', 'premium'],
  ['plan', 'gold', 'gold'],
  ['plan', '', null],
  ['expiresAt', '2026-11-14', '2026-11-14'],
  ['expiresAt', '', null],
];

describe('rule 1 accepts and normalises well-formed fields', () => {
  it.each(VALID.map(([f, v, n]) => [f, show(v), v, n] as const))(
    '%s = %s',
    (field, _shown, value, normalised) => {
      const result = check({ [field]: value });
      expect(codes(result)).not.toContain('INPUT_INVALID');
      expect(result.request?.[field as keyof typeof result.request]).toEqual(normalised);
    },
  );
});

describe('rule 1 as a whole', () => {
  it('reports every invalid field, in field order, and evaluates no other rule', () => {
    // A Tuesday, still in grace, with a recent license for the same ticket: none of that is reported.
    const result = checkEligibility(
      {
        ticketId: 'bad id',
        ticketUrl: 'mailto:x@y.z',
        requesterEmail: 'nope',
        engineer: 'x'.repeat(200),
        seats: '10',
        plan: 1,
        expiresAt: '2026-02-30',
        previousSeats: -1,
        maximumUsers: 1.5,
        billableUsers: 'all',
      },
      context('2026-11-24'),
    );
    expect(codes(result).every((c) => c === 'INPUT_INVALID')).toBe(true);
    expect(result.refusals.map((f) => f.field)).toEqual([
      'ticketId',
      'ticketUrl',
      'requesterEmail',
      'engineer',
      'seats',
      'plan',
      'expiresAt',
      'previousSeats',
      'maximumUsers',
      'billableUsers',
    ]);
    expect(result.request).toBeNull();
  });

  it('reports a request that is not an object', () => {
    const result = checkEligibility(null as never, context());
    expect(result.refusals[0]).toMatchObject({ code: 'INPUT_INVALID', field: 'request' });
    expect(result.refusals.map((f) => f.field)).toContain('seats');
  });

  it('with typed evidence only, a plan without an expiry date is refused on expiresAt ("needed with plan")', () => {
    const result = check({ plan: 'premium' }, context('2026-11-28', { previousLicense: null }));
    expect(result.refusals).toHaveLength(1);
    expect(result.refusals[0]).toMatchObject({ code: 'INPUT_INVALID', field: 'expiresAt' });
    expect(result.refusals[0]?.message).toContain('needed with plan');
  });

  it('with a license file, a typed plan needs no typed expiry date', () => {
    expect(check({ plan: 'premium' }).eligible).toBe(true);
  });

  it('an invalid expiry date typed with a plan is reported once', () => {
    const result = check(
      { plan: 'premium', expiresAt: '2026-02-30' },
      context('2026-11-28', { previousLicense: null }),
    );
    expect(result.refusals.map((f) => f.field)).toEqual(['expiresAt']);
    expect(result.refusals[0]?.message).toContain('not a real calendar date');
  });

  it('honours a configured maxSeats for every count', () => {
    const config = { ...DEFAULT_ELIGIBILITY_CONFIG, maxSeats: 50 };
    const result = check({ seats: 51, previousSeats: 51, maximumUsers: 50 }, context(), config);
    expect(result.refusals.map((f) => f.field)).toEqual(['seats', 'previousSeats']);
    expect(result.refusals[0]?.message).toContain('from 1 to 50');
  });

  it('still shows the facts and warnings that the valid fields allow while the form is incomplete', () => {
    const result = check(
      { seats: undefined, maximumUsers: 110 },
      context('2026-11-28', { ticketImageCount: 0 }),
    );
    expect(codes(result)).toEqual(['INPUT_INVALID']);
    expect(result.facts).toMatchObject({
      source: 'license',
      graceEndsOn: '2026-11-28',
      daysSinceGraceEnd: 0,
      minimumSeats: 100,
      recommendedSeats: 110,
    });
    expect(result.warnings.map((w) => w.code)).toEqual(['SCREENSHOTS_MISSING']);
  });

  it('the base request is valid', () => {
    expect(check().request).toEqual({
      ticketId: BASE_REQUEST.ticketId,
      ticketUrl: null,
      requesterEmail: BASE_REQUEST.requesterEmail,
      engineer: null,
      seats: 100,
      plan: null,
      expiresAt: null,
      previousSeats: null,
      maximumUsers: null,
      billableUsers: null,
    });
  });
});
