/**
 * Rule 9's question: was an emergency license already issued for the same customer within the
 * repeat window? "Same customer" (§4) is any of:
 *  - the same ticket, or the same requester email;
 *  - the same registrable email domain, unless it is a public mail domain (gmail.com…);
 *  - the same previous license: the same fingerprint, licensee email, licensee company or
 *    subscription id.
 * Values are compared in their canonical forms (canonical.ts, PRODUCT.md §12), like with like (a
 * requester email is not compared with a licensee email).
 */
import { addDays, daysBetween, type CalendarDate } from '../dates.js';
import { canonicalEmail, canonicalName, domainSet, emailDomain, isPublicMailDomain } from './canonical.js';
import type { LicenseIdentity } from './evidence.js';
import type { RecentLicense } from './types.js';

export interface RecentMatch {
  license: RecentLicense;
  /** Why it is the same customer, in words ("same requester email"). */
  reasons: string[];
}

/**
 * Lifeline's own licenses carry this generic licensee; it identifies no customer. (Rule 3 keeps an
 * emergency license from being the basis of another, but an altered one is not recognised by
 * fingerprint, so the generic company is never taken as a match.)
 */
const GENERIC_COMPANIES = new Set(['emergency trial license']);

/** An exact value (ticket id, fingerprint): trimmed and lower-cased only. */
const exact = (s: string | null | undefined): string | null => {
  const t = (s ?? '').trim().toLowerCase();
  return t === '' ? null : t;
};

/**
 * Window: issued on a day D matches when D > today − repeatWindowDays, i.e. fewer than
 * repeatWindowDays days ago (with 30: issued 29 days ago matches, 30 days ago does not). A license
 * dated after today (a caller in another time zone) matches too.
 */
export function isWithinRepeatWindow(
  issuedAt: CalendarDate,
  today: CalendarDate,
  repeatWindowDays: number,
): boolean {
  return daysBetween(issuedAt, today) < repeatWindowDays;
}

/** What identifies a customer for rule 9: the request's fields and its previous license's identity. */
export interface CustomerFields extends LicenseIdentity {
  ticketId: string | null;
  requesterEmail: string | null;
}

/**
 * The keys ("kind:value", normalised as rule 9 compares) under which a license is filed, so the
 * store can find rule 9's candidates by index instead of reading the whole window. Two customers
 * are "the same" (findRecentEmergencyLicenses) only if they share a key, so the licenses filed under
 * any of a request's keys include every match; the rule still decides on them. With
 * `publicEmailDomains` (a request's keys) a public mail domain and the generic licensee company are
 * left out, as they never match; a license is filed under all of its keys.
 */
export function customerKeys(
  c: CustomerFields,
  options: { publicEmailDomains?: readonly string[] } = {},
): string[] {
  const keys: string[] = [];
  const add = (kind: string, value: string | null): void => {
    if (value !== null) keys.push(`${kind}:${value}`);
  };
  const email = canonicalEmail(c.requesterEmail);
  const domain = emailDomain(email);
  const company = canonicalName(c.licenseeCompany);
  const forRequest = options.publicEmailDomains !== undefined;
  const publicDomains = domainSet(options.publicEmailDomains ?? []);
  add('ticket', exact(c.ticketId));
  add('email', email);
  if (domain !== null && !isPublicMailDomain(domain, publicDomains)) add('domain', domain);
  for (const fingerprint of new Set([exact(c.fingerprint), exact(c.legacyFingerprint)])) {
    add('fingerprint', fingerprint);
  }
  add('licensee-email', canonicalEmail(c.licenseeEmail));
  if (!(forRequest && company !== null && GENERIC_COMPANIES.has(company))) add('licensee-company', company);
  add('subscription', canonicalName(c.subscriptionId));
  return keys;
}

/** The keys a stored license is filed under (customerKeys of what identified its customer). */
export function recentLicenseKeys(license: Omit<RecentLicense, 'requestId' | 'issuedAt'>): string[] {
  return customerKeys({
    ticketId: license.ticketId,
    requesterEmail: license.requesterEmail,
    fingerprint: license.previousLicenseFingerprint,
    licenseeEmail: license.previousLicenseeEmail,
    licenseeCompany: license.previousLicenseeCompany,
    subscriptionId: license.previousSubscriptionId,
  });
}

export function findRecentEmergencyLicenses(
  request: { ticketId: string | null; requesterEmail: string | null },
  identity: LicenseIdentity,
  recent: readonly RecentLicense[],
  options: { today: CalendarDate; repeatWindowDays: number; publicEmailDomains: readonly string[] },
): RecentMatch[] {
  const publicDomains = domainSet(options.publicEmailDomains);
  const email = canonicalEmail(request.requesterEmail);
  const domain = emailDomain(email);
  const sharedDomain = domain !== null && !isPublicMailDomain(domain, publicDomains) ? domain : null;
  const ticket = exact(request.ticketId);
  const fingerprints = [exact(identity.fingerprint), exact(identity.legacyFingerprint)];
  const licenseeEmail = canonicalEmail(identity.licenseeEmail);
  const company = canonicalName(identity.licenseeCompany);
  const subscription = canonicalName(identity.subscriptionId);
  const same = (a: string | null, b: string | null): boolean => a !== null && a === b;

  const matches: RecentMatch[] = [];
  const windowStart = addDays(options.today, -options.repeatWindowDays);
  for (const license of recent) {
    // The same test as isWithinRepeatWindow, as one string comparison per license
    // (YYYY-MM-DD dates order as strings): issued after `today − repeatWindowDays`.
    if (license.issuedAt <= windowStart) continue;
    // A license voided by a replace for this ticket was corrected by its replacement (§12).
    if (license.voidedByReplace && same(ticket, exact(license.ticketId))) continue;
    const reasons: string[] = [];
    if (same(ticket, exact(license.ticketId))) reasons.push(`same ticket ${license.ticketId}`);
    const licenseEmail = canonicalEmail(license.requesterEmail);
    if (same(email, licenseEmail)) reasons.push('same requester email');
    else if (same(sharedDomain, emailDomain(licenseEmail))) reasons.push(`same email domain ${sharedDomain}`);
    const previous = exact(license.previousLicenseFingerprint);
    if (fingerprints.some((f) => same(f, previous))) reasons.push('same previous license file');
    if (same(licenseeEmail, canonicalEmail(license.previousLicenseeEmail))) {
      reasons.push('same previous licensee email');
    }
    if (
      company !== null &&
      !GENERIC_COMPANIES.has(company) &&
      same(company, canonicalName(license.previousLicenseeCompany))
    ) {
      reasons.push('same previous licensee company');
    }
    if (same(subscription, canonicalName(license.previousSubscriptionId))) {
      reasons.push('same subscription id');
    }
    if (reasons.length > 0) matches.push({ license, reasons });
  }
  // Most recent first; ties by request id so the order never depends on the caller's.
  return matches.sort(
    (a, b) =>
      b.license.issuedAt.localeCompare(a.license.issuedAt) ||
      a.license.requestId.localeCompare(b.license.requestId),
  );
}
