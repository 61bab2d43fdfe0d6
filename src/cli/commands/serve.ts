/**
 * `lifeline serve` (the HTTP API and the delivery worker in one process) and `lifeline tokens`
 * (API tokens: create, list, revoke).
 */
import type { Command } from 'commander';
import {
  countTokens,
  createToken,
  listTokens,
  revokeToken,
  TOKEN_ROLES,
} from '../../adapters/store/tokens.js';
import { EXIT, LifelineError } from '../../core/errors.js';
import type { Role } from '../../core/ports.js';
import { createHttpServer } from '../../interfaces/http/server.js';
import { runWorker } from '../../interfaces/worker/run-worker.js';
import { openApp, withApp } from '../context.js';
import { action } from '../output.js';

function roleArg(value: string | undefined): Role {
  if (!value || !TOKEN_ROLES.includes(value as Role)) {
    throw new LifelineError('USAGE', `--role must be one of ${TOKEN_ROLES.join(', ')}`);
  }
  return value as Role;
}

function nameArg(value: string | undefined): string {
  const name = (value ?? '').trim();
  if (name === '' || name.length > 100 || [...name].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new LifelineError('USAGE', '--name must be 1 to 100 printable characters');
  }
  return name;
}

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
    .action(
      action(async (o: { role?: string; name?: string }) => {
        const role = roleArg(o.role);
        const name = nameArg(o.name);
        return withApp(async (app) => {
          const { token, secret } = await createToken(app.store.db, { name, role });
          return {
            exit: EXIT.OK,
            human: `Token ${token.id} (${role}, ${name}) created. Its secret, shown only now:\n${secret}`,
            json: { ...token, secret },
          };
        });
      }),
    );
  tokens
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--json', 'print one JSON object')
    .action(
      action(async () =>
        withApp(async (app) => {
          const all = await listTokens(app.store.db);
          return {
            exit: EXIT.OK,
            human: all.length
              ? all
                  .map(
                    (t) =>
                      `${t.id}  ${t.role.padEnd(9)} ${t.prefix}…  ${t.name}  created ${t.createdAt}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}`,
                  )
                  .join('\n')
              : 'No API tokens.',
            json: { tokens: all },
          };
        }),
      ),
    );
  tokens
    .command('revoke <id>')
    .description('revoke an API token')
    .option('--json', 'print one JSON object')
    .action(
      action(async (id: string) =>
        withApp(async (app) => {
          if (!(await revokeToken(app.store.db, id))) {
            throw new LifelineError('NOT_FOUND', `no live token ${JSON.stringify(id.slice(0, 64))}`);
          }
          return { exit: EXIT.OK, human: `Token ${id} revoked.`, json: { id, revoked: true } };
        }),
      ),
    );
}

function portArg(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535) throw new LifelineError('USAGE', '--port must be 0 to 65535');
  return port;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API and the delivery worker')
    .option('--host <host>', 'address to listen on (default HOST)')
    .option('--port <port>', 'port to listen on, 0 for any free one (default PORT)')
    .option('--log', 'log requests as JSON (pino) on stdout')
    .action(
      action(async (o: { host?: string; port?: string; log?: boolean }) => {
        const app = await openApp();
        const port = portArg(o.port, app.config.http.port);
        const host = o.host ?? app.config.http.host;
        const server = await createHttpServer(app, { logger: o.log === true });
        const stop = new AbortController();
        let worker: Promise<unknown> = Promise.resolve();
        try {
          if (app.config.database.kind === 'sqlite' && (await countTokens(app.store.db)) === 0) {
            const { secret } = await createToken(app.store.db, { name: 'admin', role: 'admin' });
            process.stdout.write(
              `One-time admin login (shown only now; create more with \`lifeline tokens create\`):\n  Authorization: Bearer ${secret}\n`,
            );
          }
          const address = await server.listen({ host, port });
          process.stdout.write(
            `Lifeline is listening on ${address} (API under ${address}/api/v1, docs at ${address}/docs)\n`,
          );
          worker = runWorker(app, { signal: stop.signal }).catch((error: unknown) => {
            process.stderr.write(
              `error [INTERNAL]: the delivery worker stopped: ${error instanceof Error ? error.message : String(error)}\n`,
            );
          });
          await new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
          });
          process.stdout.write('Stopping: finishing requests in flight and the current deliveries…\n');
        } finally {
          await server.close();
          stop.abort();
          await worker;
          await app.close();
        }
        return { exit: EXIT.OK, human: 'Stopped.', json: { stopped: true } };
      }),
    );
}
