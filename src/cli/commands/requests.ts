/** `check`, `issue`, `lookup`, `resend`, `retry`, `void`, `approve`, `reject`, `replace` (PRODUCT.md §8). */
import { EXIT, exitCodeOf, type Code } from '../../core/errors.js';
import type { EligibilityResult } from '../../core/eligibility/index.js';
import {
  checkRequest,
  issueEmergencyLicense,
  type IssueInput,
  approveRequest,
  lookupRequests,
  rejectRequest,
  resendLicense,
  lookupById,
  retryRequest,
  voidRequest,
} from '../../core/issuance/index.js';
import type { App } from '../../app.js';
import { runWorker } from '../../interfaces/worker/run-worker.js';
import { checkJson, recordJson, type RequestView } from '../../core/issuance/view.js';
import { replaceRequest } from '../../core/issuance/replace.js';
import {
  actorFrom,
  emailArg,
  numberArg,
  parseToday,
  readLicenseFile,
  ticketArg,
  withApp,
} from '../context.js';
import type { CommandOutcome } from '../output.js';
import { renderEligibility, renderLocalRecords, renderView } from '../render.js';
import { unwrap } from '../../core/outcome.js';

export interface RequestOptions {
  deliver?: boolean;
  ticket?: string;
  email?: string;
  seats?: string;
  previousLicense?: string;
  plan?: string;
  expiresAt?: string;
  previousSeats?: string;
  maximumUsers?: string;
  billableUsers?: string;
  evidenceId?: string;
  engineer?: string;
  ticketUrl?: string;
  today?: string;
  overrideReason?: string;
  role?: string;
  json?: boolean;
}

function issueInput(o: RequestOptions, app: App): IssueInput {
  const today = parseToday(o.today, app);
  const ticket = ticketArg(o.ticket);
  return {
    request: {
      ticketId: ticket.id,
      ticketUrl: o.ticketUrl ?? ticket.url ?? undefined,
      requesterEmail: emailArg(o.email, '--email'),
      engineer: o.engineer,
      seats: numberArg(o.seats, '--seats'),
      plan: o.plan,
      expiresAt: o.expiresAt,
      previousSeats: numberArg(o.previousSeats, '--previous-seats'),
      maximumUsers: numberArg(o.maximumUsers, '--maximum-users'),
      billableUsers: numberArg(o.billableUsers, '--billable-users'),
    },
    previousLicenseText: o.previousLicense ? readLicenseFile(o.previousLicense) : null,
    overrideReason: o.overrideReason ?? null,
    ...(o.evidenceId !== undefined ? { evidenceId: o.evidenceId } : {}),
    actor: actorFrom(o, 'engineer'),
    ...(today ? { today } : {}),
  };
}

const refusedExit = (result: EligibilityResult): CommandOutcome['exit'] =>
  result.eligible ? EXIT.OK : exitCodeOf((result.refusals[0]?.code ?? 'INPUT_INVALID') as Code);

/** A refusal by the rules, as `check` prints it. */
const refusedOutcome = (result: EligibilityResult): CommandOutcome => ({
  exit: refusedExit(result),
  human: renderEligibility(result),
  json: checkJson(result),
});

/**
 * Delivers what a command just queued for its request, as `lifeline issue` promises (§8): up to 20 s,
 * not waiting for deliveries that back off longer than 3 s. Whatever is left, `lifeline worker` (or
 * `serve`) finishes. `--no-deliver` leaves everything to the worker.
 */
async function deliverNow(app: App, view: RequestView, enabled: boolean | undefined): Promise<RequestView> {
  if (enabled === false || !view.deliveries.some((d) => d.status === 'queued')) return view;
  await runWorker(app, {
    drain: true,
    requestId: view.request.id,
    maxWaitMs: 3_000,
    pollMs: 100,
    signal: AbortSignal.timeout(20_000),
  });
  return unwrap(await lookupById(app.ports, view.request.id));
}

function viewOutcome(
  view: RequestView,
  existing: boolean,
  headline: string,
  exit: CommandOutcome['exit'] = EXIT.OK,
): CommandOutcome {
  return { exit, human: `${headline}\n${renderView(view)}`, json: recordJson(view, existing) };
}

/** Commands that sign a license say once that the key is a development key (when it is). */
const SIGNS = { warnings: true } as const;

export function check(o: RequestOptions): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const result = unwrap(await checkRequest(issueInput(o, app), app.ports, app.settings));
    return { exit: refusedExit(result), human: renderEligibility(result), json: checkJson(result) };
  });
}

