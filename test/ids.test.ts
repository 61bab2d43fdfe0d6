/** Record ids (src/app.ts randomIds): time-ordered, random, never repeated. */
import { describe, expect, it } from 'vitest';
import { randomIds, signingThreadCount } from '../src/app.js';

describe('randomIds', () => {
  it('gives prefix_ + 12 hex digits of milliseconds + 16 random hex digits, never the same twice', () => {
    const before = Date.now();
    // Several refills of the 4 KiB random pool (512 ids each).
    const ids = Array.from({ length: 5000 }, () => randomIds.next('dlv'));
    const after = Date.now();
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^dlv_[0-9a-f]{28}$/);
    const times = ids.map((id) => parseInt(id.slice(4, 16), 16));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(before);
    expect(Math.max(...times)).toBeLessThanOrEqual(after);
    // Sorted by creation time: a later id never sorts before an earlier one's millisecond.
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] as number);
    // The random parts are spread: every hex digit appears at every position of a sample.
    const randomParts = ids.map((id) => id.slice(16));
    for (let position = 0; position < 16; position++) {
      expect(new Set(randomParts.map((r) => r[position])).size).toBe(16);
    }
  });
});

describe('signingThreadCount', () => {
  it('auto gives the CPUs the serve processes leave free (at most 4); a number is taken as it is', () => {
    expect([1, 2, 3, 8, 64].map((cpus) => signingThreadCount('auto', 1, cpus))).toEqual([0, 1, 2, 4, 4]);
    expect(signingThreadCount('auto', 2, 2)).toBe(0);
    expect(signingThreadCount('auto', 2, 4)).toBe(2);
    expect(signingThreadCount('auto', 64, 8)).toBe(0);
    expect(signingThreadCount(0, 1, 8)).toBe(0);
    expect(signingThreadCount(6, 2, 2)).toBe(6);
  });
});
