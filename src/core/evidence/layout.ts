/**
 * From OCR words to the page's layout: visual rows (words whose lines share a height, whatever
 * block tesseract put them in), split into cells where a gap wider than the text is tall separates
 * them (a table's columns, a label and its value); then labels found among the cells, and the cell
 * beside, below or above a label that may hold its value.
 */
import type { Box, OcrBlock, OcrWord } from './types.js';

export interface Cell {
  words: OcrWord[];
  box: Box;
  /** Index of its row (top to bottom) and its place in the row (left to right). */
  row: number;
  column: number;
}

const height = (b: Box): number => Math.max(1, b.y1 - b.y0);
const centerY = (b: Box): number => (b.y0 + b.y1) / 2;

export function union(boxes: readonly Box[]): Box {
  return {
    x0: Math.min(...boxes.map((b) => b.x0)),
    y0: Math.min(...boxes.map((b) => b.y0)),
    x1: Math.max(...boxes.map((b) => b.x1)),
    y1: Math.max(...boxes.map((b) => b.y1)),
  };
}

export const textOf = (words: readonly OcrWord[]): string => words.map((w) => w.text).join(' ');

/** The lowest word confidence, on 0–1 (a value is as sure as its least sure word). */
export const confidenceOf = (words: readonly OcrWord[]): number =>
  words.length === 0 ? 0 : Math.min(...words.map((w) => w.confidence)) / 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** A gap between two words wider than this many times the row's text height starts a new cell. */
const CELL_GAP = 1.3;

/** Rows of cells, top to bottom and left to right. */
export function layoutOf(blocks: readonly OcrBlock[]): Cell[][] {
  const lines = blocks
    .flatMap((b) => b.paragraphs.flatMap((p) => p.lines))
    .map((l) => l.words.filter((w) => w.text.trim() !== ''))
    .filter((words) => words.length > 0)
    .map((words) => ({ words, box: union(words.map((w) => w.bbox)) }))
    .sort((a, b) => centerY(a.box) - centerY(b.box));
  const rows: { words: OcrWord[]; box: Box }[] = [];
  for (const line of lines) {
    const row = rows.find(
      (r) => Math.abs(centerY(r.box) - centerY(line.box)) <= 0.5 * Math.min(height(r.box), height(line.box)),
    );
    if (row) {
      row.words.push(...line.words);
      row.box = union([row.box, line.box]);
    } else rows.push({ words: [...line.words], box: line.box });
  }
  rows.sort((a, b) => centerY(a.box) - centerY(b.box));
  return rows.map((r, rowIndex) => {
    const words = [...r.words].sort((a, b) => a.bbox.x0 - b.bbox.x0);
    const gap = CELL_GAP * median(words.map((w) => height(w.bbox)));
    const groups: OcrWord[][] = [];
    for (const word of words) {
      const current = groups[groups.length - 1];
      const previous = current?.[current.length - 1];
      if (current && previous && word.bbox.x0 - previous.bbox.x1 <= gap) current.push(word);
      else groups.push([word]);
    }
    return groups.map((g, column) => ({ words: g, box: union(g.map((w) => w.bbox)), row: rowIndex, column }));
  });
}

/** Lower case, NFKC, without punctuation at the ends: "Users:" → "users". */
export function token(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** OCR slips allowed in a label word: none in short words, one from 4 letters, two from 8. */
function wordMatches(read: string, label: string): number | null {
  if (read === label) return 0;
  const allowed = label.length >= 8 ? 2 : label.length >= 4 ? 1 : 0;
  const distance = editDistance(read, label);
  return distance <= allowed ? distance : null;
}

export interface LabelHit {
  /** The cell where the label ends (for a label wrapped over two lines, the second one). */
  cell: Cell;
  box: Box;
  /** The words after the label in its cell ("Plan: Premium" read as one cell). */
  rest: OcrWord[];
  /** 1 for an exact match; lower for OCR slips in the label's words. */
  factor: number;
}

/** How many leading words of `words` spell `label` (null if they do not), and the slips made. */
function prefixMatch(
  words: readonly OcrWord[],
  label: readonly string[],
): { used: number; slips: number } | null {
  let slips = 0;
  for (let i = 0; i < label.length; i++) {
    const word = words[i];
    if (!word) return i > 0 ? { used: i, slips } : null;
    const d = wordMatches(token(word.text), label[i] as string);
    if (d === null) return i > 0 ? { used: i, slips } : null;
    slips += d;
  }
  return { used: label.length, slips };
}

/**
 * Every place the label (lower-case words) starts a cell; a label wrapped onto the next line (a
 * narrow card's title) is joined with the cell just below it.
 */
export function findLabel(rows: readonly Cell[][], label: readonly string[]): LabelHit[] {
  const hits: LabelHit[] = [];
  for (const row of rows) {
    for (const cell of row) {
      const m = prefixMatch(cell.words, label);
      if (!m) continue;
      const factor = m.slips === 0 ? 1 : 0.9;
      if (m.used === label.length) {
        hits.push({
          cell,
          box: union(cell.words.slice(0, m.used).map((w) => w.bbox)),
          rest: cell.words.slice(m.used),
          factor,
        });
        continue;
      }
      if (m.used < cell.words.length) continue; // the cell goes on with other words: not this label
      const next = cellBelow(rows, cell.box, 1.0);
      const tail = next && prefixMatch(next.words, label.slice(m.used));
      if (!next || !tail || tail.used !== label.length - m.used) continue;
      hits.push({
        cell: next,
        box: union([cell.box, ...next.words.slice(0, tail.used).map((w) => w.bbox)]),
        rest: next.words.slice(tail.used),
        factor: m.slips + tail.slips === 0 ? 0.97 : 0.9,
      });
    }
  }
  return hits;
}

const overlapsHorizontally = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1;

/** The nearest cell below `box` that shares some of its width, within `lines` of its height. */
export function cellBelow(rows: readonly Cell[][], box: Box, lines: number): Cell | null {
  const limit = box.y1 + lines * height(box);
  for (const row of rows) {
    for (const cell of row) {
      if (
        cell.box.y0 >= box.y1 - 0.2 * height(box) &&
        cell.box.y0 <= limit &&
        overlapsHorizontally(cell.box, box)
      ) {
        return cell;
      }
    }
  }
  return null;
}

/** The nearest cell above `box` that shares some of its width, within `lines` of its height. */
export function cellAbove(rows: readonly Cell[][], box: Box, lines: number): Cell | null {
  const limit = box.y0 - lines * height(box);
  for (let r = rows.length - 1; r >= 0; r--) {
    for (const cell of rows[r] as Cell[]) {
      if (
        cell.box.y1 <= box.y0 + 0.2 * height(box) &&
        cell.box.y1 >= limit &&
        overlapsHorizontally(cell.box, box)
      ) {
        return cell;
      }
    }
  }
  return null;
}

/** The next cell to the right in the label's row. */
export function cellRight(rows: readonly Cell[][], cell: Cell): Cell | null {
  return rows[cell.row]?.[cell.column + 1] ?? null;
}
