/**
 * Draws the Zendesk app's logos (a life ring, orange and white, on a dark square) and writes
 * `zendesk/assets/logo.png` (128×128) and `zendesk/assets/logo-small.png` (32×32):
 *
 *   npm run build && node dist/src/tools/zendesk-logos.js [APP_DIR]
 *
 * The files are committed; run this only to change the drawing.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodePng } from './png.js';

type Rgba = readonly [number, number, number, number];

const BACKGROUND: Rgba = [0x29, 0x29, 0x61, 0xff];
const ORANGE: Rgba = [0xfc, 0x6d, 0x26, 0xff];
const WHITE: Rgba = [0xff, 0xff, 0xff, 0xff];

export const LOGOS = [
  { file: 'logo.png', size: 128 },
  { file: 'logo-small.png', size: 32 },
] as const;

/** The colour of the drawing at point (x, y) of the unit square. */
function colourAt(x: number, y: number, small: boolean): Rgba {
  const dx = x - 0.5;
  const dy = y - 0.5;
  const distance = Math.hypot(dx, dy);
  const outer = small ? 0.45 : 0.4;
  const inner = small ? 0.21 : 0.2;
  if (distance > outer || distance < inner) return BACKGROUND;
  // Four bands, turned 45°, alternate orange and white; a thin gap separates them on the big logo.
  const angle = (Math.atan2(dy, dx) + Math.PI / 4 + 2 * Math.PI) % (2 * Math.PI);
  const band = Math.floor(angle / (Math.PI / 2));
  if (!small) {
    const intoBand = angle - band * (Math.PI / 2);
    const gap = 0.012 / distance;
    if (intoBand < gap || Math.PI / 2 - intoBand < gap) return BACKGROUND;
  }
  return band % 2 === 0 ? ORANGE : WHITE;
}

/** RGBA pixels of the logo at `size`×`size`, anti-aliased by 4×4 supersampling. */
export function drawLogo(size: number): Uint8Array {
  const samples = 4;
  const pixels = new Uint8Array(size * size * 4);
  const small = size < 64;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const colour = colourAt(
            (px + (sx + 0.5) / samples) / size,
            (py + (sy + 0.5) / samples) / size,
            small,
          );
          for (let i = 0; i < 4; i++) sum[i] = (sum[i] ?? 0) + (colour[i] ?? 0);
        }
      }
      const offset = (py * size + px) * 4;
      for (let i = 0; i < 4; i++) pixels[offset + i] = Math.round((sum[i] ?? 0) / (samples * samples));
    }
  }
  return pixels;
}

export function writeLogos(appDir: string): string[] {
  return LOGOS.map(({ file, size }) => {
    const path = join(appDir, 'assets', file);
    writeFileSync(path, encodePng(size, size, drawLogo(size)));
    return path;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const path of writeLogos(resolve(process.argv[2] ?? 'zendesk'))) console.log(`wrote ${path}`);
}
