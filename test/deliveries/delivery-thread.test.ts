/** `lifeline serve`'s delivery thread (src/interfaces/worker/delivery-thread.ts). */
import { getPriority } from 'node:os';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { lookupById } from '../../src/core/issuance/index.js';
import { runWorkerOnThread } from '../../src/interfaces/worker/delivery-thread.js';
import { appWith, issue } from './harness.js';
import { unwrap } from '../../src/core/outcome.js';
import { storeOf } from '../../src/app.js';

const fixture = (name: string): URL => new URL(`../fixtures/threads/${name}`, import.meta.url);

async function until(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    if (await check()) return true;
  }
  return false;
}

const autocheckpoint = async (app: App): Promise<number> =>
  Number(
    Object.values(
      (await sql.raw<Record<string, unknown>>('pragma wal_autocheckpoint').execute(storeOf(app).db))
        .rows[0] ?? {},
    )[0],
  );

const allSent = async (app: App, id: string): Promise<boolean> =>
  unwrap(await lookupById(app.ports, id)).deliveries.every((d) => d.status === 'sent');

describe('the delivery thread of lifeline serve', () => {
  let app: (App & { env: Record<string, string> }) | undefined;
  afterEach(async () => app?.close());

  it('delivers on its own connection at nice +10 while the event loop is free, and stops when asked', async () => {
    app = await appWith();
    const view = await issue(app);
    const stop = new AbortController();
    const lines: string[] = [];
    const nice: (number | null)[] = [];
    const running = runWorkerOnThread(app, {
      signal: stop.signal,
      env: app.env,
      pollMs: 50,
      log: (line) => lines.push(line),
      onReady: (n) => nice.push(n),
    });
    expect(await until(() => allSent(app as App, view.request.id))).toBe(true);
    // 10 nice levels below this process (0 unless the tests run under `nice`).
    expect(nice).toEqual([Math.min(19, getPriority() + 10)]);
    // The thread's connection checkpoints; this one only past 10,000 pages (storeMaintenance's 'rare' checkpoints).
    expect(await autocheckpoint(app)).toBe(10_000);
    // Issued while the thread runs: delivered too.
    const second = await issue(app);
    expect(await until(() => allSent(app as App, second.request.id))).toBe(true);
    stop.abort();
    await running;
    expect(lines).toEqual([]);
    expect(await autocheckpoint(app)).toBe(1000);
    // The thread closed its connection: this one still writes and reads.
    const third = await issue(app);
    expect(unwrap(await lookupById(app.ports, third.request.id)).deliveries.map((d) => d.status)).toEqual([
      'queued',
      'queued',
      'queued',
      'queued',
    ]);
  });

  it('a thread that cannot start: a warning, and the deliveries run on the event loop', async () => {
    app = await appWith();
    const view = await issue(app);
    const stop = new AbortController();
    const lines: string[] = [];
    const running = runWorkerOnThread(app, {
      signal: stop.signal,
      module: fixture('fails-at-start.mjs'),
      pollMs: 50,
      log: (line) => lines.push(line),
    });
    expect(await until(() => allSent(app as App, view.request.id))).toBe(true);
    expect(lines).toEqual([
      'warning: the delivery thread could not start (no such module today); delivering on the event loop',
    ]);
    stop.abort();
    await running;
  });

  it('a thread lost while running is replaced after a second, with an error line', async () => {
    app = await appWith();
    const stop = new AbortController();
    const lines: string[] = [];
    let ready = 0;
    const running = runWorkerOnThread(app, {
      signal: stop.signal,
      module: fixture('lost-after-ready.mjs'),
      log: (line) => lines.push(line),
      onReady: () => ready++,
    });
    expect(await until(() => ready >= 2, 10_000)).toBe(true);
    stop.abort();
    await running;
    expect(lines[0]).toBe(
      'error [INTERNAL]: the delivery thread stopped (lost in the middle); starting another in 1 s',
    );
    expect(lines.every((l) => l === lines[0])).toBe(true);
  });
});
