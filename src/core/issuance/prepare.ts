/** What issue, check, retry and replace decide on: the facts the rules need, gathered through the ports; stores nothing. */
import { addDays, type CalendarDate } from '../dates.js';
import {
  checkEligibility,
  customerKeys,
  licenseIdentity,
  validateOverrideReason,
  type EligibilityRequest,
  type EligibilityResult,
  type Finding,
  type PreviousLicense,
  type RecentLicense,
  type RefusalCode,
} from '../eligibility/index.js';
import { licenseeField, loadAttributes, toLicense, type License } from '../license/attributes.js';
import { decodeLicense, legacyLicenseFingerprint, licenseFingerprint } from '../license/codec.js';
import type { Actor, Evidence, RequestRecord } from '../ports.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import { decisionDate, ownAddresses, type DecisionDate } from './guards.js';
import { TICKET_ID_MAX_LENGTH } from '../limits.js';
import { linkedEvidence, recordedScreenshots } from './screenshots.js';

export interface IssueInput {
  request: EligibilityRequest;
  /** The customer's expired license file (text), the strongest evidence. */
  previousLicenseText?: string | null;
  overrideReason?: string | null;
  /** Screenshots read and kept by Lifeline (issue 21): recorded with the request, not decided on. */
  evidenceId?: string | null;
  actor: Actor;
  /** Pinned date; otherwise today in the support time zone. */
  today?: CalendarDate;
}

export interface Prepared {
  today: DecisionDate;
  eligibility: EligibilityResult;
  evidence: Evidence;
}

function previousLicenseFinding(code: string, message: string): Finding<RefusalCode> {
  return {
    code: 'INPUT_INVALID',
    field: 'previousLicense',
    message: `The previous license cannot be used as evidence: ${message} (${code}).`,
  };
}

