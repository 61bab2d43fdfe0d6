/**
 * `checkEligibility`: rule 1, then the evidence, then the ordered rules of §4 (rules.ts), plus the
 * warnings and the seat recommendation. Pure: everything it needs is in its arguments.
 */
import { daysBetween, isCalendarDate, type CalendarDate } from '../dates.js';
import { DEFAULT_ELIGIBILITY_CONFIG, type EligibilityConfig } from './config.js';
import { gatherEvidence, type Evidence } from './evidence.js';
import { checkInput, expiryInRange, type ValidFields } from './input.js';
import { findRecentEmergencyLicenses, type RecentMatch } from './recent.js';
import { ELIGIBILITY_RULES, isWeekendOrHoliday, type EligibilityRule } from './rules.js';
import { minimumAcceptedSeats, peakUsers, recommendedSeats } from './seats.js';
import type {
  EligibilityContext,
  EligibilityFacts,
  EligibilityRequest,
  EligibilityResult,
  Finding,
  RefusalCode,
  WarningCode,
} from './types.js';

/** The two screenshots of the seed's step 1. */
const SCREENSHOTS = ['Admin Area → Overview → Dashboard', 'the License/Subscription page'] as const;

/** `rules` is the catalogue; another is a test's copy of it with a rule added. */
export function checkEligibility(
  request: EligibilityRequest,
  context: EligibilityContext,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY_CONFIG,
  rules: readonly EligibilityRule[] = ELIGIBILITY_RULES,
): EligibilityResult {
  // `today` comes from the caller; a malformed one is a programming error, not a refusal.
  if (!isCalendarDate(context.today))
    throw new RangeError(`today must be a YYYY-MM-DD date, got ${String(context.today)}`);
  const { today } = context;

  // Rule 1 (INPUT_INVALID). Facts and warnings are still worked out from the fields that passed,
  // so a form being filled in shows them live; the rules are not evaluated.
  const input = checkInput(request, {
    hasLicenseFile: context.previousLicense !== null,
    maxSeats: config.maxSeats,
    recipients: { staffDomains: config.staffDomains, ownAddresses: context.ownAddresses ?? [] },
    ticketHost: config.ticketHost,
  });
  const licenseDates = previousLicenseDateProblem(context);
  if (licenseDates) {
    input.findings.push(licenseDates);
    input.request = null;
  }
  const evidence = gatherEvidence(input.valid, context.previousLicense, config.graceDays);
  const recentMatches = findRecentEmergencyLicenses(
    { ticketId: input.valid.ticketId ?? null, requesterEmail: input.valid.requesterEmail ?? null },
    evidence.identity,
    context.recentLicenses,
    { today, repeatWindowDays: config.repeatWindowDays, publicEmailDomains: config.publicEmailDomains },
  );
  const facts = factsOf(input.valid, evidence, recentMatches, today, config);
  const warnings = warningsOf(input.valid, evidence, context.ticketImageCount);

  if (!input.request) {
    return { eligible: false, refusals: input.findings, warnings, facts, request: null, overridable: false };
  }

  // The rules after rule 1, in order, every one evaluated, except that without evidence (PROSPECT)
  // those needing it are skipped.
  const refusals: Finding<RefusalCode>[] = [];
  let overridable = true;
  const ruleInput = { request: input.request, evidence, today, config, recentMatches };
  for (const rule of rules) {
    if (rule.check === null || (rule.needsEvidence && evidence.source === 'none')) continue;
    const refusal = rule.check(ruleInput);
    if (!refusal) continue;
    refusals.push({ code: rule.code as RefusalCode, ...refusal });
    overridable &&= rule.overridable;
  }

  return {
    eligible: refusals.length === 0,
    refusals,
    warnings,
    facts,
    request: input.request,
    overridable: refusals.length > 0 && overridable,
  };
}

/** A previous license dated where no license can be (rule 1, as for a typed expiry date). */
function previousLicenseDateProblem(context: EligibilityContext): Finding<'INPUT_INVALID'> | null {
  const license = context.previousLicense?.license;
  if (!license) return null;
  for (const [name, date] of [
    ['expires_at', license.expiresAt],
    ['block_changes_at', license.blockChangesAt],
  ] as const) {
    if (!date) continue;
    const inRange = expiryInRange(date);
    if (!inRange.ok) {
      return {
        code: 'INPUT_INVALID',
        field: 'previousLicense',
        message: `The previous license's ${name} ${inRange.error}.`,
      };
    }
  }
  return null;
}

function factsOf(
  valid: ValidFields,
  evidence: Evidence,
  recentMatches: readonly RecentMatch[],
  today: CalendarDate,
  config: EligibilityConfig,
): EligibilityFacts {
  const maximumUsers = valid.maximumUsers ?? null;
  const billableUsers = valid.billableUsers ?? null;
  const peak = peakUsers(maximumUsers, billableUsers);
  const graceEnd = evidence.graceEndsOn;
  return {
    source: evidence.source,
    plan: evidence.plan,
    trial: evidence.trial,
    expiresAt: evidence.expiresAt,
    previousSeats: evidence.previousSeats,
    graceEndsOn: graceEnd,
    daysSinceGraceEnd: graceEnd === null ? null : daysBetween(graceEnd, today),
    peakUsers: peak,
    recommendedSeats: recommendedSeats([evidence.previousSeats, billableUsers, maximumUsers]),
    minimumSeats: peak === null ? null : minimumAcceptedSeats(peak, config.seatOverage),
    issuedByLifelineRequestId: evidence.issuedByLifelineRequestId,
    isWeekendOrHoliday: isWeekendOrHoliday(today, config.holidays),
    matchingRecentRequestIds: recentMatches.map((m) => m.license.requestId),
  };
}

/** In the order of WarningCode: seats below previous, evidence mismatches, screenshots missing. */
function warningsOf(
  valid: ValidFields,
  evidence: Evidence,
  ticketImageCount: number | null,
): Finding<WarningCode>[] {
  const warnings: Finding<WarningCode>[] = [];
  const seats = valid.seats;
  const previous = evidence.previousSeats;
  if (seats !== undefined && previous !== null && seats < previous) {
    warnings.push({
      code: 'SEATS_BELOW_PREVIOUS',
      field: 'seats',
      message: `${seats} seats is fewer than the previous license's ${previous} seats; check the user count.`,
    });
  }
  warnings.push(...evidence.mismatches);
  if (ticketImageCount !== null && ticketImageCount < SCREENSHOTS.length) {
    const have = Math.max(0, ticketImageCount);
    const missing = SCREENSHOTS.length - have;
    warnings.push({
      code: 'SCREENSHOTS_MISSING',
      message:
        `The ticket carries ${have} image attachment${have === 1 ? '' : 's'}; step 1 needs ${SCREENSHOTS.length} ` +
        `screenshots (${SCREENSHOTS.join(' and ')}): ${missing} ${missing === 1 ? 'is' : 'are'} missing. ` +
        'Ask the customer for them and attach them to the ticket.',
    });
  }
  return warnings;
}
