/**
 * The delivery worker loop, used by `lifeline worker` (and later inside `lifeline serve`): claims due
 * deliveries until stopped, or with `drain` until nothing is due or waiting in backoff.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { App } from '../../app.js';
import {
  DEFAULT_WORKER_SETTINGS,
  runDueDeliveries,
  type DeliveryResult,
  type WorkerSettings,
} from '../../core/deliveries/worker.js';

export interface WorkerOptions {
  drain?: boolean;
  /** Only this request's deliveries (how `lifeline issue` delivers what it just issued). */
  requestId?: string;
  /** With `drain`: stop waiting for deliveries in backoff that are due later than this (ms from now). */
  maxWaitMs?: number;
  /** Stops the loop (after the batch in hand finishes). */
  signal?: AbortSignal;
  /** Longest sleep between polls when nothing is due. */
  pollMs?: number;
  settings?: Partial<WorkerSettings>;
  onResult?: (result: DeliveryResult) => void;
  /**
   * Called when a round fails (e.g. the database is unreachable or restarting), with the pause before
   * the next try; by default a line on stderr. The loop keeps going (with `drain`, it gives up after
   * DRAIN_GIVE_UP_AFTER failures in a row).
   */
  onError?: (error: unknown, retryInMs: number) => void;
  /** Called once the store answers again after failures. */
  onRecovered?: (failures: number) => void;
}

/** Pauses after failed rounds: 1 s, 2 s, 4 s … up to 30 s (±20 % jitter), reset by a good round. */
export const ERROR_BACKOFF_MS = { base: 1_000, max: 30_000 };
export const DRAIN_GIVE_UP_AFTER = 5;

/** A short description of a failure for the log: a code and a message, never a query or its values. */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return `${typeof code === 'string' ? `${code}: ` : ''}${message.split('\n')[0]?.slice(0, 200) ?? ''}`;
}

function defaultOnError(error: unknown, retryInMs: number): void {
  process.stderr.write(
    `warning: the delivery worker failed (${describeFailure(error)}); retrying in ${(retryInMs / 1000).toFixed(1)} s\n`,
  );
}

function defaultOnRecovered(failures: number): void {
  process.stderr.write(`info: the delivery worker is running again after ${failures} failed round(s)\n`);
}

export interface WorkerSummary {
  sent: number;
  failed: number;
  unknown: number;
  retried: number;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function workerSettings(app: App, overrides: Partial<WorkerSettings> = {}): WorkerSettings {
  return {
    ...DEFAULT_WORKER_SETTINGS,
    workerId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    mail: {
      from: app.config.mail.from,
      ...(app.config.mail.replyTo ? { replyTo: app.config.mail.replyTo } : {}),
      ticketUrlBase: app.settings.ticketUrlBase ?? null,
    },
    ...overrides,
  };
}

export async function runWorker(app: App, options: WorkerOptions = {}): Promise<WorkerSummary> {
  const settings = workerSettings(app, options.settings);
  const ports = {
    store: app.ports.store,
    clock: app.ports.clock,
    ids: app.ports.ids,
    channels: app.channels,
  };
  const summary: WorkerSummary = { sent: 0, failed: 0, unknown: 0, retried: 0 };
  const pollMs = options.pollMs ?? 1_000;
  let failures = 0;
  while (!options.signal?.aborted) {
    let pause: number;
    try {
      const results = await runDueDeliveries(ports, settings, options.requestId);
      for (const r of results) {
        if (r.status === 'queued') summary.retried++;
        else summary[r.status]++;
        options.onResult?.(r);
      }
      if (failures > 0) (options.onRecovered ?? defaultOnRecovered)(failures);
      failures = 0;
      if (results.length > 0) continue;
      const pending = await app.ports.store.pendingDeliveries(options.requestId);
      if (options.drain && pending.count === 0) break;
      const untilDue = pending.nextDueAt
        ? Date.parse(pending.nextDueAt) - app.ports.clock.now().getTime()
        : pollMs;
      pause = Math.min(pollMs, Math.max(untilDue, 20));
    } catch (error) {
      // A lost database connection (restart, failover, network) must not stop the worker, nor make
      // it spin: log, wait longer each time, and try again. Deliveries claimed in the failed round
      // are taken over when their lease expires.
      failures++;
      if (options.drain && failures >= DRAIN_GIVE_UP_AFTER) throw error;
      const exponential = Math.min(ERROR_BACKOFF_MS.max, ERROR_BACKOFF_MS.base * 2 ** (failures - 1));
      pause = Math.round(exponential * (0.8 + 0.4 * Math.random()));
      (options.onError ?? defaultOnError)(error, pause);
    }
    await sleep(pause, options.signal);
  }
  return summary;
}
