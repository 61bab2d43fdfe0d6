/** `migrate`, `doctor`, `audit verify`. */
import { redactedConfig } from '../../config.js';
import { CHANNELS, portOf } from '../../core/deliveries/channels/index.js';
import { EXIT, LifelineError } from '../../core/errors.js';
import type { App } from '../../app.js';
import { openApp, withApp, type OpenAppOptions } from '../context.js';
import type { CommandOutcome } from '../output.js';
import { runWorker } from '../../interfaces/worker/run-worker.js';

export function migrate(): Promise<CommandOutcome> {
  return withApp(
    async (app) => {
      const { applied } = await app.ports.maintenance.migrate();
      return {
        exit: EXIT.OK,
        human: applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.',
        json: { applied },
      };
    },
    { migrate: false },
  );
}

/** A doctor's finding: a warning is said but does not fail the check-up (exit 0). */
type CheckStatus = 'ok' | 'warning' | 'fail';
const STATUS_LABEL: Record<CheckStatus, string> = { ok: 'ok  ', warning: 'WARN', fail: 'FAIL' };

export function doctor(): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const checks: { name: string; status: CheckStatus; detail: string }[] = [];
    checks.push({ name: 'configuration', status: 'ok', detail: `environment ${app.config.env}` });
    checks.push({
      name: 'signing key',
      // A development key is for trying Lifeline out: a warning there, a failure in production.
      status: !app.ports.signer.development ? 'ok' : app.config.env === 'production' ? 'fail' : 'warning',
      detail: app.ports.signer.development
        ? 'development key: real GitLab instances will not accept its licenses (set LIFELINE_SIGNING_KEY_FILE)'
        : 'configured private key loaded',
    });
    checks.push({
      name: 'verification keys',
      status: 'ok',
      detail: `${app.ports.verifier.publicKeys.length} public key(s)`,
    });
    const audit = await app.ports.store.verifyAudit();
    checks.push({
      name: 'database',
      status: 'ok',
      detail: `${app.ports.maintenance.dialect} reachable, migrations applied`,
    });
    checks.push({
      name: 'audit trail',
      status: audit.ok ? 'ok' : 'fail',
      detail: audit.ok
        ? `${audit.entries} entries, chain intact`
        : `broken at entry ${audit.brokenAt?.seq}: ${audit.brokenAt?.reason}`,
    });
    // Each integration for real: SMTP greeting and auth, GitLab project and label, Slack auth, Zendesk auth.
    const integrations: [string, () => Promise<string>][] = CHANNELS.map((channel) => [
      channel.integration,
      () => (channel.verify as (port: unknown) => Promise<string>)(portOf(app.channels, channel)),
    ]);
    for (const [name, verify] of integrations) {
      try {
        checks.push({ name, status: 'ok', detail: await verify() });
      } catch (error) {
        checks.push({
          name,
          status: 'fail',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const ok = checks.every((c) => c.status !== 'fail');
    return {
      exit: ok ? EXIT.OK : EXIT.CONFIG,
      human: checks.map((c) => `${STATUS_LABEL[c.status]}  ${c.name}: ${c.detail}`).join('\n'),
      json: {
        ok,
        warnings: checks.filter((c) => c.status === 'warning').length,
        checks,
        config: redactedConfig(app.config),
      },
    };
  });
}

export function auditVerify(): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const result = await app.ports.store.verifyAudit();
    return {
      exit: result.ok ? EXIT.OK : EXIT.REFUSED,
      human: result.ok
        ? `Audit trail intact: ${result.entries} entries.`
        : `Audit trail BROKEN at entry ${result.brokenAt?.seq}: ${result.brokenAt?.reason}.`,
      json: result,
    };
  });
}

/** How long a starting `lifeline worker` waits for an unreachable database (e.g. one restarting). */
export const WORKER_START_WAIT_MS = 60_000;

/**
 * openApp, except that a long-running process (`worker`, `serve`) waits for a database that cannot be
 * reached yet (it is restarting, or starts after them), retrying with a growing pause up to
 * WORKER_START_WAIT_MS, instead of exiting at once. Other errors (configuration, keys) end it at once.
 */
export async function openAppWhenReachable(wait = true, options: OpenAppOptions = {}): Promise<App> {
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

export function worker(o: {
  drain?: boolean;
  json?: boolean;
  leaseSeconds: string;
  batchSize: string;
}): Promise<CommandOutcome> {
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
}
