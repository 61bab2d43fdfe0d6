/** `migrate`, `doctor`, `audit verify`. */
import type { Command } from 'commander';
import { redactedConfig } from '../../config.js';
import { EXIT, LifelineError } from '../../core/errors.js';
import type { App, CreateAppOptions } from '../../app.js';
import { openApp, withApp } from '../context.js';
import { action } from '../output.js';
import { runWorker } from '../../interfaces/worker/run-worker.js';

export function registerOperationCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also done on every start)')
    .option('--json', 'print one JSON object')
    .action(
      action(async () =>
        withApp(
          async (app) => {
            const { applied } = await app.store.migrate();
            return {
              exit: EXIT.OK,
              human: applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.',
              json: { applied },
            };
          },
          { migrate: false },
        ),
      ),
    );

  program
    .command('doctor')
    .description('check the configuration, keys and store, and say what is wrong in words')
    .option('--json', 'print one JSON object')
    .action(
      action(async () =>
        withApp(async (app) => {
          const checks: { name: string; ok: boolean; detail: string }[] = [];
          checks.push({ name: 'configuration', ok: true, detail: `environment ${app.config.env}` });
          checks.push({
            name: 'signing key',
            ok: !app.ports.signer.development || app.config.env !== 'production',
            detail: app.ports.signer.development
              ? 'development key: real GitLab instances will not accept its licenses'
              : 'configured private key loaded',
          });
          checks.push({
            name: 'verification keys',
            ok: true,
            detail: `${app.ports.verifier.publicKeys.length} public key(s)`,
          });
          const audit = await app.store.verifyAudit();
          checks.push({
            name: 'database',
            ok: true,
            detail: `${app.store.dialect} reachable, migrations applied`,
          });
          checks.push({
            name: 'audit trail',
            ok: audit.ok,
            detail: audit.ok
              ? `${audit.entries} entries, chain intact`
              : `broken at entry ${audit.brokenAt?.seq}: ${audit.brokenAt?.reason}`,
          });
          // Each integration for real: SMTP greeting and auth, GitLab project and label, Slack auth, Zendesk auth.
          const integrations: [string, () => Promise<string>][] = [
            ['mail', () => app.channels.mailer.verify()],
            ['tracker', () => app.channels.tracker.verify()],
            ['chat', () => app.channels.chat.verify()],
            ['tickets', () => app.channels.tickets.verify()],
          ];
          for (const [name, verify] of integrations) {
            try {
              checks.push({ name, ok: true, detail: await verify() });
            } catch (error) {
              checks.push({
                name,
                ok: false,
                detail: error instanceof Error ? error.message : String(error),
              });
            }
          }
          const ok = checks.every((c) => c.ok);
          return {
            exit: ok ? EXIT.OK : EXIT.CONFIG,
            human: checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`).join('\n'),
            json: { ok, checks, config: redactedConfig(app.config) },
          };
        }),
      ),
    );

  program
    .command('audit')
    .description('the audit trail')
    .command('verify')
    .description('check the hash chain; report the first broken link')
    .option('--json', 'print one JSON object')
    .action(
      action(async () =>
        withApp(async (app) => {
          const result = await app.store.verifyAudit();
          return {
            exit: result.ok ? EXIT.OK : EXIT.REFUSED,
            human: result.ok
              ? `Audit trail intact: ${result.entries} entries.`
              : `Audit trail BROKEN at entry ${result.brokenAt?.seq}: ${result.brokenAt?.reason}.`,
            json: result,
          };
        }),
      ),
    );
}

/** How long a starting `lifeline worker` waits for an unreachable database (e.g. one restarting). */
export const WORKER_START_WAIT_MS = 60_000;

/**
 * openApp, except that a long-running process (`worker`, `serve`) waits for a database that cannot be
 * reached yet (it is restarting, or starts after them), retrying with a growing pause up to
 * WORKER_START_WAIT_MS, instead of exiting at once. Other errors (configuration, keys) end it at once.
 */
export async function openAppWhenReachable(
  wait = true,
  options: CreateAppOptions & { warnings?: boolean } = {},
): Promise<App> {
  const deadline = Date.now() + WORKER_START_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openApp(options);
    } catch (error) {
      const pause = Math.min(1_000 * 2 ** (attempt - 1), 10_000);
      const retryable = error instanceof LifelineError && error.code === 'INFRASTRUCTURE' && error.retryable;
      if (!wait || !retryable || Date.now() + pause > deadline) throw error;
      process.stderr.write(`warning: ${error.message}; trying again in ${pause / 1000} s\n`);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

async function withReachableApp<T>(wait: boolean, run: (app: App) => Promise<T>): Promise<T> {
  const app = await openAppWhenReachable(wait);
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run the delivery worker (email, tracker, chat, ticket note); several may run at once')
    .option('--drain', 'exit once nothing is due or waiting in backoff')
    .option('--lease-seconds <n>', 'how long a claim holds before another worker may take it over', '120')
    .option('--batch-size <n>', 'deliveries claimed at a time', '20')
    .option('--json', 'print one JSON object')
    .action(
      action(async (o: { drain?: boolean; json?: boolean; leaseSeconds: string; batchSize: string }) => {
        const leaseSeconds = Number(o.leaseSeconds);
        const batchSize = Number(o.batchSize);
        if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1 || leaseSeconds > 3600) {
          throw new LifelineError('USAGE', '--lease-seconds must be a whole number from 1 to 3600');
        }
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 500) {
          throw new LifelineError('USAGE', '--batch-size must be a whole number from 1 to 500');
        }
        return withReachableApp(!o.drain, async (app) => {
          const stop = new AbortController();
          const onSignal = (): void => stop.abort();
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          try {
            const summary = await runWorker(app, {
              ...(o.drain ? { drain: true } : {}),
              signal: stop.signal,
              settings: { leaseMs: leaseSeconds * 1000, batchSize },
              onResult: (r) => {
                if (!o.json) {
                  process.stdout.write(
                    `${r.status.padEnd(7)} ${r.channel.padEnd(7)} ${r.id}${r.error ? `  ${r.error}` : ''}\n`,
                  );
                }
              },
            });
            return {
              exit: EXIT.OK,
              human: `Deliveries: ${summary.sent} sent, ${summary.failed} failed, ${summary.unknown} unknown, ${summary.retried} to retry.`,
              json: summary,
            };
          } finally {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
        });
      }),
    );
}
