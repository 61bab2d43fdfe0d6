/**
 * The evidence bench's measured process: one screenshot reader, as `lifeline` runs it, in a process
 * of its own so its memory is the reader's alone. Driven one image at a time so the bench can
 * interleave the reference runs (this machine's speed drifts): each line on stdin names a fixture
 * (relative to test/fixtures/screenshots) and is answered by one JSON line; an empty line ends it
 * with the memory figures. The first read also starts the worker (the WebAssembly core and the
 * English model): that is the "first" figure.
 *
 *   node dist/bench/evidence-child.js
 */
import { createInterface } from 'node:readline';
import { prepareImage } from '../src/adapters/ocr/image.js';
import { createScreenshotReader } from '../src/adapters/ocr/reader.js';
import type { ScreenshotRead } from '../src/core/evidence/index.js';
import { fixtureBytes } from './evidence-fixtures.js';

export interface ChildRead {
  /** Wall seconds of the read (decode, prepare, OCR, parse). */
  seconds: number;
  /** CPU seconds of the whole process (main and worker thread) during the read. */
  cpuSeconds: number;
  /** Seconds the same image takes to decode and prepare alone (sharp). */
  prepareSeconds: number;
  read: ScreenshotRead;
}

export interface ChildMemory {
  rssBeforeBytes: number;
  /** RSS with the warm worker, after the last read. */
  rssAfterBytes: number;
  /** Peak RSS of the whole process (main thread and the worker thread). */
  maxRssBytes: number;
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const rssBeforeBytes = process.memoryUsage().rss;
const reader = createScreenshotReader({ timeoutMs: 120_000 });
const send = (value: unknown): boolean => process.stdout.write(`${JSON.stringify(value)}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line === '') break;
  const image = fixtureBytes(line);
  let t0 = performance.now();
  await prepareImage(image);
  const prepareSeconds = (performance.now() - t0) / 1000;
  const c0 = cpu();
  t0 = performance.now();
  const read = await reader.read(image);
  send({
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpu() - c0,
    prepareSeconds,
    read,
  } satisfies ChildRead);
}
const rssAfterBytes = process.memoryUsage().rss;
await reader.close();
send({
  rssBeforeBytes,
  rssAfterBytes,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
} satisfies ChildMemory);
