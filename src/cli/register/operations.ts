/** `migrate`, `doctor`, `audit verify`, `worker` (src/cli/commands/operations.ts, loaded when one runs). */
import type { Command } from 'commander';
import { lazyAction } from '../output.js';

const load = () => import('../commands/operations.js');

export function registerOperationCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also done on every start)')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.migrate));

  program
    .command('doctor')
    .description('check the configuration, keys and store, and say what is wrong in words')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.doctor));

  program
    .command('audit')
    .description('the audit trail')
    .command('verify')
    .description('check the hash chain; report the first broken link')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.auditVerify));
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run the delivery worker (email, tracker, chat, ticket note); several may run at once')
    .option('--drain', 'exit once nothing is due or waiting in backoff')
    .option('--lease-seconds <n>', 'how long a claim holds before another worker may take it over', '120')
    .option('--batch-size <n>', 'deliveries claimed at a time', '20')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.worker));
}
