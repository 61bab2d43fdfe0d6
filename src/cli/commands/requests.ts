/** `check`, `issue`, `lookup`, `resend`, `retry`, `void`, `approve`, `reject` (PRODUCT.md §8). */
import type { Command } from 'commander';
import { EXIT, exitCodeOf, type Code } from '../../core/errors.js';
import { overridableRuleNumbers, type EligibilityResult } from '../../core/eligibility/index.js';
import { OVERRIDE_REASON_MIN_LENGTH } from '../../core/limits.js';
import { checkRequest, issueEmergencyLicense, type IssueInput } from '../../core/issuance/issue.js';
import {
  approveRequest,
  lookupRequests,
  rejectRequest,
  resendLicense,
  lookupById,
  retryRequest,
  voidRequest,
} from '../../core/issuance/manage.js';
import type { App } from '../../app.js';
import { runWorker } from '../../interfaces/worker/run-worker.js';
import { recordJson, type RequestView } from '../../core/issuance/view.js';
import { replaceRequest } from '../../core/issuance/replace.js';
import { actorFrom, numberArg, parseToday, readLicenseFile, withApp } from '../context.js';
import { action, type CommandOutcome } from '../output.js';
import { renderEligibility, renderLocalRecords, renderView } from '../render.js';
import { listLocalRecords } from '../../adapters/local/local-channels.js';

interface RequestOptions {
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
  engineer?: string;
  ticketUrl?: string;
  today?: string;
  overrideReason?: string;
  role?: string;
  json?: boolean;
}

function addRequestOptions(command: Command): Command {
  return command
    .requiredOption('--ticket <id>', 'the support ticket id')
    .requiredOption('--email <email>', "the ticket requester's email (receives the license)")
    .requiredOption('--seats <n>', 'seats (active users) for the emergency license')
    .option('--previous-license <file>', "the customer's expired license file (the strongest evidence)")
    .option('--plan <plan>', 'previous plan from the screenshots: starter, premium or ultimate')
    .option('--expires-at <date>', 'previous expiry date from the screenshots (YYYY-MM-DD)')
    .option('--previous-seats <n>', "previous license's seats")
    .option('--maximum-users <n>', '"Maximum users" from the Admin Area dashboard')
    .option('--billable-users <n>', '"Billable users" from the Admin Area dashboard')
    .option('--engineer <name>', 'who issues it (default: the OS user)')
    .option('--ticket-url <url>', 'the ticket URL (default: under ZENDESK_URL when set)')
    .option('--today <date>', 'pin the decision date (only with LIFELINE_ALLOW_PINNED_DATES=true)')
    .option(
      '--override-reason <text>',
      `override refusals of rules ${overridableRuleNumbers()} (at least ${OVERRIDE_REASON_MIN_LENGTH} characters)`,
    )
    .option('--role <role>', 'engineer or licensing (an engineer override waits for approval)', 'engineer')
    .option('--no-deliver', 'only queue the deliveries; `lifeline worker` sends them')
    .option('--json', 'print one JSON object');
}

function issueInput(o: RequestOptions, app: App): IssueInput {
  const today = parseToday(o.today, app);
  return {
    request: {
      ticketId: o.ticket,
      ticketUrl: o.ticketUrl,
      requesterEmail: o.email,
      engineer: o.engineer,
      seats: numberArg(o.seats),
      plan: o.plan,
      expiresAt: o.expiresAt,
      previousSeats: numberArg(o.previousSeats),
      maximumUsers: numberArg(o.maximumUsers),
      billableUsers: numberArg(o.billableUsers),
    },
    previousLicenseText: o.previousLicense ? readLicenseFile(o.previousLicense) : null,
    overrideReason: o.overrideReason ?? null,
    actor: actorFrom(o, 'engineer'),
    ...(today ? { today } : {}),
  };
}