/** Decodes the previous license and gathers the facts the rules need; stores nothing. */
export async function prepare(
  input: IssueInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Promise<Prepared> {
  const decided = decisionDate(ports, settings, input.today);
  const date = decided.date;
  let previous: {
    license: License;
    fingerprint: string;
    legacyFingerprint: string;
    json: Evidence['previousLicense'];
  } | null = null;
  let licenseProblem: Finding<RefusalCode> | null = null;
  if (typeof input.previousLicenseText === 'string' && input.previousLicenseText.trim() !== '') {
    const decoded = decodeLicense(input.previousLicenseText, ports.verifier.publicKeys);
    if (decoded.ok) {
      const fingerprint = licenseFingerprint(input.previousLicenseText);
      const license = decoded.value.license;
      const subscription = license.restrictions?.['subscription_id'];
      previous = {
        license,
        fingerprint,
        legacyFingerprint: legacyLicenseFingerprint(input.previousLicenseText),
        json: {
          fingerprint,
          json: decoded.value.json,
          licenseeEmail: licenseeField(license, 'Email') || null,
          licenseeCompany: licenseeField(license, 'Company') || null,
          subscriptionId: typeof subscription === 'string' && subscription !== '' ? subscription : null,
        },
      };
    } else {
      licenseProblem = previousLicenseFinding(decoded.error.code, decoded.error.message);
    }
  } else if (input.previousLicenseText !== undefined && input.previousLicenseText !== null) {
    licenseProblem = previousLicenseFinding('MALFORMED_ENVELOPE', 'the license text is empty');
  }

  const issuedByLifeline = previous ? await ports.store.findLicenseByFingerprint(previous.fingerprint) : null;
  const ticketId = typeof input.request.ticketId === 'string' ? input.request.ticketId : null;
  const rawTicket = input.request.ticketId;
  const keys = customerKeys(
    {
      ticketId:
        typeof rawTicket === 'string' ? rawTicket : typeof rawTicket === 'number' ? String(rawTicket) : null,
      requesterEmail: typeof input.request.requesterEmail === 'string' ? input.request.requesterEmail : null,
      ...licenseIdentity(previous),
    },
    { publicEmailDomains: settings.eligibility.publicEmailDomains },
  );
  const [recentLicenses, ticketImageCount, linked] = await Promise.all([
    ports.store.recentLicenses(addDays(date, -settings.eligibility.repeatWindowDays), keys),
    ports.tickets && ticketId && ticketId.length <= TICKET_ID_MAX_LENGTH
      ? ports.tickets.imageAttachmentCount(ticketId)
      : Promise.resolve(null),
    linkedEvidence(
      input.evidenceId,
      typeof rawTicket === 'number' ? String(rawTicket) : (ticketId?.trim() ?? null),
      ports,
    ),
  ]);
  let eligibility = checkEligibility(
    input.request,
    {
      today: date,
      previousLicense: previous
        ? {
            license: previous.license,
            fingerprint: previous.fingerprint,
            issuedByLifelineRequestId: issuedByLifeline?.requestId ?? null,
          }
        : null,
      recentLicenses,
      ticketImageCount,
      ownAddresses: ownAddresses(
        input.actor,
        typeof input.request.engineer === 'string' ? input.request.engineer : null,
      ),
    },
    settings.eligibility,
  );
  const extraInputProblems: Finding<RefusalCode>[] = [];
  if (licenseProblem) extraInputProblems.push(licenseProblem);
  if (linked.problem) extraInputProblems.push(linked.problem);
  if (input.overrideReason !== undefined && input.overrideReason !== null) {
    const problem = validateOverrideReason(input.overrideReason);
    if (problem)
      extraInputProblems.push({ code: 'INPUT_INVALID', field: 'overrideReason', message: problem.message });
  }
  if (extraInputProblems.length > 0) {
    // Invalid input is rule 1: it stops the other rules, and nothing is stored.
    eligibility = {
      ...eligibility,
      eligible: false,
      overridable: false,
      request: null,
      refusals: [...eligibility.refusals.filter((r) => r.code === 'INPUT_INVALID'), ...extraInputProblems],
    };
  }
  const n = eligibility.request;
  const evidence: Evidence = {
    source: eligibility.facts.source,
    plan: n?.plan ?? null,
    expiresAt: n?.expiresAt ?? null,
    previousSeats: n?.previousSeats ?? null,
    maximumUsers: n?.maximumUsers ?? null,
    billableUsers: n?.billableUsers ?? null,
    ticketImages: ticketImageCount,
    previousLicense: previous?.json ?? null,
  };
  const screenshots = recordedScreenshots(linked, n);
  if (screenshots) evidence.screenshots = screenshots;
  return { today: decided, eligibility, evidence };
}

/** The previous license recorded with a request, loaded again for the rules (no text is kept). */
export function recordedPreviousLicense(request: RequestRecord): PreviousLicense | null {
  const recorded = request.evidence.previousLicense;
  const loaded = recorded ? loadAttributes(recorded.json) : null;
  return loaded && loaded.ok && recorded
    ? { license: toLicense(loaded.value), fingerprint: recorded.fingerprint, issuedByLifelineRequestId: null }
    : null;
}

/**
 * The rules run again on a stored request, on its own decision date (a retry, a replace), with
 * the changes given. `except` leaves a request's own license out of rule 9.
 */
export async function recheck(
  request: RequestRecord,
  changes: { requesterEmail?: unknown; seats?: unknown },
  actor: Actor,
  ports: IssuancePorts,
  settings: IssuanceSettings,
  except: string | null = null,
): Promise<EligibilityResult> {
  const previousLicense = recordedPreviousLicense(request);
  const requesterEmail = changes.requesterEmail ?? request.requesterEmail;
  const keys = customerKeys(
    {
      ticketId: request.ticketId,
      requesterEmail: typeof requesterEmail === 'string' ? requesterEmail : null,
      ...licenseIdentity(previousLicense),
    },
    { publicEmailDomains: settings.eligibility.publicEmailDomains },
  );
  const date = request.issueDate;
  const recent: RecentLicense[] = (
    await ports.store.recentLicenses(addDays(date, -settings.eligibility.repeatWindowDays), keys)
  ).filter((l) => l.requestId !== except);
  return checkEligibility(
    {
      ticketId: request.ticketId,
      ticketUrl: request.ticketUrl ?? undefined,
      requesterEmail,
      engineer: request.engineer,
      seats: changes.seats ?? request.seats,
      plan: request.evidence.plan ?? undefined,
      expiresAt: request.evidence.expiresAt ?? undefined,
      previousSeats: request.evidence.previousSeats ?? undefined,
      maximumUsers: request.evidence.maximumUsers ?? undefined,
      billableUsers: request.evidence.billableUsers ?? undefined,
    },
    {
      today: date,
      previousLicense,
      recentLicenses: recent,
      ticketImageCount: null,
      ownAddresses: ownAddresses(actor),
    },
    settings.eligibility,
  );
}
