/**
 * The `lifeline` command line: one program. Only the commands' options and help are registered here
 * (src/cli/register/); each command imports its implementation (src/cli/commands/) when it runs, so
 * `--help`, `--version` and the light commands load nothing they do not use.
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from '../core/errors.js';
import { registerEvidenceCommands } from './register/evidence.js';
import { registerKeyCommands } from './register/keys.js';
import { registerLicenseCommands } from './register/license.js';
import { registerMaintenanceCommands } from './register/maintenance.js';
import { registerOperationCommands, registerWorkerCommand } from './register/operations.js';
import { registerRequestCommands } from './register/requests.js';
import { registerLoginLinkCommand, registerServeCommand, registerTokenCommands } from './register/serve.js';
import { EMERGENCY_TERM_DAYS } from '../core/limits.js';

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
  registerLicenseCommands(program);
  registerRequestCommands(program);
  registerOperationCommands(program);
  registerMaintenanceCommands(program);
  registerWorkerCommand(program);
  registerServeCommand(program);
  registerTokenCommands(program);
  registerLoginLinkCommand(program);
  registerEvidenceCommands(program);
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

// Not awaited at the top level: bin/lifeline.js runs the bundled CLI as CommonJS (main settles the
// exit code itself and reports every error).
void main(process.argv);
