/** The verdict as a whole: every refusal in rule order, the overridable flag, warnings, overrides. */
import { describe, expect, it } from 'vitest';
import { CODES } from '../../../src/core/errors.js';
import {
  checkEligibility,
  DEFAULT_ELIGIBILITY_CONFIG,
  describeRules,
  ELIGIBILITY_RULES,
  OVERRIDABLE_CODES,
  overridableRuleNumbers,
  validateOverrideReason,
} from '../../../src/core/eligibility/index.js';
import {
  BASE_REQUEST,
  check,
  codes,
  context,
  d,
  license,
  previous,
  recent,
  REFUSAL_CODES,
  warningCodes,
} from './fixtures.js';

const ALL_CODES = REFUSAL_CODES;

describe('the rules', () => {
  it('are listed in §4 order, rule 1 to rule 9 (rule 1 validates first, outside the list of checks)', () => {
    const described = describeRules(DEFAULT_ELIGIBILITY_CONFIG, ELIGIBILITY_RULES);
    expect(described.map((r) => r.rule)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ELIGIBILITY_RULES.map((r) => r.code)).toEqual(ALL_CODES);
    expect(ELIGIBILITY_RULES.filter((r) => r.check === null).map((r) => r.code)).toEqual(['INPUT_INVALID']);
  });

  it('every refusal code is in the one code table (HTTP 422, exit 1)', () => {
    for (const code of ALL_CODES) expect(CODES[code]).toEqual({ http: 422, exit: 1 });
  });

  it('the defaults are the spec’s', () => {
    expect(DEFAULT_ELIGIBILITY_CONFIG).toMatchObject({
      graceDays: 14,
      windowDays: 3,
      weekendRule: true,
      holidays: [],
      repeatWindowDays: 30,
      seatOverage: 0.1,
      implausibleFactor: 2,
      implausibleMargin: 100,
      maxSeats: 1_000_000,
    });
    for (const domain of [
      'gmail.com',
      'googlemail.com',
      'outlook.com',
      'proton.me',
      'qq.com',
      '163.com',
      'web.de',
    ]) {
      expect(DEFAULT_ELIGIBILITY_CONFIG.publicEmailDomains).toContain(domain);
    }
  });
});

describe('an eligible request', () => {
  it('Saturday, grace ended today, paid license, plausible seats, nobody helped recently', () => {
    const result = check({ ticketUrl: 'https://acme.zendesk.com/agent/tickets/4242', engineer: 'sam' });
    expect(result).toMatchObject({ eligible: true, refusals: [], warnings: [], overridable: false });
    expect(result.facts).toEqual({
      source: 'license',
      plan: 'premium',
      trial: false,
      expiresAt: '2026-11-14',
      previousSeats: 100,
      graceEndsOn: '2026-11-28',
      daysSinceGraceEnd: 0,
      peakUsers: null,
      recommendedSeats: 100,
      minimumSeats: null,
      issuedByLifelineRequestId: null,
      isWeekendOrHoliday: true,
      matchingRecentRequestIds: [],
    });
  });

  it('is a pure function: same answer every time, inputs untouched', () => {
    const ctx = context();
    const request = { ...BASE_REQUEST, maximumUsers: 90 };
    const frozen = JSON.stringify([request, ctx]);
    const first = checkEligibility(request, ctx);
    expect(checkEligibility(request, ctx)).toEqual(first);
    expect(JSON.stringify([request, ctx])).toBe(frozen);
  });

  it('refuses a malformed `today` as a programming error', () => {
    expect(() => check({}, { ...context(), today: '2026-02-30' as never })).toThrow(RangeError);
  });
});

describe('several refusals at once', () => {
  it('lists every failing rule in rule order (3, 5, 6, 7, 8, 9)', () => {
    const lic = license({
      expiresAt: d('2026-11-01'),
      restrictions: { plan: 'gold', active_user_count: 10, subscription_id: 'sub-0001' },
    });
    const result = check(
      { seats: 500, maximumUsers: 600 },
      context('2026-11-30', {
        previousLicense: previous(lic),
        recentLicenses: [recent({ previousSubscriptionId: 'sub-0001' })],
      }),
    );
    expect(codes(result)).toEqual([
      'NOT_PAID_PLAN',
      'GRACE_ENDED_TOO_LONG_AGO',
      'NOT_WEEKEND',
      'SEATS_BELOW_INSTANCE_PEAK',
      'SEATS_IMPLAUSIBLE',
      'RECENT_EMERGENCY_LICENSE',
    ]);
    expect(result.eligible).toBe(false);
    expect(result.overridable).toBe(false); // rule 3 cannot be overridden
    expect(result.request).not.toBeNull();
  });

  it('rules 4, 6, 7 and 9 together are all overridable', () => {
    const result = check(
      { seats: 50, billableUsers: 100 },
      context('2026-11-27', { recentLicenses: [recent({ requesterEmail: 'ops@acme.example' })] }),
    );
    expect(codes(result)).toEqual([
      'STILL_IN_GRACE',
      'NOT_WEEKEND',
      'SEATS_BELOW_INSTANCE_PEAK',
      'RECENT_EMERGENCY_LICENSE',
    ]);
    expect(result.overridable).toBe(true);
  });

  it('every refusal message is a sentence for the engineer', () => {
    const result = check(
      { seats: 500, maximumUsers: 600 },
      context('2026-11-30', { previousLicense: previous(license({ expiresAt: d('2026-11-01') })) }),
    );
    for (const refusal of result.refusals) {
      expect(refusal.message.length).toBeGreaterThan(30);
      expect(refusal.message).toMatch(/\.$/);
    }
  });
});

