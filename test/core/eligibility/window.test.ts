/**
 * Rules 4 (STILL_IN_GRACE), 5 (GRACE_ENDED_TOO_LONG_AGO) and 6 (NOT_WEEKEND): the worked examples
 * of §4 day by day, holidays, the weekend rule switched off, and `today` in a non-UTC support zone.
 */
import { describe, expect, it } from 'vitest';
import { addDays, calendarDateIn, dayOfWeek } from '../../../src/core/dates.js';
import { DEFAULT_ELIGIBILITY_CONFIG, type EligibilityConfig } from '../../../src/core/eligibility/index.js';
import { check, codes, context, d, license, previous } from './fixtures.js';

const withLicense = (expiresAt: string, today: string, config?: EligibilityConfig) =>
  check({}, context(today, { previousLicense: previous(license({ expiresAt: d(expiresAt) })) }), config);

const withTyped = (expiresAt: string, today: string, config?: EligibilityConfig) =>
  check({ plan: 'premium', expiresAt }, context(today, { previousLicense: null }), config);

const WEEKEND_OFF: EligibilityConfig = { ...DEFAULT_ELIGIBILITY_CONFIG, weekendRule: false };

const STILL = 'STILL_IN_GRACE';
const ENDED = 'GRACE_ENDED_TOO_LONG_AGO';
const WEEKDAY = 'NOT_WEEKEND';

/** Expired Tuesday 2026-11-10 → grace_end Tuesday 2026-11-24. [today, days since grace end, refusals] */
const EXPIRED_TUESDAY: [string, number, string[]][] = [
  ['2026-11-22', -2, [STILL]], // Sunday
  ['2026-11-23', -1, [STILL, WEEKDAY]], // Monday: rule 4 refuses
  ['2026-11-24', 0, [WEEKDAY]], // Tuesday: grace_end, rules 4 and 5 pass
  ['2026-11-25', 1, [WEEKDAY]],
  ['2026-11-26', 2, [WEEKDAY]],
  ['2026-11-27', 3, [WEEKDAY]], // Friday: last day of the window
  ['2026-11-28', 4, [ENDED]], // Saturday: rule 5 refuses
  ['2026-11-29', 5, [ENDED]],
  ['2026-11-30', 6, [ENDED, WEEKDAY]],
  ['2026-12-01', 7, [ENDED, WEEKDAY]],
];

/** Expired Saturday 2026-11-14 → grace_end Saturday 2026-11-28. */
const EXPIRED_SATURDAY: [string, number, string[]][] = [
  ['2026-11-23', -5, [STILL, WEEKDAY]],
  ['2026-11-24', -4, [STILL, WEEKDAY]],
  ['2026-11-25', -3, [STILL, WEEKDAY]],
  ['2026-11-26', -2, [STILL, WEEKDAY]],
  ['2026-11-27', -1, [STILL, WEEKDAY]],
  ['2026-11-28', 0, []], // Saturday: eligible
  ['2026-11-29', 1, []], // Sunday: eligible
  ['2026-11-30', 2, [WEEKDAY]], // Monday: only rule 6 refuses
  ['2026-12-01', 3, [WEEKDAY]], // Tuesday: only rule 6 refuses
  ['2026-12-02', 4, [ENDED, WEEKDAY]],
];

describe.each([
  ['license file', withLicense],
  ['typed evidence', withTyped],
])('§4 worked examples from a %s', (_source, run) => {
  describe('expired Tuesday 2026-11-10, grace_end 2026-11-24', () => {
    it.each(EXPIRED_TUESDAY)('on %s (%i days after grace_end) → %j', (today, since, expected) => {
      const result = run('2026-11-10', today);
      expect(codes(result)).toEqual(expected);
      expect(result.eligible).toBe(expected.length === 0);
      expect(result.facts.graceEndsOn).toBe('2026-11-24');
      expect(result.facts.daysSinceGraceEnd).toBe(since);
    });
  });

  describe('expired Saturday 2026-11-14, grace_end 2026-11-28', () => {
    it.each(EXPIRED_SATURDAY)('on %s (%i days after grace_end) → %j', (today, since, expected) => {
      const result = run('2026-11-14', today);
      expect(codes(result)).toEqual(expected);
      expect(result.eligible).toBe(expected.length === 0);
      expect(result.facts.graceEndsOn).toBe('2026-11-28');
      expect(result.facts.daysSinceGraceEnd).toBe(since);
    });
  });

  it('with the weekend rule off, rules 4 and 5 alone decide (2026-11-24 … 27 eligible)', () => {
    expect(codes(run('2026-11-10', '2026-11-23', WEEKEND_OFF))).toEqual([STILL]);
    for (const today of ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']) {
      expect(run('2026-11-10', today, WEEKEND_OFF).eligible).toBe(true);
    }
    expect(codes(run('2026-11-10', '2026-11-28', WEEKEND_OFF))).toEqual([ENDED]);
  });
});

