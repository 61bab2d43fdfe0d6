import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  mainThreadCpuSeconds,
  processCpuSeconds,
  treeMainThreadCpuSeconds,
} from '../../bench/serve-process.js';

/**
 * Spins until the process has spent `ms` more milliseconds of CPU (not of wall time: on a busy
 * machine a thread gets only part of each second). Its text also runs in a worker and a child.
 */
const SPIN_CPU = (ms: number): string =>
  `{ const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; const end = cpu() + ${ms}; while (cpu() < end); }`;
const spin = (ms: number): void => {
  new Function(SPIN_CPU(ms))();
};

// The bench's "event loop" rows read a process's main thread alone; its other threads (signing,
// delivery, the pool) must not count there, though they count in the process's CPU.
describe.skipIf(process.platform !== 'linux')('bench CPU readings from /proc', () => {
  it('counts the main thread in mainThreadCpuSeconds, and another thread only in processCpuSeconds', async () => {
    const pid = process.pid;
    const main0 = mainThreadCpuSeconds(pid) as number;
    const all0 = processCpuSeconds(pid) as number;
    expect(main0).toBeGreaterThan(0);
    expect(all0).toBeGreaterThanOrEqual(main0);

    // 600 ms of CPU on another thread, while the main thread waits.
    const worker = new Worker(
      `${SPIN_CPU(600)} require("node:worker_threads").parentPort.postMessage("done");`,
      { eval: true },
    );
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    await worker.terminate();
    const main1 = mainThreadCpuSeconds(pid) as number;
    const all1 = processCpuSeconds(pid) as number;
    expect(all1 - all0).toBeGreaterThan(0.4);
    expect(main1 - main0).toBeLessThan(0.25);

    // 600 ms on the main thread itself.
    spin(600);
    const main2 = mainThreadCpuSeconds(pid) as number;
    expect(main2 - main1).toBeGreaterThan(0.4);
  });

  it('adds the main threads of live child processes (the HTTP processes of serve --processes N)', async () => {
    const before = treeMainThreadCpuSeconds(process.pid) as number;
    // A child that spends 600 ms of CPU on its main thread, then waits until its stdin closes.
    const child = spawn(
      process.execPath,
      ['-e', `${SPIN_CPU(600)} process.stdout.write("spun\\n"); process.stdin.resume();`],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await once(child.stdout, 'data');
      const own = mainThreadCpuSeconds(process.pid) as number;
      const tree = treeMainThreadCpuSeconds(process.pid) as number;
      expect(tree - own).toBeGreaterThan(0.4);
      expect(tree - before).toBeGreaterThan(0.4);
    } finally {
      child.stdin.end();
      await once(child, 'close');
    }
  });

  it('gives null for a process that does not exist', () => {
    expect(mainThreadCpuSeconds(2 ** 22 + 12345)).toBeNull();
    expect(processCpuSeconds(2 ** 22 + 12345)).toBeNull();
    expect(treeMainThreadCpuSeconds(2 ** 22 + 12345)).toBeNull();
  });
});
