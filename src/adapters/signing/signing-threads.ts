/**
 * Signing threads: the RSA private-key operation of writing a license is most of its cost (0.3 to 1
 * ms, depending on the CPU), and on the event loop it holds up every other request of the
 * process. `lifeline serve` therefore writes licenses on a few worker threads
 * (LIFELINE_SIGNING_THREADS), which another CPU core can run while the event loop goes on with
 * HTTP and the database.
 *
 * The result is the very `encodeLicense` result the event loop would have computed (the threads run
 * the same core function with the same key). Threads start on the first license, keep the process
 * alive only while they hold a job, and are stopped by `close()`. A thread that dies is replaced on the
 * next license; the jobs it held are written on the event loop instead, so no request fails for it.
 */
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { encodeLicense, type EncodedLicense } from '../../core/license/codec.js';
import type { LicenseError } from '../../core/license/errors.js';
import type { LicenseJson } from '../../core/license/attributes.js';
import type { Result } from '../../core/result.js';
import { threadModuleUrl } from '../../runtime/thread-module.js';

export type EncodeResult = Result<EncodedLicense, LicenseError>;

/** A job posted to a signing thread. */
export interface SigningJob {
  id: number;
  attributes: LicenseJson;
}

/** A signing thread's answer: encodeLicense's result, or the message of what it threw. */
export type SigningReply = { id: number; result: EncodeResult } | { id: number; thrown: string };

interface Pending {
  attributes: LicenseJson;
  resolve: (result: EncodeResult) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Jobs it has answered (a thread lost before its first answer counts as a failed start). */
  answered: number;
}

/** After this many threads in a row are lost before their first answer, licenses are signed in place. */
const FAILED_STARTS_TO_GIVE_UP = 3;

export interface SigningThreadsOptions {
  /** Called once if the threads cannot run (licenses are then written on the event loop). */
  onDisabled?: (reason: string) => void;
  /** The thread module (tests); default: signing-thread.js. */
  module?: URL;
}

/** The thread module (compiled; see thread-module.ts). */
function threadModule(): URL {
  return threadModuleUrl('./signing-thread.js', import.meta.url, 'the signing thread');
}

export class SigningThreads {
  private readonly threads: (Thread | null)[];
  private nextId = 1;
  private closed = false;
  private failedStarts = 0;
  /** Why the threads were given up, or null while they are used. */
  disabledReason: string | null = null;
  /** Licenses written so far: on the threads, and on the event loop (after close, or rescued). */
  readonly written = { onThreads: 0, inPlace: 0 };

  constructor(
    private readonly privateKey: KeyObject,
    readonly size: number,
    private readonly options: SigningThreadsOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error('SigningThreads: size is an integer ≥ 1');
    this.threads = Array.from({ length: size }, () => null);
  }

  /** Writes a license (encodeLicense) on the least busy thread. */
  encode(attributes: LicenseJson): Promise<EncodeResult> {
    const thread = this.closed || this.disabledReason !== null ? null : this.leastBusy();
    if (!thread) return Promise.resolve(this.inPlace(attributes));
    const id = this.nextId++;
    return new Promise<EncodeResult>((resolve, reject) => {
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(id, { attributes, resolve, reject });
      thread.worker.postMessage({ id, attributes } satisfies SigningJob);
    });
  }

  /** Stops the threads; licenses asked for afterwards are written on the event loop. */
  async close(): Promise<void> {
    this.closed = true;
    const running = this.threads.filter((t): t is Thread => t !== null);
    this.threads.fill(null);
    await Promise.all(running.map((t) => t.worker.terminate()));
    for (const t of running) this.rescue(t);
  }

  private inPlace(attributes: LicenseJson): EncodeResult {
    this.written.inPlace++;
    return encodeLicense(attributes, this.privateKey);
  }

  /** The least busy thread (started when missing), or null when none can start. */
  private leastBusy(): Thread | null {
    let best: Thread | null = null;
    for (let i = 0; i < this.threads.length; i++) {
      const thread = this.threads[i] ?? this.start(i);
      if (!thread) continue;
      if (best === null || thread.pending.size < best.pending.size) best = thread;
      if (best.pending.size === 0) break;
    }
    return best;
  }

  private start(index: number): Thread | null {
    if (this.disabledReason !== null) return null;
    let worker: Worker;
    try {
      worker = new Worker(this.options.module ?? threadModule(), {
        workerData: { privateKey: this.privateKey },
      });
    } catch (error) {
      this.failedStart(error);
      return null;
    }
    worker.unref();
    const thread: Thread = { worker, pending: new Map(), answered: 0 };
    this.threads[index] = thread;
    worker.on('message', (reply: SigningReply) => {
      const job = thread.pending.get(reply.id);
      if (!job) return;
      thread.pending.delete(reply.id);
      if (thread.pending.size === 0) worker.unref();
      if (thread.answered++ === 0) this.failedStarts = 0;
      this.written.onThreads++;
      if ('result' in reply) job.resolve(reply.result);
      else job.reject(new Error(reply.thrown));
    });
    let lostOnce = false;
    const lost = (error?: unknown): void => {
      if (this.threads[index] === thread) this.threads[index] = null;
      if (!lostOnce && !this.closed && thread.answered === 0) this.failedStart(error);
      lostOnce = true;
      this.rescue(thread);
    };
    worker.on('error', lost);
    worker.on('exit', () => lost());
    return thread;
  }

  private failedStart(error: unknown): void {
    if (++this.failedStarts < FAILED_STARTS_TO_GIVE_UP || this.disabledReason !== null) return;
    // Never the error's text: it could quote what the thread was given.
    const what = error instanceof Error ? error.name : 'the thread exited';
    this.disabledReason = `${FAILED_STARTS_TO_GIVE_UP} signing threads in a row were lost before their first license (${what})`;
    this.options.onDisabled?.(this.disabledReason);
  }

  /** The jobs of a thread that is gone are written here, on the event loop. */
  private rescue(thread: Thread): void {
    for (const [id, job] of thread.pending) {
      thread.pending.delete(id);
      try {
        job.resolve(this.inPlace(job.attributes));
      } catch (error) {
        job.reject(error instanceof Error ? error : new Error('unknown'));
      }
    }
  }
}