describe('rules 4 and 5: messages', () => {
  it('STILL_IN_GRACE gives grace_end, how it was worked out and N days', () => {
    const [refusal] = withLicense('2026-11-10', '2026-11-21').refusals;
    expect(refusal?.code).toBe(STILL);
    expect(refusal?.message).toContain('2026-11-24');
    expect(refusal?.message).toContain('expiry 2026-11-10 + 14 days');
    expect(refusal?.message).toContain('in 3 days');
    expect(refusal?.message).toContain('normal renewal path');
  });

  it('GRACE_ENDED_TOO_LONG_AGO gives grace_end and how many days ago it ended', () => {
    const [refusal] = withLicense('2026-11-10', '2026-11-28').refusals;
    expect(refusal?.code).toBe(ENDED);
    expect(refusal?.message).toContain('2026-11-24');
    expect(refusal?.message).toContain('4 days ago');
    expect(refusal?.message).toContain('3 days');
    expect(refusal?.message).toContain('normal renewal path');
  });

  it('block_changes_at wins over expiry + 14 days', () => {
    const lic = license({ expiresAt: d('2026-11-10'), blockChangesAt: d('2026-11-28') });
    const result = check({}, context('2026-11-28', { previousLicense: previous(lic) }));
    expect(result.eligible).toBe(true);
    expect(result.facts.graceEndsOn).toBe('2026-11-28');
    const early = check({}, context('2026-11-27', { previousLicense: previous(lic) }));
    expect(codes(early)).toEqual([STILL, WEEKDAY]);
    expect(early.refusals[0]?.message).toContain('block_changes_at');
  });

  it('graceDays and windowDays are configuration', () => {
    const config = { ...DEFAULT_ELIGIBILITY_CONFIG, graceDays: 7, windowDays: 1 };
    // Expired Saturday 2026-11-21 + 7 → grace_end Saturday 2026-11-28; Sunday is day 1, Monday day 2.
    expect(withLicense('2026-11-21', '2026-11-28', config).eligible).toBe(true);
    expect(withLicense('2026-11-21', '2026-11-29', config).eligible).toBe(true);
    expect(codes(withLicense('2026-11-21', '2026-11-30', config))).toEqual([ENDED, WEEKDAY]);
    expect(codes(withLicense('2026-11-21', '2026-11-27', config))).toEqual([STILL, WEEKDAY]);
  });

  it('a license with neither expires_at nor block_changes_at never locks the instance: STILL_IN_GRACE', () => {
    const lic = license({ expiresAt: null, blockChangesAt: null });
    const result = check({}, context('2026-11-28', { previousLicense: previous(lic) }));
    expect(codes(result)).toEqual([STILL]);
    expect(result.refusals[0]?.message).toContain('no expiry date');
    expect(result.facts.graceEndsOn).toBeNull();
    expect(result.facts.daysSinceGraceEnd).toBeNull();
  });
});

