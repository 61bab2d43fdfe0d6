/**
 * `check`, `issue`, `lookup`, `resend`, `retry`, `void`, `replace`, `approve`, `reject`: their options
 * and help; src/cli/commands/requests.ts, loaded when one runs, does the work.
 */
import type { Command } from 'commander';
import { lazyAction } from '../output.js';
import { overridableRuleNumbers } from '../../core/eligibility/override.js';
import { OVERRIDE_REASON_MIN_LENGTH } from '../../core/limits.js';

const load = () => import('../commands/requests.js');

function addRequestOptions(command: Command): Command {
  return command
    .requiredOption('--ticket <id>', "the support ticket id (50300, #50300 or the ticket's link)")
    .requiredOption(
      '--email <email>',
      "the ticket requester's email (receives the license; 'Name <addr>' is read too)",
    )
    .requiredOption('--seats <n>', 'seats (active users) for the emergency license (1200 or 1,200)')
    .option('--previous-license <file>', "the customer's expired license file (the strongest evidence)")
    .option('--plan <plan>', 'previous plan from the screenshots: starter, premium or ultimate')
    .option('--expires-at <date>', 'previous expiry date from the screenshots (YYYY-MM-DD)')
    .option('--previous-seats <n>', "previous license's seats")
    .option('--maximum-users <n>', '"Maximum users" from the Admin Area dashboard')
    .option('--billable-users <n>', '"Billable users" from the Admin Area dashboard')
    .option('--evidence-id <id>', 'screenshots read by Lifeline (evd_…), recorded with the request')
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

export function registerRequestCommands(program: Command): void {
  addRequestOptions(
    program.command('check').description('eligibility only; nothing is issued or stored'),
  ).action(lazyAction(load, (m) => m.check));

  addRequestOptions(
    program.command('issue').description('issue an emergency license and queue its deliveries'),
  ).action(lazyAction(load, (m) => m.issue));

  program
    .command('lookup')
    .description('find requests by customer email, ticket, record id or license fingerprint')
    .option('--email <email>')
    .option('--ticket <id>')
    .option('--id <id>')
    .option('--fingerprint <sha256>')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.lookup));

  program
    .command('resend <id>')
    .description('send the same license again (licensing may give another address)')
    .option('--to <email>', 'another address (licensing only)')
    .option('--by <name>')
    .option('--role <role>', 'engineer or licensing', 'engineer')
    .option('--no-deliver', 'only queue the deliveries; `lifeline worker` sends them')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.resend));

  program
    .command('retry <id>')
    .description(
      'run a failed request again (only when no license was generated; on its own decision date, up to 7 days after it)',
    )
    .option('--by <name>')
    .option('--no-deliver', 'only queue the deliveries; `lifeline worker` sends them')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.retry));

  const decision = (name: 'void' | 'approve' | 'reject', describe: string): void => {
    program
      .command(`${name} <id>`)
      .description(describe)
      .option('--reason <text>', name === 'approve' ? 'why (optional)' : 'why (required)')
      .option('--by <name>', 'who decides (default: the OS user)')
      .option('--today <date>')
      .option('--no-deliver', 'only queue the deliveries; `lifeline worker` sends them')
      .option('--json', 'print one JSON object')
      .action(lazyAction(load, (m) => m.decide(name)));
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
    .action(lazyAction(load, (m) => m.replace));
  decision('approve', 'approve an override waiting for licensing; the license is generated now');
  decision('reject', 'reject an override waiting for licensing');
}
