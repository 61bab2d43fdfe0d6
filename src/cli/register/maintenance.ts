/**
 * `deliveries`, `status`, `purge`, `backup`, `restore`: their options and help;
 * src/cli/commands/maintenance.ts, loaded when one runs, does the work.
 */
import type { Command } from 'commander';
import { lazyAction } from '../output.js';

const load = () => import('../commands/maintenance.js');

export function registerMaintenanceCommands(program: Command): void {
  const deliveries = program
    .command('deliveries')
    .description('failed deliveries and unknown-outcome emails that need a human (docs/runbook.md)');
  deliveries
    .command('list')
    .description('list the deliveries that need a human, oldest first')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.deliveriesList));
  for (const [name, description] of [
    [
      'retry',
      'queue a failed delivery (or an unknown-outcome email that did not arrive) again, as a new delivery',
    ],
    ['acknowledge', 'record that a human settled the delivery outside Lifeline (e.g. the email did arrive)'],
  ] as const) {
    deliveries
      .command(`${name} <delivery-id>`)
      .description(description)
      .requiredOption('--reason <text>', 'why (kept in the audit trail)')
      .option('--by <name>', 'who acts (default: the OS user)')
      .option('--json', 'print one JSON object')
      .action(lazyAction(load, (m) => m.deliveryDecision(name)));
  }

  program
    .command('status')
    .description('at a glance: outbox, deliveries that need a human, pending approvals, today')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.status));

  program
    .command('purge')
    .description("redact customers' personal data in requests older than the retention period")
    .option(
      '--older-than <duration>',
      'days (90), weeks (12w) or years (1y); default LIFELINE_RETENTION_DAYS',
    )
    .option('--dry-run', 'change nothing; report what would be redacted')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.purge));

  program
    .command('backup <file>')
    .description("copy the embedded SQLite database with SQLite's online backup (safe while Lifeline runs)")
    .option('--force', 'overwrite FILE if it exists')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.backup));

  program
    .command('restore <file>')
    .description('replace the embedded SQLite database with a backup (checked first); stop Lifeline before')
    .option('--force', 'replace a database that holds data or seems to be in use')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.restore));
}