export function issue(o: RequestOptions): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const outcome = unwrap(await issueEmergencyLicense(issueInput(o, app), app.ports, app.settings));
    switch (outcome.kind) {
      case 'issued':
        return viewOutcome(
          await deliverNow(app, outcome.view, o.deliver),
          false,
          'Emergency license issued.',
        );
      case 'existing':
        return viewOutcome(
          await deliverNow(app, outcome.view, o.deliver),
          true,
          `Ticket ${outcome.view.request.ticketId} already has request ${outcome.view.request.id}; nothing new was issued.`,
        );
      case 'pending_approval':
        return viewOutcome(
          await deliverNow(app, outcome.view, o.deliver),
          false,
          'Override recorded; the request waits for approval by licensing.',
        );
      case 'failed':
        return viewOutcome(
          await deliverNow(app, outcome.view, o.deliver),
          false,
          'No license could be generated; the failure is recorded.',
          EXIT.INFRA,
        );
      case 'refused':
        return {
          exit: refusedExit(outcome.eligibility),
          human:
            renderEligibility(outcome.eligibility) +
            (outcome.view ? `\nRecorded as ${outcome.view.request.id}.` : ''),
          json: { ...checkJson(outcome.eligibility), id: outcome.view?.request.id ?? null },
        };
    }
  }, SIGNS);
}

export function lookup(o: {
  email?: string;
  ticket?: string;
  id?: string;
  fingerprint?: string;
}): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const email = emailArg(o.email, '--email');
    const ticket = ticketArg(o.ticket).id;
    const views = unwrap(
      await lookupRequests(app.ports, {
        ...(email ? { email } : {}),
        ...(ticket ? { ticketId: ticket } : {}),
        ...(o.id ? { id: o.id } : {}),
        ...(o.fingerprint ? { fingerprint: o.fingerprint } : {}),
      }),
    );
    // The embedded default keeps tracker issues, chat posts and ticket notes locally: show them.
    const local = await Promise.all(
      views.map((v) => app.ports.localRecords.list(v.request.id, v.request.ticketId)),
    );
    return {
      exit: views.length ? EXIT.OK : EXIT.REFUSED,
      human: views.length
        ? views.map((v, i) => renderView(v) + renderLocalRecords(local[i] ?? [])).join('\n\n')
        : 'No request matches.',
      json: {
        requests: views.map((v, i) => ({ ...recordJson(v, true), localRecords: local[i] ?? [] })),
      },
    };
  });
}

export function resend(
  id: string,
  o: { to?: string; by?: string; role?: string; deliver?: boolean },
): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const view = unwrap(
      await resendLicense(
        { requestId: id, actor: actorFrom(o, 'engineer'), to: emailArg(o.to, '--to') ?? null },
        app.ports,
        app.settings,
      ),
    );
    return viewOutcome(await deliverNow(app, view, o.deliver), true, 'Resend queued.');
  });
}

export function retry(id: string, o: { by?: string; deliver?: boolean }): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const outcome = unwrap(
      await retryRequest({ requestId: id, actor: actorFrom(o, 'engineer') }, app.ports, app.settings),
    );
    if (outcome.kind === 'refused') return refusedOutcome(outcome.eligibility);
    return viewOutcome(
      await deliverNow(app, outcome.view, o.deliver),
      false,
      outcome.kind === 'issued' ? 'Retried: license issued.' : 'Retried: still failing.',
      outcome.kind === 'issued' ? EXIT.OK : EXIT.INFRA,
    );
  }, SIGNS);
}

/** `void`, `approve`, `reject` (approving signs the license). */
export function decide(
  name: 'void' | 'approve' | 'reject',
): (
  id: string,
  o: { reason?: string; by?: string; today?: string; deliver?: boolean },
) => Promise<CommandOutcome> {
  return (id, o) =>
    withApp(
      async (app) => {
        // The CLI is an operator's tool on the server: decisions are taken with the licensing role.
        const today = parseToday(o.today, app);
        const input = {
          requestId: id,
          actor: actorFrom(o, 'licensing'),
          reason: o.reason ?? null,
          ...(today ? { today } : {}),
        };
        const view =
          name === 'approve'
            ? unwrap(await approveRequest(input, app.ports, app.settings))
            : name === 'reject'
              ? unwrap(await rejectRequest(input, app.ports))
              : unwrap(await voidRequest(input, app.ports));
        return viewOutcome(
          await deliverNow(app, view, o.deliver),
          true,
          `Request ${name === 'void' ? 'voided' : `${name}d`}.`,
        );
      },
      name === 'approve' ? SIGNS : {},
    );
}

/** `replace`: voids the license if needed and issues (signs) a new one for the same ticket. */
export function replace(
  id: string,
  o: { reason: string; email?: string; seats?: string; by?: string; today?: string; deliver?: boolean },
): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const today = parseToday(o.today, app);
    const outcome = unwrap(
      await replaceRequest(
        {
          requestId: id,
          actor: actorFrom(o, 'licensing'),
          reason: o.reason,
          ...(o.email !== undefined ? { requesterEmail: emailArg(o.email, '--email') } : {}),
          ...(o.seats !== undefined ? { seats: numberArg(o.seats, '--seats') } : {}),
          ...(today ? { today } : {}),
        },
        app.ports,
        app.settings,
      ),
    );
    if (outcome.kind === 'refused') return refusedOutcome(outcome.eligibility);
    return viewOutcome(
      await deliverNow(app, outcome.view, o.deliver),
      false,
      `Replaced ${id}: new license issued as ${outcome.view.request.id}.`,
    );
  }, SIGNS);
}
