/**
 * `lifeline serve` delivers on a thread of its own, at a lower CPU priority than the API.
 *
 * Delivering (the outbox files, tracker, chat and ticket calls, and their database writes) used to
 * share the event loop with the API: with licenses being issued it took turns with every request,
 * and with a backlog it ran flat out beside them. On its own thread with its own database
 * connection it runs beside the API on another core; at a nice value DELIVERY_THREAD_NICE above the
 * process's, the kernel gives the API's threads the CPU first when both want it, and the thread
 * every cycle the API leaves (on an idle machine it delivers at full speed). The emergency is the
 * license being issued; a delivery that waits some seconds for a busy API is still sent.
 * bench http (embedded default, one process, 2 cores, 4 runs each, alternating with the in-loop
 * worker): 1 client 70–107 → 118–144 issued/s; 8 clients 300–382 → 319–445; 32 clients 0.46–0.56× →
 * 0.48–0.59× of the license-write ceiling; the event loop's CPU per license 1.69 → 1.03 ms.
 *
 * On SQLite the thread's connection also takes over the checkpoints (copying the write-ahead log
 * into the database, and syncing both files): while it runs, the API's connection checkpoints only
 * past API_CHECKPOINT_PAGES (when the thread has not kept up), instead of every SQLite default 1,000
 * pages, which blocked the event loop for 3 to 14 ms each time (about 300 times in a 26 s bench
 * run; 27 with the thread checkpointing). bench http, 4 alternating pairs: 32 clients
 * 0.462–0.545× → 0.539–0.627× of the ceiling, 8 clients 0.25–0.29× → 0.33–0.39×.
 *
 * If the thread cannot start, the worker runs on the event loop as before (a warning says so); a
 * thread lost while running is replaced after a second (its claimed deliveries are taken over when
 * their lease expires). Stopping posts 'stop': the thread finishes the deliveries in hand, closes its
 * connection and ends.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { App } from '../../app.js';
import { SQLITE_AUTOCHECKPOINT_PAGES } from '../../adapters/store/kysely-store.js';
import { threadModuleUrl } from '../../adapters/thread-module.js';
import { runWorker } from './run-worker.js';

/** How much lower the delivery thread's priority is than its process's (nice increment, Linux). */
export const DELIVERY_THREAD_NICE = 10;

/**
 * The API connection's checkpoint threshold while the delivery thread checkpoints (40 MB of 4 KiB
 * pages): a bound on the log's size should the thread fall behind under load.
 */
export const API_CHECKPOINT_PAGES = 10_000;

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
    const outcome = await runThread(options, () => app.store.setWalAutocheckpoint(API_CHECKPOINT_PAGES));
    await app.store.setWalAutocheckpoint(SQLITE_AUTOCHECKPOINT_PAGES).catch(() => undefined);
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
