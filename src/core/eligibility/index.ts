/**
 * Eligibility (product spec §4): the ordered checks that decide whether an emergency license may
 * be issued. Pure: the caller gathers `today`, the previous license and recent licenses through
 * ports and passes them in.
 */
export { checkEligibility } from './check-eligibility.js';
export { DEFAULT_ELIGIBILITY_CONFIG, PUBLIC_EMAIL_DOMAINS, type EligibilityConfig } from './config.js';
export { OVERRIDABLE_CODES, overridableRuleNumbers, validateOverrideReason } from './override.js';
export {
  describeRules,
  ELIGIBILITY_RULES,
  isWeekendOrHoliday,
  type EligibilityRule,
  type RuleDescription,
  type RuleInput,
} from './rules.js';
export { licenseIdentity } from './evidence.js';
export { WARNING_CODES } from './types.js';
export { canonicalEmail, canonicalName, registrableDomain } from './canonical.js';
export { checkRecipient, validateEmail, type RecipientPolicy } from './input.js';
export { customerKeys, isWithinRepeatWindow, recentLicenseKeys, type CustomerFields } from './recent.js';
export { minimumAcceptedSeats, peakUsers, recommendedSeats, seatsWithOverage } from './seats.js';
export type {
  EligibilityContext,
  EligibilityFacts,
  EligibilityRequest,
  EligibilityResult,
  Finding,
  NormalizedRequest,
  PreviousLicense,
  RecentLicense,
  RefusalCode,
  WarningCode,
} from './types.js';
