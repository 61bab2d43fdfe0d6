/**
 * Synthetic OCR output in tesseract.js's shape, for the parser's tests: a line of text placed at
 * (x, y), its words 8 px per character and 16 px tall (or `h`), separated by 5 px.
 */
import type { OcrBlock, OcrLine } from '../../../src/core/evidence/index.js';

export function line(x: number, y: number, text: string, conf = 95, h = 16): OcrLine {
  const words = [];
  let at = x;
  for (const word of text.split(' ')) {
    const w = Math.round(word.length * 8 * (h / 16));
    words.push({ text: word, confidence: conf, bbox: { x0: at, y0: y, x1: at + w, y1: y + h } });
    at += w + Math.round(5 * (h / 16));
  }
  const bbox = { x0: x, y0: y, x1: at, y1: y + h };
  return { text, confidence: conf, bbox, words };
}

/** One block holding every line (tesseract splits differently; the parser must not care). */
export const page = (...lines: OcrLine[]): OcrBlock[] => [{ paragraphs: [{ lines }] }];

/** Each line in a block of its own. */
export const scattered = (...lines: OcrLine[]): OcrBlock[] =>
  lines.map((l) => ({ paragraphs: [{ lines: [l] }] }));

/** A label at x=300 and its value at x=500 on the same row. */
export const row = (y: number, label: string, value: string, conf = 95): OcrLine[] => [
  line(300, y, label, conf),
  line(500, y, value, conf),
];
