/**
 * The real reader (tesseract.js on a warm worker, sharp) on the committed screenshot fixtures:
 * every field exact on at least 95% of the readable ones, no wrong value with high confidence, the
 * page told right, and the bad images refused with a code or read as nothing wrong. One warm
 * reader reads every fixture once (about a minute on two cores); the tests judge those reads.
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScreenshotReader, type WarmScreenshotReader } from '../../../src/adapters/ocr/reader.js';
import { HIGH_CONFIDENCE, type ScreenshotRead } from '../../../src/core/evidence/index.js';
import {
  FIELD_NAMES,
  expectedOf,
  fieldOf,
  fixtureBytes,
  loadManifest,
  scoreReads,
} from '../../../bench/evidence-fixtures.js';

const manifest = loadManifest();
const reads = new Map<string, ScreenshotRead>();
let reader: WarmScreenshotReader;

beforeAll(async () => {
  reader = createScreenshotReader();
  for (const f of [...manifest.readable, ...manifest.bad])
    reads.set(f.file, await reader.read(fixtureBytes(f.file)));
}, 900_000);

afterAll(async () => {
  await reader?.close();
});

const readOf = (file: string): ScreenshotRead => {
  const read = reads.get(file);
  if (!read) throw new Error(`${file} was not read`);
  return read;
};

describe('the readable fixtures', () => {
  it('are enough to judge by: every page, theme, zoom, font and format', () => {
    const r = manifest.readable;
    expect(r.length).toBeGreaterThanOrEqual(24);
    expect(new Set(r.map((f) => f.expected.page))).toEqual(new Set(['subscription', 'license', 'dashboard']));
    expect(new Set(r.map((f) => f.theme))).toEqual(new Set(['light', 'dark']));
    expect(new Set(r.map((f) => f.zoom))).toEqual(new Set([0.8, 1, 1.25, 1.5]));
    expect(new Set(r.map((f) => f.format))).toEqual(new Set(['png', 'jpeg', 'webp']));
    expect(new Set(r.map((f) => f.font)).size).toBeGreaterThanOrEqual(3);
  });

  it('read every field exactly on at least 95% of them', () => {
    const score = scoreReads(manifest.readable.map((f) => ({ ...f, read: readOf(f.file) })));
    const below = score.fields.filter((f) => f.exact / f.total < 0.95);
    expect(below.flatMap((f) => [`${f.field}: ${f.exact}/${f.total}`, ...f.misses])).toEqual([]);
    // the fields shown are read, not merely left null: most of them at high confidence
    expect(score.rightRead).toBeGreaterThanOrEqual(Math.ceil(0.95 * countShown()));
    expect(score.rightHigh / score.rightRead).toBeGreaterThan(0.8);
  });

  it('never read a wrong value with high confidence', () => {
    const score = scoreReads(manifest.readable.map((f) => ({ ...f, read: readOf(f.file) })));
    expect(score.wrongHigh).toEqual([]);
  });

  it('tell which page each one is', () => {
    const score = scoreReads(manifest.readable.map((f) => ({ ...f, read: readOf(f.file) })));
    expect(score.pages.wrong).toEqual([]);
  });

  it('keep the box each value came from, inside the original image', () => {
    const f = manifest.readable.find((x) => x.file.includes('subscription-light-100-inter'))!;
    const read = readOf(f.file);
    if (!read.ok) throw new Error(read.message);
    expect(read.image).toEqual({ format: 'png', width: 1440, height: expect.any(Number) as number });
    const plan = read.evidence.plan!;
    expect(plan).toMatchObject({ value: 'premium', text: 'Premium' });
    // "Premium" is in the details card, right of the 240 px sidebar, and about 60 px wide
    expect(plan.box.x0).toBeGreaterThan(240);
    expect(plan.box.x1 - plan.box.x0).toBeGreaterThan(40);
    expect(plan.box.x1 - plan.box.x0).toBeLessThan(90);
    expect(plan.box.y1).toBeLessThan(read.image.height);
  });
});

function countShown(): number {
  return manifest.readable.reduce(
    (n, f) => n + FIELD_NAMES.filter((k) => expectedOf(f.expected, k) !== null).length,
    0,
  );
}

describe('the bad images', () => {
  it.each(manifest.bad.map((b) => [b.file, b.kind, b.expect] as const))(
    '%s (%s): %s',
    (file, _kind, expectation) => {
      const read = readOf(file);
      if (expectation.startsWith('refused:')) {
        expect(read).toMatchObject({ ok: false, code: expectation.slice('refused:'.length) });
        expect(read.ok ? '' : read.message).toMatch(/\.$/);
        return;
      }
      expect(read.ok).toBe(true);
      const truth = manifest.bad.find((b) => b.file === file)!.truth;
      for (const name of FIELD_NAMES) {
        const got = fieldOf(read, name);
        if (expectation === 'nothing') expect(got, name).toBeNull();
        // a partial image may show some values: each read one is right, or not claimed surely
        else if (got && got.value !== (truth ? expectedOf(truth, name) : undefined)) {
          expect(got.confidence, `${name} read ${String(got.value)}`).toBeLessThan(HIGH_CONFIDENCE);
        }
      }
    },
  );

  it('refuses a photo-sized random image at once', async () => {
    const [width, height] = [4032, 3024];
    const noise = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 60 })
      .toBuffer();
    expect(noise.length).toBeLessThan(10 * 1024 * 1024);
    expect(await reader.read(noise)).toMatchObject({ ok: false, code: 'IMAGE_UNREADABLE' });
  });
});

describe('the worker', () => {
  it('is replaced after `recycleAfter` reads, and the new one reads as well', async () => {
    const file = manifest.readable.find((f) => f.expected.page === 'dashboard')!;
    const fresh = createScreenshotReader({ recycleAfter: 1 });
    try {
      for (let i = 0; i < 2; i++) {
        const read = await fresh.read(fixtureBytes(file.file));
        expect(read.ok && read.evidence.gitlabVersion?.value).toBe(file.expected.gitlabVersion);
      }
    } finally {
      await fresh.close();
    }
    await expect(fresh.read(fixtureBytes(file.file))).rejects.toThrow('the screenshot reader is closed');
  }, 120_000);

  it('gives an image up past its limit, then reads the next one on a new worker', async () => {
    const file = manifest.readable.find((f) => f.expected.page === 'license')!;
    const bytes = fixtureBytes(file.file);
    expect(await reader.read(bytes, { timeoutMs: 5 })).toEqual({
      ok: false,
      code: 'OCR_TIMEOUT',
      message: 'Reading the image took longer than 0.005 s; it was given up.',
    });
    const again = await reader.read(bytes);
    expect(again.ok && again.evidence.previousSeats?.value).toBe(file.expected.previousSeats);
  }, 120_000);
});
