/**
 * The checks every use case on a request makes, written once: who may act, on which request, on
 * which date, to which recipient, and whether the call counts against the limits (PRODUCT.md §10,
 * §12).
 */
import { calendarDateIn, type CalendarDate } from '../dates.js';
import { checkRecipient, type RecipientPolicy } from '../eligibility/index.js';
import { RECORD_ID_MAX_LENGTH } from '../limits.js';
import type { Actor, RequestRecord, RequestStatus } from '../ports.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import { fail } from '../outcome.js';

export function requireRole(actor: Actor, roles: readonly Actor['role'][], what: string): void {
  if (!roles.includes(actor.role)) {
    fail('FORBIDDEN', `only ${roles.join(' or ')} may ${what}`);
  }
}

/**
 * A signed request from the Zendesk sidebar acts only on its own ticket: its claims are chosen by
 * the sidebar's code, so the ticket claim is what binds it (reading stays open to every caller).
 */
export function requireOwnTicket(actor: Actor, request: Pick<RequestRecord, 'id' | 'ticketId'>): void {
  if (!actor.origin) return;
  const signed = actor.origin.ticketId;
  if (!signed || signed !== request.ticketId) {
    fail(
      'FORBIDDEN',
      `this signed request was made on ${signed ? `ticket ${signed}` : 'no ticket'}; it may act only on that ticket's requests`,
    );
  }
}

/** The request to act on; NOT_FOUND (never a hint) when there is none. */
export async function loadRequest(ports: Pick<IssuancePorts, 'store'>, id: string): Promise<RequestRecord> {
  const request =
    typeof id === 'string' && id.length <= RECORD_ID_MAX_LENGTH ? await ports.store.getRequest(id) : null;
  if (!request) fail('NOT_FOUND', `no request ${JSON.stringify(String(id).slice(0, RECORD_ID_MAX_LENGTH))}`);
  return request;
}

export function requireStatus(request: RequestRecord, allowed: readonly RequestStatus[], what: string): void {
  if (!allowed.includes(request.status)) {
    fail(
      'INVALID_STATE',
      `request ${request.id} is ${request.status.replace('_', ' ')}; only a request that is ${allowed
        .map((s) => s.replace('_', ' '))
        .join(' or ')} can be ${what}`,
    );
  }
}

export function lostRace(request: RequestRecord): never {
  fail('INVALID_STATE', `request ${request.id} changed while this was being done; look it up again`);
}

export interface DecisionDate {
  date: CalendarDate;
  /** The caller chose the date (only with LIFELINE_ALLOW_PINNED_DATES); recorded and audited. */
  pinned: boolean;
}

/**
 * Today in the support time zone, or the caller's pinned date where the operator allows pinning
 * (tests and demos, never production).
 */
export function decisionDate(
  ports: Pick<IssuancePorts, 'clock'>,
  settings: IssuanceSettings,
  pinned?: CalendarDate,
): DecisionDate {
  if (pinned === undefined)
    return { date: calendarDateIn(ports.clock.now(), settings.supportTimeZone), pinned: false };
  if (!settings.allowPinnedDates) {
    fail(
      'VALIDATION_FAILED',
      'today: a pinned date is accepted only when the server runs with LIFELINE_ALLOW_PINNED_DATES=true ' +
        '(tests and demos); leave it out to decide on today in the support time zone',
      { field: 'today' },
    );
  }
  return { date: pinned, pinned: true };
}

/** What an audit entry says of a pinned date (nothing when the clock's date was used). */
export const pinnedDetails = (d: DecisionDate): { pinnedToday?: CalendarDate } =>
  d.pinned ? { pinnedToday: d.date } : {};

/** The addresses that count as the acting person's own (never a license recipient). */
export function ownAddresses(actor: Actor, engineer?: string | null): string[] {
  return [actor.origin?.agentEmail, actor.name, engineer].filter(
    (a): a is string => typeof a === 'string' && a.includes('@'),
  );
}

export function recipientPolicy(
  settings: IssuanceSettings,
  actor: Actor,
  engineer?: string | null,
): RecipientPolicy {
  return {
    staffDomains: settings.eligibility.staffDomains,
    ownAddresses: ownAddresses(actor, engineer),
  };
}

/** Rule 1's email validation and the staff/own-address refusal for a recipient field (INPUT_INVALID). */
export function validRecipient(value: unknown, field: string, policy: RecipientPolicy): string {
  const checked = checkRecipient(value, policy);
  if (!checked.ok) {
    fail('INPUT_INVALID', `The field "${field}" ${checked.error}.`, { field });
  }
  return checked.value;
}

/**
 * Counts a call that passed authorization and validation against the issue/resend limits, before
 * anything is written; over a limit it is refused with RATE_LIMITED and when to try again.
 */
export async function countCall(
  ports: Pick<IssuancePorts, 'limits' | 'clock'>,
  actor: Actor,
  customerEmail: string | null,
): Promise<void> {
  if (!ports.limits) return;
  const decision = await ports.limits.take(actor, customerEmail, ports.clock.now().getTime());
  if (decision.allowed) return;
  fail(
    'RATE_LIMITED',
    `too many issue/resend calls in the last hour for this user or customer; retry in ${decision.retryAfterSeconds} s`,
    { retryAfterSeconds: decision.retryAfterSeconds },
  );
}