/** The `check` JSON shape of PRODUCT.md §8. */
export function checkJson(result: EligibilityResult): Record<string, unknown> {
  return {
    eligible: result.eligible,
    overridable: result.overridable,
    refusals: result.refusals,
    warnings: result.warnings,
    facts: result.facts,
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
  return lookupById(app.ports, view.request.id);
}

function viewOutcome(
  view: RequestView,
  existing: boolean,
  headline: string,
  exit: CommandOutcome['exit'] = EXIT.OK,
): CommandOutcome {
  return { exit, human: `${headline}\n${renderView(view)}`, json: recordJson(view, existing) };
}

export function registerRequestCommands(program: Command): void {
  addRequestOptions(
    program.command('check').description('eligibility only; nothing is issued or stored'),
  ).action(
    action(async (o: RequestOptions) =>
      withApp(async (app) => {
        const result = await checkRequest(issueInput(o, app), app.ports, app.settings);
        return { exit: refusedExit(result), human: renderEligibility(result), json: checkJson(result) };
      }),
    ),
  );

  addRequestOptions(
    program.command('issue').description('issue an emergency license and queue its deliveries'),
  ).action(
    action(async (o: RequestOptions) =>
      withApp(async (app) => {
        const outcome = await issueEmergencyLicense(issueInput(o, app), app.ports, app.settings);
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
      }),
    ),
  );

  program
    .command('lookup')
    .description('find requests by customer email, ticket, record id or license fingerprint')
    .option('--email <email>')
    .option('--ticket <id>')
    .option('--id <id>')
    .option('--fingerprint <sha256>')
    .option('--json', 'print one JSON object')
    .action(
      action(async (o: { email?: string; ticket?: string; id?: string; fingerprint?: string }) =>
        withApp(async (app) => {
          const views = await lookupRequests(app.ports, {
            ...(o.email ? { email: o.email } : {}),
            ...(o.ticket ? { ticketId: o.ticket } : {}),
            ...(o.id ? { id: o.id } : {}),
            ...(o.fingerprint ? { fingerprint: o.fingerprint } : {}),
          });
          // The embedded default keeps tracker issues, chat posts and ticket notes locally: show them.
          const local = await Promise.all(
            views.map((v) => listLocalRecords(app.store.db, v.request.id, v.request.ticketId)),
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
        }),
      ),
    );

  program
    .command('resend <id>')
    .description('send the same license again (licensing may give another address)')
    .option('--to <email>', 'another address (licensing only)')
    .option('--by <name>')
    .option('--role <role>', 'engineer or licensing', 'engineer')
    .option('--no-deliver', 'only queue the deliveries; `lifeline worker` sends them')
    .option('--json', 'print one JSON object')
    .action(
      action(async (id: string, o: { to?: string; by?: string; role?: string; deliver?: boolean }) =>
        withApp(async (app) => {
          const view = await resendLicense(
            { requestId: id, actor: actorFrom(o, 'engineer'), to: o.to ?? null },
            app.ports,
            app.settings,
          );
          return viewOutcome(await deliverNow(app, view, o.deliver), true, 'Resend queued.');
        }),
      ),
    );

  program
    .command('retry <id>')
    .description(
      'run a failed request again (only when no license was generated; on its own decision date, up to 7 days after it)',
    )
    .option('--by <name>')
    .option('--no-deliver', 'only queue the deliveries; `lifeline worker` sends them')
    .option('--json', 'print one JSON object')
    .action(
      action(async (id: string, o: { by?: string; deliver?: boolean }) =>
        withApp(async (app) => {
          const outcome = await retryRequest(
            { requestId: id, actor: actorFrom(o, 'engineer') },
            app.ports,
            app.settings,
          );
          if (outcome.kind === 'refused') return refusedOutcome(outcome.eligibility);
          return viewOutcome(
            await deliverNow(app, outcome.view, o.deliver),
            false,
            outcome.kind === 'issued' ? 'Retried: license issued.' : 'Retried: still failing.',
            outcome.kind === 'issued' ? EXIT.OK : EXIT.INFRA,
          );
        }),
      ),
    );

  const decision = (name: 'void' | 'approve' | 'reject', describe: string): void => {
    program
      .command(`${name} <id>`)
      .description(describe)
      .option('--reason <text>', name === 'approve' ? 'why (optional)' : 'why (required)')
      .option('--by <name>', 'who decides (default: the OS user)')
      .option('--today <date>')
      .option('--no-deliver', 'only queue the deliveries; `lifeline worker` sends them')
      .option('--json', 'print one JSON object')
      .action(
        action(async (id: string, o: { reason?: string; by?: string; today?: string; deliver?: boolean }) =>
          withApp(async (app) => {
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
                ? await approveRequest(input, app.ports, app.settings)
                : name === 'reject'
                  ? await rejectRequest(input, app.ports)
                  : await voidRequest(input, app.ports);
            return viewOutcome(
              await deliverNow(app, view, o.deliver),
              true,
              `Request ${name === 'void' ? 'voided' : `${name}d`}.`,
            );
          }),
        ),
      );
  };
  decision('void', 'void an issued license record (licensing); the file cannot be revoked on the instance');

  program
    .command('replace <id>')
    .description(
      'void a license (if needed) and issue a new one for the same ticket with a corrected address or seats (licensing)',
    )
    .requiredOption(
      '--reason <text>',
      `why (at least ${OVERRIDE_REASON_MIN_LENGTH} characters; it also overrides refusals of rules ${overridableRuleNumbers()})`,
    )
    .option('--email <email>', 'the corrected requester email')
    .option('--seats <n>', 'the corrected seats')
    .option('--by <name>', 'who replaces it (default: the OS user)')
    .option('--today <date>', 'pinned date for the new license (LIFELINE_ALLOW_PINNED_DATES only)')
    .option('--no-deliver', 'only queue the deliveries; `lifeline worker` sends them')
    .option('--json', 'print one JSON object')
    .action(
      action(
        async (
          id: string,
          o: {
            reason: string;
            email?: string;
            seats?: string;
            by?: string;
            today?: string;
            deliver?: boolean;
          },
        ) =>
          withApp(async (app) => {
            const today = parseToday(o.today, app);
            const outcome = await replaceRequest(
              {
                requestId: id,
                actor: actorFrom(o, 'licensing'),
                reason: o.reason,
                ...(o.email !== undefined ? { requesterEmail: o.email } : {}),
                ...(o.seats !== undefined ? { seats: numberArg(o.seats) } : {}),
                ...(today ? { today } : {}),
              },
              app.ports,
              app.settings,
            );
            if (outcome.kind === 'refused') return refusedOutcome(outcome.eligibility);
            return viewOutcome(
              await deliverNow(app, outcome.view, o.deliver),
              false,
              `Replaced ${id}: new license issued as ${outcome.view.request.id}.`,
            );
          }),
      ),
    );
  decision('approve', 'approve an override waiting for licensing; the license is generated now');
  decision('reject', 'reject an override waiting for licensing');
}
