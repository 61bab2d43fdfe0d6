/**
 * Rule 7 (SEATS_BELOW_INSTANCE_PEAK), rule 8 (SEATS_IMPLAUSIBLE), the SEATS_BELOW_PREVIOUS warning
 * and the seat recommendation, at their edges, in exact integer arithmetic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ELIGIBILITY_CONFIG,
  minimumAcceptedSeats,
  recommendedSeats,
  seatsWithOverage,
} from '../../../src/core/eligibility/index.js';
import { check, codes, context, license, previous, warningCodes } from './fixtures.js';

/** floor(s × (1 + num/1000)) with BigInt, as an independent oracle. */
const oracle = (s: number, permille = 100): number => Number((BigInt(s) * BigInt(1000 + permille)) / 1000n);

describe('minimumAcceptedSeats: smallest S with floor(S × 1.1) ≥ peak', () => {
  it.each([
    [0, 1], // a license has at least one seat
    [1, 1],
    [2, 2],
    [10, 10],
    [11, 10],
    [12, 11],
    [21, 20],
    [22, 20],
    [23, 21],
    [110, 100],
    [111, 101],
    [120, 110],
    [1000, 910],
    [1_000_000, 909_091],
  ])('peak %i → %i', (peak, expected) => {
    expect(minimumAcceptedSeats(peak)).toBe(expected);
    expect(oracle(expected)).toBeGreaterThanOrEqual(peak);
    if (expected > 1) expect(oracle(expected - 1)).toBeLessThan(peak);
  });

  it('is the smallest accepted count for every peak up to 10^6 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (peak) => {
        const s = minimumAcceptedSeats(peak);
        return oracle(s) >= peak && (s === 1 || oracle(s - 1) < peak);
      }),
      { numRuns: 5000 },
    );
  });

  it('takes another overage exactly (0 %, 12.5 %, 25 %)', () => {
    expect(minimumAcceptedSeats(100, 0)).toBe(100);
    expect(minimumAcceptedSeats(9, 0.125)).toBe(8); // 8 × 1.125 = 9
    expect(minimumAcceptedSeats(10, 0.125)).toBe(9); // 9 × 1.125 = 10.125
    expect(minimumAcceptedSeats(5, 0.25)).toBe(4);
    expect(minimumAcceptedSeats(6, 0.25)).toBe(5);
  });

  it('refuses nonsense arguments (a programming error, not a refusal)', () => {
    expect(() => minimumAcceptedSeats(-1)).toThrow(RangeError);
    expect(() => minimumAcceptedSeats(1.5)).toThrow(RangeError);
    expect(() => minimumAcceptedSeats(Number.NaN)).toThrow(RangeError);
    expect(() => minimumAcceptedSeats(10, -0.1)).toThrow(RangeError);
    expect(() => minimumAcceptedSeats(10, Number.NaN)).toThrow(RangeError);
  });
});

describe('seatsWithOverage: floor(seats × 1.1) without float error', () => {
  it.each([
    [1, 1],
    [9, 9],
    [10, 11],
    [19, 20],
    [100, 110],
    [999_999, 1_099_998],
    [1_000_000, 1_100_000],
  ])('%i seats cover %i users', (seats, covered) => {
    expect(seatsWithOverage(seats)).toBe(covered);
  });

  it('agrees with the BigInt oracle everywhere (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (s) => seatsWithOverage(s) === oracle(s)),
      { numRuns: 5000 },
    );
  });
});

describe('rule 7 SEATS_BELOW_INSTANCE_PEAK: floor(seats × 1.1) < max(Maximum users, Billable users)', () => {
  it.each([
    // [seats, maximumUsers, billableUsers, refused, minimumSeats]
    [100, 110, undefined, false, 100],
    [99, 110, undefined, true, 100],
    [100, undefined, 110, false, 100],
    [99, 50, 110, true, 100], // the larger figure counts
    [10, 11, undefined, false, 10],
    [9, 11, undefined, true, 10],
    [1, 1, undefined, false, 1],
    [1, 0, 0, false, 1],
    [109, 100, 120, true, 110],
    [110, 100, 120, false, 110],
    [909_091, 1_000_000, undefined, false, 909_091],
    [909_090, 1_000_000, undefined, true, 909_091],
  ])(
    'seats %i, maximum %s, billable %s → refused %s, minimum %i',
    (seats, maximumUsers, billableUsers, refused, min) => {
      const result = check({ seats, maximumUsers, billableUsers, previousSeats: seats });
      expect(codes(result).includes('SEATS_BELOW_INSTANCE_PEAK')).toBe(refused);
      expect(result.facts.minimumSeats).toBe(min);
      expect(result.facts.peakUsers).toBe(Math.max(maximumUsers ?? 0, billableUsers ?? 0));
      if (refused) {
        const refusal = result.refusals.find((f) => f.code === 'SEATS_BELOW_INSTANCE_PEAK');
        expect(refusal?.field).toBe('seats');
        expect(refusal?.message).toContain(`smallest accepted seat count is ${min}`);
        expect(refusal?.message).toContain('reject this license on upload');
      }
    },
  );

  it('without screenshot figures there is no peak and nothing to check', () => {
    const result = check({ seats: 1 });
    expect(codes(result)).not.toContain('SEATS_BELOW_INSTANCE_PEAK');
    expect(result.facts.peakUsers).toBeNull();
    expect(result.facts.minimumSeats).toBeNull();
  });

  it('follows a configured overage', () => {
    const config = { ...DEFAULT_ELIGIBILITY_CONFIG, seatOverage: 0 };
    expect(codes(check({ seats: 109, maximumUsers: 110 }, context(), config))).toEqual([
      'SEATS_BELOW_INSTANCE_PEAK',
    ]);
    expect(check({ seats: 110, maximumUsers: 110 }, context(), config).eligible).toBe(true);
  });
});

