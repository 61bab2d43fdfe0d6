/**
 * Seat arithmetic (rules 7 and 8, and the seat recommendation), in integers only: the overage is
 * a rational with a fixed denominator, so floor(seats × 1.1) is exact for every count.
 */

/** The overage is taken to a thousandth (0.1 → 100/1000). */
const OVERAGE_DENOMINATOR = 1000;
export const DEFAULT_SEAT_OVERAGE = 0.1;

/** 1 + overage as a numerator over OVERAGE_DENOMINATOR (0.1 → 1100). */
function overageNumerator(overage: number): number {
  if (!Number.isFinite(overage) || overage < 0 || overage > 100) {
    throw new RangeError(`the seat overage must be a number from 0 to 100, got ${overage}`);
  }
  return OVERAGE_DENOMINATOR + Math.round(overage * OVERAGE_DENOMINATOR);
}

/** floor(a / b) for a ≥ 0, b > 0, exactly (the subtraction leaves an exact multiple of b). */
const floorDiv = (a: number, b: number): number => (a - (a % b)) / b;

function assertCount(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > 1e12) {
    throw new RangeError(`${name} must be a whole number from 0 to 10^12, got ${n}`);
  }
}

/** floor(seats × (1 + overage)): the most users GitLab lets a license of `seats` seats cover. */
export function seatsWithOverage(seats: number, overage: number = DEFAULT_SEAT_OVERAGE): number {
  assertCount(seats, 'seats');
  return floorDiv(seats * overageNumerator(overage), OVERAGE_DENOMINATOR);
}

/**
 * Smallest seat count S with floor(S × (1+overage)) ≥ peak. A license has at least one seat, so
 * the answer is never below 1 (peak 0 → 1).
 */
export function minimumAcceptedSeats(peak: number, overage: number = DEFAULT_SEAT_OVERAGE): number {
  assertCount(peak, 'peak');
  const n = overageNumerator(overage);
  // floor(S·n/D) ≥ peak  ⇔  S·n/D ≥ peak (peak is whole)  ⇔  S ≥ ceil(peak·D / n).
  const s = floorDiv(peak * OVERAGE_DENOMINATOR + n - 1, n);
  return Math.max(1, s);
}

/** The instance's peak: the larger of the known "Maximum users" and "Billable users", or null. */
export function peakUsers(maximumUsers: number | null, billableUsers: number | null): number | null {
  const known = [maximumUsers, billableUsers].filter((n): n is number => n !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/**
 * §4 seat recommendation: max(previous license seats, billable users, maximum users) of the known
 * figures, null when none is known; at least 1, since a license cannot have 0 seats.
 */
export function recommendedSeats(figures: readonly (number | null)[]): number | null {
  const known = figures.filter((n): n is number => n !== null && Number.isFinite(n));
  return known.length === 0 ? null : Math.max(1, ...known);
}
