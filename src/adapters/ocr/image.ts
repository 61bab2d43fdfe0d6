/**
 * Untrusted image bytes → a bounded, decoded, OCR-ready image, or a coded refusal. In this order:
 * the byte size; the format from the magic bytes (PNG, JPEG, WebP; never the file name); the
 * dimensions from the header (libvips reads only the header for `metadata()`); only then the
 * decode, itself limited to the same pixel count. Then what tesseract reads best: grey, dark text
 * on a light background (a dark theme is inverted), and small text enlarged.
 *
 * sharp (libvips, shipped as a prebuilt binary package on the npm registry) decodes all three
 * formats natively, in a few tens of milliseconds, off the event loop; pure-JS decoders would need
 * three packages and block the event loop for each decode.
 */
import sharp from 'sharp';
import { SCREENSHOT_MAX_BYTES, SCREENSHOT_MAX_PIXELS } from '../../core/limits.js';
import type { Box, ImageCheck, ImageFormat, ImageRefusalCode } from '../../core/evidence/index.js';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

/** Issue 21: at most 10 MB and 40 megapixels (src/core/limits.ts). */
export const IMAGE_LIMITS: ImageLimits = { maxBytes: SCREENSHOT_MAX_BYTES, maxPixels: SCREENSHOT_MAX_PIXELS };

export type { ImageFormat };

export interface PreparedImage {
  format: ImageFormat;
  width: number;
  height: number;
  /** The image to OCR (PNG, 8-bit grey). */
  png: Buffer;
  /** OCR pixels per original pixel: boxes read are divided by it. */
  scale: number;
}

export type Prepared =
  { ok: true; image: PreparedImage } | { ok: false; code: ImageRefusalCode; message: string };

const startsWith = (bytes: Uint8Array, signature: number[], at = 0): boolean =>
  signature.every((b, i) => bytes[at + i] === b);

/** The format by its magic bytes, or what it appears to be instead (for the message). */
export function sniffFormat(bytes: Uint8Array): { format: ImageFormat } | { other: string } {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { format: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { format: 'jpeg' };
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) {
    return { format: 'webp' };
  }
  const head = Buffer.from(bytes.subarray(0, 16)).toString('latin1');
  if (head.startsWith('%PDF')) return { other: 'a PDF document' };
  if (head.startsWith('GIF8')) return { other: 'a GIF image' };
  if (head.startsWith('BM')) return { other: 'a BMP image' };
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return { other: 'a TIFF image' };
  if (head.slice(4, 12) === 'ftypheic' || head.slice(4, 12) === 'ftypavif')
    return { other: 'a HEIC/AVIF image' };
  if (bytes.length === 0) return { other: 'an empty file' };
  return { other: 'not an image this reader knows' };
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
const refuse = (
  code: ImageRefusalCode,
  message: string,
): { ok: false; code: ImageRefusalCode; message: string } => ({
  ok: false,
  code,
  message,
});

/** Text smaller than this (the image's width standing in for it) is enlarged before OCR. */
const UPSCALE_BELOW_WIDTH = 2200;
/** The OCR'd image never exceeds this many pixels (time grows with them). */
const MAX_OCR_PIXELS = 12_000_000;
/** A median grey below this is a dark background: the image is inverted. */
const DARK_MEDIAN = 110;

/**
 * Below this share of neighbouring pixels of (nearly) the same grey, the image has no plain
 * background anywhere: random noise, not a screenshot (screenshots have over 90%, even as JPEG).
 * OCR of such an image only ends at the time limit, so it is refused at once.
 */
const MIN_FLAT_SHARE = 0.1;

function flatShare(pixels: Buffer, width: number, height: number): number {
  let flat = 0;
  let pairs = 0;
  for (let y = 0; y < height; y += 4) {
    const row = y * width;
    for (let x = row; x < row + width - 1; x++) {
      pairs++;
      if (Math.abs((pixels[x] as number) - (pixels[x + 1] as number)) <= 3) flat++;
    }
  }
  return pairs === 0 ? 1 : flat / pairs;
}

function medianGrey(pixels: Buffer): number {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < pixels.length; i += 7) histogram[pixels[i] as number]! += 1;
  const half = Math.ceil(pixels.length / 7) / 2;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v] as number;
    if (seen >= half) return v;
  }
  return 255;
}

