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
    },
    ...overrides,
  };
}

export async function runWorker(app: App, options: WorkerOptions = {}): Promise<WorkerSummary> {
  const settings = workerSettings(app, options.settings);
  const ports = { store: app.store, clock: app.ports.clock, ids: app.ports.ids, channels: app.channels };
  const summary: WorkerSummary = { sent: 0, failed: 0, unknown: 0, retried: 0 };
  const pollMs = options.pollMs ?? 1_000;
  while (!options.signal?.aborted) {
    const results = await runDueDeliveries(ports, settings, options.requestId);
    for (const r of results) {
      if (r.status === 'queued') summary.retried++;
      else summary[r.status]++;
      options.onResult?.(r);
    }
    if (results.length > 0) continue;
    const pending = await app.store.pendingDeliveries();
    if (options.drain && pending.count === 0) break;
    const untilDue = pending.nextDueAt
      ? Date.parse(pending.nextDueAt) - app.ports.clock.now().getTime()
      : pollMs;
    await sleep(Math.min(pollMs, Math.max(untilDue, 20)), options.signal);
  }
  return summary;
}
