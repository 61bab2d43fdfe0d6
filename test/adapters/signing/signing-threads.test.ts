/** Signing threads (src/adapters/signing): the thread module is the compiled one in dist/. */
import { afterEach, describe, expect, it } from 'vitest';
import { SigningThreads } from '../../../src/adapters/signing/signing-threads.js';
import { decodeLicense, encodeLicense } from '../../../src/core/license/codec.js';
import type { LicenseJson } from '../../../src/core/license/attributes.js';
import { emergencyLicenseAttributes } from '../../../src/core/issuance/emergency-license.js';
import type { CalendarDate } from '../../../src/core/dates.js';
import { unusableKey } from '../../helpers/issuance.js';
import { testPrivateKey, testPublicKey } from '../../helpers/vectors.js';

const attributes = (n: number): LicenseJson =>
  emergencyLicenseAttributes(`ops${n}@customer${n}.example`, 100 + n, '2026-11-28' as CalendarDate);

let pool: SigningThreads | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('SigningThreads', () => {
  it('writes on its threads the licenses the event loop would write (same JSON, valid with the key)', async () => {
    pool = new SigningThreads(testPrivateKey(), 2);
    const results = await Promise.all(Array.from({ length: 40 }, (_, n) => pool!.encode(attributes(n))));
    expect(pool.written).toEqual({ onThreads: 40, inPlace: 0 });
    results.forEach((result, n) => {
      if (!result.ok) throw new Error(result.error.message);
      const inPlace = encodeLicense(attributes(n), testPrivateKey());
      if (!inPlace.ok) throw new Error(inPlace.error.message);
      expect(result.value.json).toEqual(inPlace.value.json);
      expect(result.value.license).toEqual(inPlace.value.license);
      const decoded = decodeLicense(result.value.text, [testPublicKey()]);
      expect(decoded.ok && decoded.value.license.licensee['Email']).toBe(`ops${n}@customer${n}.example`);
    });
  });

  it('refuses what encodeLicense refuses, with the same error', async () => {
    pool = new SigningThreads(testPrivateKey(), 1);
    const bad = { ...attributes(1), version: 2 } as unknown as LicenseJson;
    expect(await pool.encode(bad)).toEqual(encodeLicense(bad, testPrivateKey()));
    const unusable = new SigningThreads(unusableKey(), 1);
    try {
      const result = await unusable.encode(attributes(1));
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.code).toBe('KEY_UNUSABLE');
    } finally {
      await unusable.close();
    }
  });

  it('writes the jobs of a thread that died on the event loop, then starts a new thread', async () => {
    pool = new SigningThreads(testPrivateKey(), 1);
    await pool.encode(attributes(0));
    const threads = (pool as unknown as { threads: ({ worker: { terminate(): Promise<number> } } | null)[] })
      .threads;
    const jobs = Array.from({ length: 10 }, (_, n) => pool!.encode(attributes(n)));
    await threads[0]?.worker.terminate();
    const results = await Promise.all(jobs);
    expect(results.every((r) => r.ok && decodeLicense(r.value.text, [testPublicKey()]).ok)).toBe(true);
    expect(pool.written.inPlace).toBeGreaterThan(0);
    expect(pool.written.onThreads + pool.written.inPlace).toBe(11);
    const onThreads = pool.written.onThreads;
    expect((await pool.encode(attributes(11))).ok).toBe(true);
    expect(pool.written.onThreads).toBe(onThreads + 1);
  });

  it('gives the threads up when they cannot start, says why once, and writes every license in place', async () => {
    const reasons: string[] = [];
    pool = new SigningThreads(testPrivateKey(), 1, {
      module: new URL('data:text/javascript,throw new Error("the thread cannot load")'),
      onDisabled: (reason) => reasons.push(reason),
    });
    for (let n = 0; n < 5; n++) {
      const result = await pool.encode(attributes(n));
      expect(result.ok && decodeLicense(result.value.text, [testPublicKey()]).ok).toBe(true);
    }
    expect(pool.written).toEqual({ onThreads: 0, inPlace: 5 });
    expect(reasons).toEqual(['3 signing threads in a row were lost before their first license (Error)']);
    expect(pool.disabledReason).toBe(reasons[0]);
  });

  it('after close, writes on the event loop', async () => {
    pool = new SigningThreads(testPrivateKey(), 1);
    await pool.close();
    const result = await pool.encode(attributes(3));
    expect(result.ok && decodeLicense(result.value.text, [testPublicKey()]).ok).toBe(true);
    expect(pool.written).toEqual({ onThreads: 0, inPlace: 1 });
    expect(() => new SigningThreads(testPrivateKey(), 0)).toThrow(/size/);
  });
});
