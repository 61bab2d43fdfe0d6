/** src/adapters/random-pool.ts: pooled CSPRNG hex (record ids, request ids, audit salts). */
import { describe, expect, it } from 'vitest';
import { randomHex } from '../../src/runtime/random-pool.js';

describe('randomHex', () => {
  it('gives the asked number of bytes as hex, never the same value twice, across many pool refills', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => randomHex(i % 2 === 0 ? 16 : 7));
    values.forEach((v, i) => expect(v).toMatch(i % 2 === 0 ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{14}$/));
    expect(new Set(values).size).toBe(values.length);
  });

  it('spreads its digits evenly (each hex digit within 10% of its share over 1 MiB of output)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 16_384; i++) for (const c of randomHex(64)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const share = (16_384 * 128) / 16;
    expect(counts.size).toBe(16);
    for (const n of counts.values()) expect(Math.abs(n - share) / share).toBeLessThan(0.1);
  });

  it('refuses a size outside 1 to 64 bytes', () => {
    for (const bad of [0, -1, 65, 1.5, Number.NaN]) expect(() => randomHex(bad)).toThrow(RangeError);
  });
});
