/**
 * How every command reports: human text by default, one JSON object with --json, and an exit code
 * from the single table in src/core/errors.ts.
 */
import { CODES, EXIT, LifelineError, exitCodeOf, type Code, type ExitCode } from '../core/errors.js';
import { DomainFailure } from '../core/outcome.js';

export interface OutputOptions {
  json?: boolean;
}

/** A command's result: what to print for people, what to print for scripts, and the exit code. */
export interface CommandOutcome {
  exit: ExitCode;
  human: string;
  json: unknown;
  /** Print `human` exactly as it is (no newline added), e.g. a license text. */
  raw?: boolean;
}

const withNewline = (text: string): string => (text.endsWith('\n') ? text : text + '\n');

export function print(outcome: CommandOutcome, options: OutputOptions): void {
  if (options.json) process.stdout.write(JSON.stringify(outcome.json, null, 2) + '\n');
  else if (outcome.raw) process.stdout.write(outcome.human);
  else if (outcome.human) process.stdout.write(withNewline(outcome.human));
}

/** A refusal or failure to report with its code; the command stops with the code's exit status. */
export function failure(code: Code, message: string, extra: Record<string, unknown> = {}): CommandOutcome {
  return {
    exit: exitCodeOf(code),
    human: `error [${code}]: ${message}`,
    json: { error: { code, message, ...extra } },
  };
}

function render(outcome: CommandOutcome, options: OutputOptions): void {
  if (!options.json && outcome.exit !== EXIT.OK) process.stderr.write(withNewline(outcome.human));
  else print(outcome, options);
}

/**
 * Wraps a command action and reports its outcome exactly once: with --json one JSON object on
 * stdout (success or not), otherwise the human text on stdout, or on stderr for a failure. Sets the
 * exit code. Errors thrown are reported with their code; nothing escapes as a stack trace.
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
    try {
      render(outcome, options);
    } catch (error) {
      // e.g. JSON nested too deeply to print: still one coded report
      outcome = fromError(error);
      render(outcome, options);
    }
    process.exitCode = outcome.exit;
  };
}

/**
 * `action` for a command whose implementation lives in a module imported only when the command
 * runs, so that registering every command (and printing the help) loads none of them.
 */
export function lazyAction<M, A extends unknown[]>(
  load: () => Promise<M>,
  pick: (module: M) => (...args: A) => Promise<CommandOutcome> | CommandOutcome,
): (...args: A) => Promise<void> {
  return action(async (...args: A) => pick(await load())(...args));
}

export function fromError(error: unknown): CommandOutcome {
  if (error instanceof DomainFailure) {
    const { code, message, field } = error.error;
    return failure(code, message, field ? { field } : {});
  }
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
