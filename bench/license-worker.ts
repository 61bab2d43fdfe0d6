/**
 * A worker thread of the all-cores license bench. Protocol with bench/license.ts:
 *   workerData: WorkerInput  →  worker warms up, posts { type: 'ready' }
 *   main posts { type: 'go' } →  worker runs the timed loop, posts { type: 'done', result }
 * The key arrives once in workerData, as PEM (the worker makes its own KeyObject, once) or as the
 * main thread's KeyObject (cloneable; the clone shares the main thread's OpenSSL key), and is reused
 * for every op.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { licenseOperation, type LicenseOp } from './license-fixture.js';
import { runFor, type LoopResult } from './timing.js';

export interface WorkerInput {
  op: LicenseOp;
  /** The private key for 'write', the public key for 'read': a KeyObject or its PEM. */
  key: KeyObject | string;
  licenseText: string;
  warmupMs: number;
  durationMs: number;
}

export type WorkerMessage = { type: 'ready' } | { type: 'done'; result: LoopResult };
export type MainMessage = { type: 'go' };

const port = parentPort;
if (!port) throw new Error('license-worker.js must run as a worker thread');
const input = workerData as WorkerInput;
const key =
  typeof input.key !== 'string'
    ? input.key
    : input.op === 'write'
      ? createPrivateKey(input.key)
      : createPublicKey(input.key);
const operation = licenseOperation(input.op, key, input.licenseText);

runFor(operation, input.warmupMs);
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
port.once('message', (message: MainMessage) => {
  if (message.type !== 'go') return;
  const result = runFor(operation, input.durationMs);
  port.postMessage({ type: 'done', result } satisfies WorkerMessage);
});