describe('rule 6 NOT_WEEKEND: weekends and holidays', () => {
  const inWindow = (today: string, config?: EligibilityConfig) =>
    // A license whose window covers `today` (grace ended that very day), so only rule 6 can refuse.
    withLicense(addDays(d(today), -14), today, config);

  it.each([
    ['2026-11-28', 'Saturday', []],
    ['2026-11-29', 'Sunday', []],
    ['2026-11-30', 'Monday', [WEEKDAY]],
    ['2026-12-01', 'Tuesday', [WEEKDAY]],
    ['2026-12-02', 'Wednesday', [WEEKDAY]],
    ['2026-12-03', 'Thursday', [WEEKDAY]],
    ['2026-12-04', 'Friday', [WEEKDAY]],
  ])('%s (%s) → %j', (today, weekday, expected) => {
    const result = inWindow(today);
    expect(codes(result)).toEqual(expected);
    expect(result.facts.isWeekendOrHoliday).toBe(expected.length === 0);
    if (expected.length) expect(result.refusals[0]?.message).toContain(weekday);
    if (expected.length) expect(result.refusals[0]?.message).toContain('weekends and holidays');
  });

  it('a configured holiday on a weekday counts as a weekend day', () => {
    const config = { ...DEFAULT_ELIGIBILITY_CONFIG, holidays: [d('2026-11-26'), d('2026-11-27')] };
    // Thanksgiving Thursday and the Friday after, for the license that expired 2026-11-10.
    expect(withLicense('2026-11-10', '2026-11-26', config).eligible).toBe(true);
    expect(withLicense('2026-11-10', '2026-11-27', config).eligible).toBe(true);
    expect(withLicense('2026-11-10', '2026-11-26', config).facts.isWeekendOrHoliday).toBe(true);
    // Wednesday is not a holiday.
    expect(codes(withLicense('2026-11-10', '2026-11-25', config))).toEqual([WEEKDAY]);
    // A holiday does not widen the window: rules 4 and 5 still apply.
    const late = { ...DEFAULT_ELIGIBILITY_CONFIG, holidays: [d('2026-11-30')] };
    expect(codes(withLicense('2026-11-10', '2026-11-30', late))).toEqual([ENDED]);
  });

  it('with the weekend rule off, weekdays are fine and isWeekendOrHoliday still reports the day', () => {
    const result = inWindow('2026-12-01', WEEKEND_OFF);
    expect(result.eligible).toBe(true);
    expect(result.facts.isWeekendOrHoliday).toBe(false);
  });
});

describe('today in a non-UTC support time zone (the caller computes it; the rules take it)', () => {
  const LA = 'America/Los_Angeles';

  it('calendarDateIn gives Saturday in Los Angeles when UTC is already Sunday morning', () => {
    const now = new Date('2026-11-29T07:00:00Z'); // Sunday in UTC, Saturday 23:00 in Los Angeles
    expect(calendarDateIn(now, 'UTC')).toBe('2026-11-29');
    const today = calendarDateIn(now, LA);
    expect(today).toBe('2026-11-28');
    expect(dayOfWeek(today)).toBe(6);
    // Grace ended Tuesday 2026-11-24: Saturday 28 is 4 days later, Sunday 29 would be 5.
    const result = check(
      {},
      context(today, { previousLicense: previous(license({ expiresAt: d('2026-11-10') })) }),
    );
    expect(codes(result)).toEqual([ENDED]);
    expect(result.facts.daysSinceGraceEnd).toBe(4);
  });

  it('early Monday UTC is still Sunday in Los Angeles: eligible there, NOT_WEEKEND in UTC', () => {
    const now = new Date('2026-11-30T05:30:00Z');
    const la = calendarDateIn(now, LA);
    expect(la).toBe('2026-11-29');
    expect(withLicense('2026-11-14', la).eligible).toBe(true);
    expect(codes(withLicense('2026-11-14', calendarDateIn(now, 'UTC')))).toEqual([WEEKDAY]);
  });

  it('a holiday in the support zone: Friday in Los Angeles while UTC is Saturday', () => {
    const now = new Date('2026-11-28T03:00:00Z');
    const la = calendarDateIn(now, LA);
    expect(la).toBe('2026-11-27');
    const holidays = { ...DEFAULT_ELIGIBILITY_CONFIG, holidays: [d('2026-11-27')] };
    expect(withLicense('2026-11-10', la, holidays).eligible).toBe(true);
    expect(codes(withLicense('2026-11-10', la))).toEqual([WEEKDAY]);
  });
});
