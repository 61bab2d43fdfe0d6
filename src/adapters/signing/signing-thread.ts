/**
 * One signing thread (see signing-threads.ts): writes licenses with the private key it was given
 * at start, for the jobs its parent posts. Only attributes and finished license texts cross the
 * thread boundary; the key stays in memory, as in the parent.
 */
import type { KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { encodeLicense } from '../../core/license/codec.js';
import type { SigningJob, SigningReply } from './signing-threads.js';

const { privateKey } = workerData as { privateKey: KeyObject };

parentPort?.on('message', (job: SigningJob) => {
  let reply: SigningReply;
  try {
    reply = { id: job.id, result: encodeLicense(job.attributes, privateKey) };
  } catch (error) {
    // encodeLicense refuses bad input with a Result; a throw is the key or OpenSSL failing.
    reply = { id: job.id, thrown: error instanceof Error ? error.message : 'unknown' };
  }
  parentPort?.postMessage(reply);
});
