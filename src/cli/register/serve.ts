/**
 * `serve`, `tokens`, `login-link`: their options and help; src/cli/commands/serve.ts, loaded when
 * one runs, does the work (and loads the HTTP server only for `serve`).
 */
import type { Command } from 'commander';
import { lazyAction } from '../output.js';

const load = () => import('../commands/serve.js');

export function registerTokenCommands(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('API tokens of the HTTP API (shown once, stored hashed)');
  tokens
    .command('create')
    .description('create an API token with a role; the secret is printed once')
    .requiredOption('--role <role>', 'engineer, licensing or admin')
    .requiredOption('--name <name>', 'who or what uses it (recorded as the actor)')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.tokensCreate));
  tokens
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.tokensList));
  tokens
    .command('revoke <id>')
    .description('revoke an API token')
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.tokensRevoke));
}

export function registerLoginLinkCommand(program: Command): void {
  program
    .command('login-link')
    .description('print a one-time web console login link (valid 15 minutes, usable once)')
    .option('--role <role>', 'engineer, licensing or admin', 'admin')
    .option('--name <name>', 'who signs in with it (recorded as the actor)', 'admin')
    .option(
      '--base-url <url>',
      "where the console is reached (default: LIFELINE_PUBLIC_URL, else a running serve's address, else http://HOST:PORT)",
    )
    .option('--json', 'print one JSON object')
    .action(lazyAction(load, (m) => m.loginLink));
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API, the web console and (unless --no-worker) the delivery worker')
    .option('--host <host>', 'address to listen on (default HOST)')
    .option('--port <port>', 'port to listen on, 0 for any free one (default PORT)')
    .option('--log', 'log requests as JSON (pino) on stdout')
    .option('--no-login-link', 'do not print a one-time admin login link (embedded default)')
    .option('--lease-seconds <n>', 'how long a delivery claimed by this process holds (default 120)')
    .option('--no-worker', 'do not deliver in this process (run `lifeline worker` processes instead)')
    .option(
      '--processes <n>',
      'HTTP processes sharing the port, or "auto" for one per CPU (default 1: the API in this process)',
    )
    .action(lazyAction(load, (m) => m.serve));
}
