/**
 * `lifeline serve` delivers on a thread of its own, with its own database connection and a lower CPU
 * priority than the API (nice +DELIVERY_THREAD_NICE), so that issuing a license never waits behind
 * deliveries; on SQLite the thread's connection also does the checkpoints. If the thread cannot
 * start, the worker runs on the event loop; a thread lost while running is replaced after a second.
 * Figures: docs/performance.md.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { App } from '../../app.js';
import { threadModuleUrl } from '../../runtime/thread-module.js';
import { runWorker } from './run-worker.js';

/** How much lower the delivery thread's priority is than its process's (nice increment, Linux). */
export const DELIVERY_THREAD_NICE = 10;

/** What the thread is started with (structured-cloned: settings only, never a secret). */
export interface DeliveryThreadData {
  settings: { leaseMs?: number };
  niceIncrement: number;
  pollMs?: number;
}

/** The thread's message once its app is open: the nice value it runs at (null: unchanged). */
export interface DeliveryThreadMessage {
  kind: 'ready';
  nice: number | null;
}

/**
 * Raises the calling thread's nice value by `increment` (at most 19), on Linux, where the nice value
 * belongs to the thread (setpriority on its thread id). Returns the new value, or null where it
 * could not (another system, or /proc not mounted): the thread then runs at its process's priority.
 */
export function lowerThreadPriority(increment: number): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    const nice = Math.min(19, getPriority(tid) + increment);
    setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return null;
  }
}

export interface DeliveryThreadOptions {
  /** Stops the worker (after the deliveries in hand). */
  signal: AbortSignal;
  settings?: { leaseMs?: number };
  pollMs?: number;
  /** The thread module (tests); default: delivery-thread-main.js. */
  module?: URL;
  /** The thread's environment, which its configuration is read from (tests); default: the process's. */
  env?: Record<string, string>;
  /** Where warnings and errors are written (default: stderr). */
  log?: (line: string) => void;
  /** Called when a thread is ready, with its nice value (tests). */
  onReady?: (nice: number | null) => void;
}

type Outcome = { kind: 'stopped' } | { kind: 'failed-start' | 'lost'; reason: string };

/** How long a stopping thread may take to finish its deliveries before it is terminated. */
const STOP_TIMEOUT_MS = 150_000;

const describe = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 200) ?? '';

/** Runs the delivery worker on a thread until `signal` aborts (see the top of this file). */
export async function runWorkerOnThread(app: App, options: DeliveryThreadOptions): Promise<void> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const inEventLoop = (): Promise<unknown> =>
    runWorker(app, {
      signal: options.signal,
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    });
  // An in-memory database: another connection would not see it.
  const { database } = app.config;
  if (database.kind === 'sqlite' && database.path === ':memory:') {
    await inEventLoop();
    return;
  }
  while (!options.signal.aborted) {
    const outcome = await runThread(options, () => app.ports.maintenance.checkpoints('rare'));
    await app.ports.maintenance.checkpoints('normal').catch(() => undefined);
    if (outcome.kind === 'stopped') return;
    if (outcome.kind === 'failed-start') {
      log(`warning: the delivery thread could not start (${outcome.reason}); delivering on the event loop`);
      await inEventLoop();
      return;
    }
    log(`error [INTERNAL]: the delivery thread stopped (${outcome.reason}); starting another in 1 s`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 1000);
      function done(): void {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', done);
        resolve();
      }
      options.signal.addEventListener('abort', done, { once: true });
    });
  }
}

function runThread(options: DeliveryThreadOptions, onReady: () => Promise<void>): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const data: DeliveryThreadData = {
      settings: options.settings ?? {},
      niceIncrement: DELIVERY_THREAD_NICE,
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    };
    let worker: Worker;
    try {
      worker = new Worker(
        options.module ??
          threadModuleUrl('./delivery-thread-main.js', import.meta.url, 'the delivery thread'),
        { workerData: data, ...(options.env ? { env: options.env } : {}) },
      );
    } catch (error) {
      resolve({ kind: 'failed-start', reason: describe(error) });
      return;
    }
    let ready = false;
    let stopping = false;
    let lastError: string | null = null;
    let guard: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      stopping = true;
      worker.postMessage('stop');
      guard = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: DeliveryThreadMessage) => {
      if (message?.kind !== 'ready') return;
      ready = true;
      void onReady()
        .catch(() => undefined)
        .finally(() => options.onReady?.(message.nice));
    });
    worker.on('error', (error) => {
      lastError = describe(error);
    });
    worker.on('exit', (code) => {
      options.signal.removeEventListener('abort', onAbort);
      clearTimeout(guard);
      const reason = lastError ?? `exit code ${code}`;
      if (stopping && lastError === null) resolve({ kind: 'stopped' });
      else if (!ready) resolve({ kind: 'failed-start', reason });
      else resolve({ kind: stopping ? 'stopped' : 'lost', reason });
    });
  });
}