/** The bounds, in order: byte size, format by magic bytes, dimensions from the header (no decode). */
export async function inspectImage(
  bytes: Uint8Array,
  limits: ImageLimits = IMAGE_LIMITS,
): Promise<ImageCheck> {
  if (bytes.length > limits.maxBytes) {
    return refuse(
      'IMAGE_TOO_LARGE',
      `The image is ${mb(bytes.length)}; at most ${mb(limits.maxBytes)} is read.`,
    );
  }
  const sniffed = sniffFormat(bytes);
  if ('other' in sniffed) {
    return refuse(
      'IMAGE_UNSUPPORTED',
      `The file is ${sniffed.other}; only PNG, JPEG and WebP screenshots are read.`,
    );
  }
  let width: number;
  let height: number;
  try {
    const meta = await sharp(bytes, { failOn: 'truncated', limitInputPixels: false }).metadata();
    if (meta.format !== sniffed.format || !meta.width || !meta.height)
      throw new Error(`read as ${meta.format}`);
    width = meta.width;
    height = meta.height;
  } catch (error) {
    return refuse(
      'IMAGE_UNREADABLE',
      `The ${sniffed.format.toUpperCase()} header cannot be read (${reason(error)}).`,
    );
  }
  if (width * height > limits.maxPixels) {
    const mp = (width * height) / 1e6;
    return refuse(
      'IMAGE_TOO_LARGE',
      `The image is ${width}×${height} (${mp.toFixed(1)} megapixels); at most ${limits.maxPixels / 1e6} megapixels are read.`,
    );
  }
  return { ok: true, format: sniffed.format, width, height };
}

export async function prepareImage(bytes: Uint8Array, limits: ImageLimits = IMAGE_LIMITS): Promise<Prepared> {
  const checked = await inspectImage(bytes, limits);
  if (!checked.ok) return checked;
  const sniffed = { format: checked.format };
  const options = { limitInputPixels: limits.maxPixels, failOn: 'truncated' as const };
  try {
    // .rotate() applies a phone photo's EXIF orientation; alpha is laid on white.
    const grey = await sharp(bytes, options)
      .rotate()
      .flatten({ background: '#ffffff' })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width: w, height: h } = grey.info;
    if (flatShare(grey.data, w, h) < MIN_FLAT_SHARE) {
      return refuse(
        'IMAGE_UNREADABLE',
        'The image has no plain background anywhere: it looks like noise, not a screenshot.',
      );
    }
    const dark = medianGrey(grey.data) < DARK_MEDIAN;
    let scale = w < UPSCALE_BELOW_WIDTH ? 2 : 1;
    if (w * h * scale * scale > MAX_OCR_PIXELS) scale = Math.min(scale, Math.sqrt(MAX_OCR_PIXELS / (w * h)));
    let image = sharp(grey.data, { raw: { width: w, height: h, channels: 1 } });
    if (dark) image = image.negate({ alpha: false });
    if (scale !== 1) {
      image = image.resize({
        width: Math.max(1, Math.round(w * scale)),
        kernel: scale > 1 ? 'cubic' : 'lanczos3',
      });
    }
    const png = await image.toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer();
    return {
      ok: true,
      image: { format: sniffed.format, width: w, height: h, png, scale: Math.round(w * scale) / w },
    };
  } catch (error) {
    return refuse(
      'IMAGE_UNREADABLE',
      `The ${sniffed.format.toUpperCase()} image is damaged (${reason(error)}).`,
    );
  }
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 160) ?? 'unknown error';
}

/** Around the box: this many of its heights above and below, and as many pixels to each side. */
const CROP_MARGIN = 1.5;

/**
 * The part of an (already bounded) image around a box, as PNG, at most 1200 px wide: what the
 * engineer sees beside a field read from it. The box is clamped to the image.
 */
export async function cropImage(
  bytes: Uint8Array,
  box: Box,
  limits: ImageLimits = IMAGE_LIMITS,
): Promise<Buffer> {
  const image = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated' }).rotate();
  const meta = await image.metadata();
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  const margin = Math.max(8, Math.round((box.y1 - box.y0) * CROP_MARGIN));
  const left = Math.max(0, Math.min(width - 1, Math.floor(box.x0) - margin * 4));
  const top = Math.max(0, Math.min(height - 1, Math.floor(box.y0) - margin));
  const right = Math.max(left + 1, Math.min(width, Math.ceil(box.x1) + margin * 4));
  const bottom = Math.max(top + 1, Math.min(height, Math.ceil(box.y1) + margin));
  return image
    .extract({ left, top, width: right - left, height: bottom - top })
    .resize({ width: 1200, withoutEnlargement: true })
    .png()
    .toBuffer();
}
