/**
 * Timed loops shared by the main thread and the workers: run an operation for a warm-up period,
 * then count how many times it completes in a fixed measurement window.
 */
import { performance } from 'node:perf_hooks';

export interface LoopResult {
  /** Operations completed inside the measurement window. */
  ops: number;
  /** The measurement window as actually run, in seconds (slightly above the requested duration). */
  seconds: number;
}

export interface LoopTiming {
  warmupMs: number;
  durationMs: number;
}

/** Runs `op` repeatedly for `ms` milliseconds; returns the count and the elapsed time. */
export function runFor(op: () => void, ms: number): LoopResult {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    op();
    ops++;
    now = performance.now();
  }
  return { ops, seconds: (now - start) / 1000 };
}

export const rate = (r: LoopResult): number => (r.seconds > 0 ? r.ops / r.seconds : 0);
