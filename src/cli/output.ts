/**
 * How every command reports: human text by default, one JSON object with --json, and an exit code
 * from the single table in src/core/errors.ts.
 */
import { CODES, EXIT, LifelineError, exitCodeOf, type Code, type ExitCode } from '../core/errors.js';

export interface OutputOptions {
  json?: boolean;
}

/** A command's result: what to print for people, what to print for scripts, and the exit code. */
export interface CommandOutcome {
  exit: ExitCode;
  human: string;
  json: unknown;
}

export function print(outcome: CommandOutcome, options: OutputOptions): void {
  if (options.json) process.stdout.write(JSON.stringify(outcome.json, null, 2) + '\n');
  else if (outcome.human)
    process.stdout.write(outcome.human.endsWith('\n') ? outcome.human : outcome.human + '\n');
}

/** A refusal or failure to report with its code; the command stops with the code's exit status. */
export function failure(code: Code, message: string, extra: Record<string, unknown> = {}): CommandOutcome {
  return {
    exit: exitCodeOf(code),
    human: `error [${code}]: ${message}`,
    json: { error: { code, message, ...extra } },
  };
}

/**
 * Wraps a command action: runs it, prints its outcome and sets the exit code. Errors thrown are
 * reported with their code; nothing unexpected escapes as a stack trace.
 */
export function action<A extends unknown[]>(
  run: (...args: A) => Promise<CommandOutcome> | CommandOutcome,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // commander passes (…arguments, options, command): options are second to last.
    const options = (args[args.length - 2] ?? {}) as OutputOptions;
    let outcome: CommandOutcome;
    try {
      outcome = await run(...args);
    } catch (error) {
      outcome = fromError(error);
    }
    if (outcome.exit !== EXIT.OK && !options.json) {
      process.stderr.write(outcome.human.endsWith('\n') ? outcome.human : outcome.human + '\n');
    } else {
      print(outcome, options);
    }
    process.exitCode = outcome.exit;
  };
}

export function fromError(error: unknown): CommandOutcome {
  if (error instanceof LifelineError) {
    return failure(error.code, error.message, error.options.field ? { field: error.options.field } : {});
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exit: CODES.INTERNAL.exit,
    human: `error [INTERNAL]: ${message}`,
    json: { error: { code: 'INTERNAL', message } },
  };
}
