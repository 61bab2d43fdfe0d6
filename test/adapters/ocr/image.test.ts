/**
 * Images are bounded before they are decoded: format by magic bytes, size, dimensions from the
 * header; then made OCR-ready (grey, dark themes inverted, small text enlarged).
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { IMAGE_LIMITS, prepareImage, sniffFormat } from '../../../src/adapters/ocr/image.js';
import { fixtureBytes } from '../../../bench/evidence-fixtures.js';

const fixture = (name: string): Buffer => fixtureBytes(`images/${name}`);

/** A PNG with a valid header (any size) and one tiny IDAT: decoding it would fail or be huge. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(16))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function medianOf(png: Buffer): Promise<number> {
  const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  const histogram = new Array<number>(256).fill(0);
  for (const v of data) histogram[v]! += 1;
  let seen = 0;
  return histogram.findIndex((n) => (seen += n) >= data.length / 2);
}

describe('refused before decoding', () => {
  it('knows PNG, JPEG and WebP by their bytes, whatever the name says', async () => {
    expect(sniffFormat(fixture('license-light-100-inter.png'))).toEqual({ format: 'png' });
    expect(sniffFormat(fixture('license-dark-80-inter-jpeg.jpg'))).toEqual({ format: 'jpeg' });
    expect(sniffFormat(fixture('license-light-100-dejavu-webp.webp'))).toEqual({ format: 'webp' });
    expect(sniffFormat(fixture('document.pdf.png'))).toEqual({ other: 'a PDF document' });
    expect(sniffFormat(fixture('animation.gif.png'))).toEqual({ other: 'a GIF image' });
    expect(sniffFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({
      other: 'not an image this reader knows',
    });
  });

  it.each([
    ['document.pdf.png', 'IMAGE_UNSUPPORTED', /PDF document; only PNG, JPEG and WebP/],
    ['animation.gif.png', 'IMAGE_UNSUPPORTED', /GIF image/],
    ['empty.png', 'IMAGE_UNSUPPORTED', /empty file/],
    ['huge-50mp.png', 'IMAGE_TOO_LARGE', /10000×5000 \(50\.0 megapixels\); at most 40 megapixels/],
    ['truncated.png', 'IMAGE_UNREADABLE', /PNG image is damaged/],
  ])('%s → %s', async (name, code, message) => {
    const prepared = await prepareImage(fixture(name));
    expect(prepared).toMatchObject({ ok: false, code });
    expect(prepared.ok ? '' : prepared.message).toMatch(message);
  });

  it('refuses by the header alone: a PNG claiming 8000×6000 is too large though its pixels are missing', async () => {
    // Decoding would fail (IMAGE_UNREADABLE); TOO_LARGE shows the dimensions were checked first.
    expect(await prepareImage(pngHeaderOnly(8000, 6000))).toMatchObject({
      ok: false,
      code: 'IMAGE_TOO_LARGE',
    });
    expect(await prepareImage(pngHeaderOnly(400, 300))).toMatchObject({
      ok: false,
      code: 'IMAGE_UNREADABLE',
    });
  });

  it('refuses more than 10 MB without looking further', async () => {
    const big = Buffer.alloc(IMAGE_LIMITS.maxBytes + 1);
    fixture('blank.png').copy(big);
    const prepared = await prepareImage(big);
    expect(prepared).toMatchObject({ ok: false, code: 'IMAGE_TOO_LARGE' });
    expect(prepared.ok ? '' : prepared.message).toBe('The image is 10.0 MB; at most 10.0 MB is read.');
  });

  it('refuses random noise at once (no plain background), rather than at the OCR time limit', async () => {
    const noise = await sharp(
      Buffer.from(Array.from({ length: 600 * 400 * 3 }, (_, i) => (i * 7919) % 251)),
      {
        raw: { width: 600, height: 400, channels: 3 },
      },
    )
      .jpeg({ quality: 60 })
      .toBuffer();
    expect(await prepareImage(noise)).toMatchObject({ ok: false, code: 'IMAGE_UNREADABLE' });
  });
});

describe('made ready for OCR', () => {
  it('turns a dark theme into dark text on light, and leaves a light one as it is', async () => {
    const dark = fixture('license-dark-100-liberation.png');
    expect(await medianOf(dark)).toBeLessThan(60);
    const prepared = await prepareImage(dark);
    if (!prepared.ok) throw new Error(prepared.message);
    expect(await medianOf(prepared.image.png)).toBeGreaterThan(190);
    const light = await prepareImage(fixture('license-light-100-inter.png'));
    if (!light.ok) throw new Error(light.message);
    expect(await medianOf(light.image.png)).toBeGreaterThan(190);
  });

  it('doubles a screenshot of ordinary size and says so, keeping the original size', async () => {
    const prepared = await prepareImage(fixture('license-light-100-inter.png'));
    if (!prepared.ok) throw new Error(prepared.message);
    expect(prepared.image).toMatchObject({ format: 'png', width: 1440, scale: 2 });
    const meta = await sharp(prepared.image.png).metadata();
    expect([meta.width, meta.channels]).toEqual([2880, 1]);
  });
});