describe('overridable', () => {
  it.each<[string, () => ReturnType<typeof check>, boolean]>([
    ['eligible: nothing to override', () => check(), false],
    ['INPUT_INVALID', () => check({ seats: 0 }), false],
    ['PROSPECT', () => check({}, context('2026-11-28', { previousLicense: null })), false],
    [
      'NOT_PAID_PLAN',
      () =>
        check(
          {},
          context('2026-11-28', { previousLicense: previous(license({ restrictions: { plan: 'free' } })) }),
        ),
      false,
    ],
    [
      'STILL_IN_GRACE',
      () =>
        check(
          {},
          context('2026-11-28', { previousLicense: previous(license({ expiresAt: d('2026-11-20') })) }),
        ),
      true,
    ],
    [
      'GRACE_ENDED_TOO_LONG_AGO',
      () =>
        check(
          {},
          context('2026-11-28', { previousLicense: previous(license({ expiresAt: d('2026-11-08') })) }),
        ),
      true,
    ],
    ['NOT_WEEKEND', () => check({}, context('2026-11-30')), true],
    ['SEATS_BELOW_INSTANCE_PEAK', () => check({ maximumUsers: 200 }), true],
    ['SEATS_IMPLAUSIBLE', () => check({ seats: 201 }), true],
    [
      'RECENT_EMERGENCY_LICENSE',
      () => check({}, context('2026-11-28', { recentLicenses: [recent({ ticketId: '4242' })] })),
      true,
    ],
  ])('%s → %s', (code, run, overridable) => {
    const result = run();
    if (code.startsWith('eligible')) expect(result.eligible).toBe(true);
    else expect(codes(result)).toEqual([code]);
    expect(result.overridable).toBe(overridable);
  });

  it('OVERRIDABLE_CODES are rules 4–9', () => {
    expect([...OVERRIDABLE_CODES]).toEqual(ALL_CODES.slice(3));
    expect(overridableRuleNumbers()).toBe('4–9');
  });
});

describe('validateOverrideReason: at least 20 characters after trimming, at most 2000', () => {
  it.each<[string, unknown, string | null]>([
    ['missing', undefined, 'is required'],
    ['null', null, 'is required'],
    ['a number', 123_456_789_012_345, 'must be text'],
    ['empty', '', '0 characters'],
    ['padded short text', '   too short, sorry    ', '16 characters'],
    ['19 characters', 'x'.repeat(19), '19 characters'],
    ['20 characters', 'Customer is down, CEO', null],
    ['20 characters after trimming', `  ${'y'.repeat(20)}  `, null],
    ['19 accented characters (counted as characters, not bytes)', 'é'.repeat(19), '19 characters'],
    ['several lines', 'Customer is down.\nRenewal signed Friday,\tPO pending.', null],
    ['2000 characters', 'z'.repeat(2000), null],
    ['2001 characters', 'z'.repeat(2001), 'at most 2000'],
    ['a control character', `Customer is down\u0000 and needs it`, 'control characters'],
  ])('%s', (_name, reason, problem) => {
    const finding = validateOverrideReason(reason);
    if (problem === null) {
      expect(finding).toBeNull();
      return;
    }
    expect(finding).toMatchObject({ code: 'OVERRIDE_REASON_INVALID', field: 'overrideReason' });
    expect(finding?.message).toContain(problem);
  });
});

describe('SCREENSHOTS_MISSING', () => {
  it.each<[number | null, string | null]>([
    [null, null], // ticket system not connected: nothing to say
    [0, '2 are missing'],
    [1, '1 is missing'],
    [2, null],
    [5, null],
  ])('%s image attachments → %s', (count, phrase) => {
    const result = check({}, context('2026-11-28', { ticketImageCount: count }));
    expect(result.eligible).toBe(true); // a warning never refuses
    if (phrase === null) {
      expect(warningCodes(result)).toEqual([]);
      return;
    }
    expect(warningCodes(result)).toEqual(['SCREENSHOTS_MISSING']);
    expect(result.warnings[0]?.message).toContain(phrase);
    expect(result.warnings[0]?.message).toContain('Dashboard');
    expect(result.warnings[0]?.message).toContain('License/Subscription');
  });

  it('warnings come in code order: seats below previous, evidence mismatch, screenshots', () => {
    const result = check({ seats: 50, plan: 'ultimate' }, context('2026-11-28', { ticketImageCount: 1 }));
    expect(warningCodes(result)).toEqual([
      'SEATS_BELOW_PREVIOUS',
      'EVIDENCE_MISMATCH',
      'SCREENSHOTS_MISSING',
    ]);
  });
});