describe('rule 8 SEATS_IMPLAUSIBLE: seats > 2 × previous AND seats > previous + 100', () => {
  const withPrevious = (prev: number | null, seats: number) =>
    check(
      { seats },
      context('2026-11-28', {
        previousLicense: previous(
          license({
            restrictions: prev === null ? { plan: 'premium' } : { plan: 'premium', active_user_count: prev },
          }),
        ),
      }),
    );

  it.each([
    // [previous, seats, refused]
    [100, 200, false],
    [100, 201, true], // > 200 and > 200
    [100, 300, true],
    [10, 110, false], // > 20 but not > 110
    [10, 111, true],
    [300, 600, false], // > 400 but not > 600
    [300, 601, true],
    [1, 101, false],
    [1, 102, true],
    [0, 1000, false], // previous 0: nothing to compare with, skipped
    [null, 1_000_000, false], // unknown: skipped
  ])('previous %s, seats %i → refused %s', (prev, seats, refused) => {
    const result = withPrevious(prev, seats);
    expect(codes(result).includes('SEATS_IMPLAUSIBLE')).toBe(refused);
    if (refused) {
      const refusal = result.refusals.find((f) => f.code === 'SEATS_IMPLAUSIBLE');
      expect(refusal?.field).toBe('seats');
      expect(refusal?.message).toContain(`${seats} seats`);
      expect(refusal?.message).toContain('confirm the number');
    }
  });

  it('uses a typed previous seat count when the license file has none', () => {
    const lic = license({ restrictions: { plan: 'premium' } });
    const result = check(
      { seats: 500, previousSeats: 50 },
      context('2026-11-28', { previousLicense: previous(lic) }),
    );
    expect(codes(result)).toEqual(['SEATS_IMPLAUSIBLE']);
    expect(result.facts.previousSeats).toBe(50);
  });

  it('with typed evidence only', () => {
    const ctx = context('2026-11-28', { previousLicense: null });
    expect(codes(check({ expiresAt: '2026-11-14', previousSeats: 50, seats: 151 }, ctx))).toEqual([
      'SEATS_IMPLAUSIBLE',
    ]);
    expect(check({ expiresAt: '2026-11-14', previousSeats: 50, seats: 150 }, ctx).eligible).toBe(true);
  });

  it('follows configured factor and margin', () => {
    const config = { ...DEFAULT_ELIGIBILITY_CONFIG, implausibleFactor: 3, implausibleMargin: 10 };
    expect(codes(withPreviousConfig(100, 301, config))).toEqual(['SEATS_IMPLAUSIBLE']);
    expect(withPreviousConfig(100, 300, config).eligible).toBe(true);
  });

  function withPreviousConfig(prev: number, seats: number, config: typeof DEFAULT_ELIGIBILITY_CONFIG) {
    const lic = license({ restrictions: { plan: 'premium', active_user_count: prev } });
    return check({ seats }, context('2026-11-28', { previousLicense: previous(lic) }), config);
  }
});

describe('SEATS_BELOW_PREVIOUS warning and the seat recommendation', () => {
  it('warns (never refuses) when seats are below the previous license seats', () => {
    const result = check({ seats: 99 });
    expect(result.eligible).toBe(true);
    expect(warningCodes(result)).toEqual(['SEATS_BELOW_PREVIOUS']);
    expect(result.warnings[0]?.field).toBe('seats');
    expect(result.warnings[0]?.message).toContain('99');
    expect(result.warnings[0]?.message).toContain('100');
    expect(warningCodes(check({ seats: 100 }))).toEqual([]);
  });

  it.each([
    // [previous (license), billable, maximum, recommended, minimum]
    [100, undefined, undefined, 100, null],
    [100, 120, 130, 130, 119],
    [100, 90, 80, 100, 82],
    [100, 150, undefined, 150, 137],
  ])(
    'previous %i, billable %s, maximum %s → recommend %i, minimum %s',
    (prev, billableUsers, maximumUsers, rec, min) => {
      const lic = license({ restrictions: { plan: 'premium', active_user_count: prev } });
      const result = check(
        { billableUsers, maximumUsers },
        context('2026-11-28', { previousLicense: previous(lic) }),
      );
      expect(result.facts.recommendedSeats).toBe(rec);
      expect(result.facts.minimumSeats).toBe(min);
    },
  );

  it('is null without any figure, and never below 1', () => {
    expect(recommendedSeats([null, null, null])).toBeNull();
    expect(recommendedSeats([0, 0, null])).toBe(1);
    expect(recommendedSeats([null, 12, 7])).toBe(12);
    const planless = license({ restrictions: { plan: 'premium' } });
    expect(
      check({}, context('2026-11-28', { previousLicense: previous(planless) })).facts.recommendedSeats,
    ).toBeNull();
  });
});
