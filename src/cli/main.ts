/** The `lifeline` command line: one program, each command group in its own module. */
import { Command, CommanderError } from 'commander';
import { EXIT } from '../core/errors.js';
import { EMERGENCY_TERM_DAYS } from '../core/limits.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerLicenseCommands } from './commands/license.js';
import { registerMaintenanceCommands } from './commands/maintenance.js';
import { registerOperationCommands, registerWorkerCommand } from './commands/operations.js';
import { registerRequestCommands } from './commands/requests.js';
import { registerLoginLinkCommand, registerServeCommand, registerTokenCommands } from './commands/serve.js';
import { lookupIssuedLicense } from './context.js';
import type { EvidenceReadOptions } from './commands/evidence.js';
import { action } from './output.js';

export function buildProgram(): Command {
  const program = new Command('lifeline')
    .description(
      `Emergency ${EMERGENCY_TERM_DAYS}-day GitLab licenses for self-managed customers, from the support ticket.`,
    )
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerKeyCommands(program);
  registerLicenseCommands(program, { lookupFingerprint: lookupIssuedLicense });
  registerRequestCommands(program);
  registerOperationCommands(program);
  registerMaintenanceCommands(program);
  registerWorkerCommand(program);
  registerServeCommand(program);
  registerTokenCommands(program);
  registerLoginLinkCommand(program);
  // Lazy: the OCR (tesseract.js, sharp) is imported only when `evidence read` runs.
  program
    .command('evidence')
    .description("read customers' GitLab screenshots")
    .command('read')
    .description(
      'read plan, dates and user counts from screenshots (PNG, JPEG, WebP); exit 0 read, 1 nothing',
    )
    .argument('<image...>', 'screenshot files')
    .option('--json', 'print the evidence as JSON')
    .option('--timeout <seconds>', 'OCR time limit per image (default 20)')
    .action(
      action(async (images: string[], o: EvidenceReadOptions) =>
        (await import('./commands/evidence.js')).evidenceRead(images, o),
      ),
    );
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      process.exitCode = benign ? EXIT.OK : EXIT.USAGE;
      return;
    }
    process.stderr.write(`error [INTERNAL]: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.INFRA;
  }
}

await main(process.argv);
