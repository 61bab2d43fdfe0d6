/**
 * The delivery thread of `lifeline serve` (see delivery-thread.ts): lowers its own CPU priority,
 * opens the app from the same environment as its process (its own database connection; the
 * process has migrated already) and runs the delivery worker until its parent posts 'stop'. Only
 * settings cross into the thread; the channels' secrets come from the environment, as in
 * `lifeline worker`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createApp } from '../../app.js';
import { loadConfig } from '../../config.js';
import {
  lowerThreadPriority,
  type DeliveryThreadData,
  type DeliveryThreadMessage,
} from './delivery-thread.js';
import { runWorker } from './run-worker.js';

const data = workerData as DeliveryThreadData;
const port = parentPort;
if (!port) throw new Error('delivery-thread-main runs only as a worker thread');
const nice = lowerThreadPriority(data.niceIncrement);
const app = await createApp(loadConfig(process.env), { migrate: false });
const stop = new AbortController();
port.on('message', (message: unknown) => {
  if (message === 'stop') stop.abort();
});
port.postMessage({ kind: 'ready', nice } satisfies DeliveryThreadMessage);
try {
  await runWorker(app, {
    signal: stop.signal,
    settings: data.settings,
    ...(data.pollMs ? { pollMs: data.pollMs } : {}),
  });
} finally {
  await app.close();
  // Nothing else holds the thread: it ends, and its parent sees it exit.
  port.close();
}
