/**
 * `npm run bench evidence`: the screenshot reader on the committed fixtures — seconds per
 * screenshot, first (starting the worker) and warm, and the reader's memory — beside Debian's
 * `tesseract` CLI reading the same images in the same run, with ratios; and how exactly each read
 * the fields (the CLI's words go through the same parser).
 *
 * The reader runs in a process of its own (bench/evidence-child.ts) so its RSS is its own. The CLI
 * is run twice per image, single-threaded (OMP_THREAD_LIMIT=1, as the WebAssembly build is):
 *  1. as Debian ships it (tessdata_fast model) on the original image: the issue's reference;
 *  2. with the reader's own model (best_int, from @tesseract.js-data/eng) on the image the reader
 *     OCRs (grey, dark themes inverted, enlarged): the same work, native instead of WebAssembly.
 * Without `tesseract` on PATH the reference is skipped with a note. --quick reads 6 fixtures.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { prepareImage } from '../src/adapters/ocr/image.js';
import { englishDataPath } from '../src/adapters/ocr/reader.js';
import {
  evidenceFromOcr,
  type OcrBlock,
  type OcrWord,
  type ScreenshotRead,
} from '../src/core/evidence/index.js';
import type { ChildMemory, ChildRead } from './evidence-child.js';
import { FIXTURES_DIR, fixtureBytes, loadManifest, scoreReads, type Score } from './evidence-fixtures.js';
import { formatMiB, formatRatio, type BenchSection, type SectionResult } from './report.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./evidence-child.js', import.meta.url));

/** One image read by one OCR: wall and CPU seconds, peak RSS where known, and what was read. */
interface Measured {
  seconds: number;
  cpuSeconds: number | null;
  maxRssBytes: number | null;
  read: ScreenshotRead;
}

/** The reader's process, asked for one image at a time (bench/evidence-child.ts). */
function startChild(): { read(file: string): Promise<ChildRead>; end(): Promise<ChildMemory>; kill(): void } {
  const child = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the reader's process exited (${code})`));
  });
  const ask = <T>(line: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push({ resolve: (answer) => resolve(JSON.parse(answer) as T), reject });
      child.stdin.write(`${line}\n`);
    });
  return {
    read: (file) => ask<ChildRead>(file),
    end: async () => {
      const memory = await ask<ChildMemory>('');
      child.stdin.end();
      return memory;
    },
    kill: () => {
      if (child.exitCode === null) child.kill();
    },
  };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** tesseract's TSV (level 5 rows are words) → the blocks tesseract.js gives, for the same parser. */
function blocksFromTsv(tsv: string, scale: number): OcrBlock[] {
  const lines = new Map<string, OcrWord[]>();
  for (const row of tsv.split('\n').slice(1)) {
    const c = row.split('\t');
    if (c[0] !== '5' || !c[11]?.trim()) continue;
    const [left, top, width, height] = c.slice(6, 10).map(Number) as [number, number, number, number];
    const key = c.slice(1, 5).join('.');
    const word: OcrWord = {
      text: c[11],
      confidence: Number(c[10]),
      bbox: { x0: left / scale, y0: top / scale, x1: (left + width) / scale, y1: (top + height) / scale },
    };
    lines.set(key, [...(lines.get(key) ?? []), word]);
  }
  return [
    {
      paragraphs: [
        {
          lines: [...lines.values()].map((words) => ({
            text: words.map((w) => w.text).join(' '),
            confidence: Math.min(...words.map((w) => w.confidence)),
            bbox: words[0]!.bbox,
            words,
          })),
        },
      ],
    },
  ];
}

interface CliImage {
  path: string;
  scale: number;
  width: number;
  height: number;
}

/** One `tesseract` run (a process: it loads its model every time); /usr/bin/time gives CPU and RSS. */
async function tesseractCli(image: CliImage, tessdataDir: string | null): Promise<Measured> {
  // -c rather than the `tsv` config file, which is not in a --tessdata-dir of our own
  const args = [
    image.path,
    'stdout',
    '-l',
    'eng',
    '--psm',
    '11',
    '--dpi',
    '144',
    '-c',
    'tessedit_create_tsv=1',
  ];
  if (tessdataDir) args.push('--tessdata-dir', tessdataDir);
  const timed = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const { stdout, stderr } = await run(
    timed ? '/usr/bin/time' : 'tesseract',
    timed ? ['-f', 'lifeline-bench maxrss=%M cpu=%U+%S', 'tesseract', ...args] : args,
    { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (performance.now() - t0) / 1000;
  const m = /lifeline-bench maxrss=(\d+) cpu=([\d.]+)\+([\d.]+)/.exec(stderr);
  const evidence = evidenceFromOcr(blocksFromTsv(stdout, image.scale), image);
  return {
    seconds,
    cpuSeconds: m ? Number(m[2]) + Number(m[3]) : null,
    maxRssBytes: m ? Number(m[1]) * 1024 : null,
    read: { ok: true, evidence, image: { format: 'png', width: image.width, height: image.height } },
  };
}

function tesseractVersion(): string | null {
  const r = spawnSync('tesseract', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).split('\n')[0]!.trim() : null;
}

const f2 = (n: number): string => n.toFixed(2);
const accuracy = (s: Score): string =>
  `${s.fields.reduce((n, f) => n + f.exact, 0)}/${s.fields.reduce((n, f) => n + f.total, 0)} fields exact, ` +
  `${s.wrongHigh.length} wrong at high confidence, ${s.rightHigh}/${s.rightRead} right values at high confidence`;

/** A table row: first, mean, p50, max wall seconds, mean CPU seconds, memory. */
function row(name: string, first: number, runs: Measured[], memory: string): string[] {
  const wall = runs.map((r) => r.seconds);
  const cpus = runs.map((r) => r.cpuSeconds);
  const cpu = cpus.every((c): c is number => c !== null) ? f2(mean(cpus)) : 'n/a';
  return [name, f2(first), f2(mean(wall)), f2(median(wall)), f2(Math.max(...wall)), cpu, memory];
}

async function prepared(dir: string, file: string): Promise<{ original: CliImage; prepared: CliImage }> {
  const p = await prepareImage(fixtureBytes(file));
  if (!p.ok) throw new Error(`${file}: ${p.message}`);
  const path = join(dir, `${file.replace(/\W/g, '_')}.png`);
  writeFileSync(path, p.image.png);
  const { width, height, scale } = p.image;
  return {
    original: { path: join(FIXTURES_DIR, file), scale: 1, width, height },
    prepared: { path, scale, width, height },
  };
}

export async function runEvidenceBench(log: (m: string) => void, quick: boolean): Promise<SectionResult> {
  const manifest = loadManifest();
  const fixtures = quick
    ? ['subscription', 'license', 'dashboard'].flatMap((p) =>
        manifest.readable.filter((f) => f.expected.page === p).slice(0, 2),
      )
    : manifest.readable;
  const version = tesseractVersion();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-bench-ocr-'));
  const child = startChild();
  const ours: Measured[] = [];
  const debian: Measured[] = [];
  const same: Measured[] = [];
  const prepareSeconds: number[] = [];
  let first: ChildRead;
  let memory: ChildMemory;
  try {
    log(
      `evidence: ${fixtures.length} screenshots, each read by the reader${version ? ` and ${version} twice` : ''}`,
    );
    first = await child.read(fixtures[0]!.file);
    if (version) {
      writeFileSync(
        join(dir, 'eng.traineddata'),
        gunzipSync(readFileSync(join(englishDataPath(), 'eng.traineddata.gz'))),
      );
    }
    // Interleaved, image by image, so a change in the machine's speed touches every OCR alike.
    for (const f of fixtures) {
      const r = await child.read(f.file);
      ours.push({ seconds: r.seconds, cpuSeconds: r.cpuSeconds, maxRssBytes: null, read: r.read });
      prepareSeconds.push(r.prepareSeconds);
      if (!version) continue;
      const images = await prepared(dir, f.file);
      debian.push(await tesseractCli(images.original, null));
      same.push(await tesseractCli(images.prepared, dir));
    }
    memory = await child.end();
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  const scored = (runs: Measured[]): Score =>
    scoreReads(fixtures.map((f, i) => ({ file: f.file, expected: f.expected, read: runs[i]!.read })));
  const rows = [
    row(
      'Lifeline reader (tesseract.js, warm worker thread)',
      first.seconds,
      ours,
      `${formatMiB(memory.rssAfterBytes - memory.rssBeforeBytes)} (+), ${formatMiB(memory.maxRssBytes)} peak`,
    ),
  ];
  const notes = [
    `reader: ${accuracy(scored(ours))}; of each warm read, decoding and preparing the image (sharp) took ${f2(mean(prepareSeconds))} s`,
    `reader memory: RSS ${formatMiB(memory.rssBeforeBytes)} before the worker, ${formatMiB(memory.rssAfterBytes)} with it warm after the last read (+: the difference)`,
  ];
  const strip = (runs: Measured[]): unknown[] => runs.map(({ read: _read, ...rest }) => rest);
  const json: Record<string, unknown> = {
    images: fixtures.map((f) => f.file),
    reader: { first: { ...first, read: undefined }, reads: strip(ours), memory, score: scored(ours) },
  };
  if (!version) {
    notes.push('reference skipped: Debian `tesseract` is not installed (apt-get install tesseract-ocr).');
    return { columns: COLUMNS, rows, targets: [], notes, json };
  }
  const rss = (runs: Measured[]): string => {
    const peaks = runs.map((r) => r.maxRssBytes);
    return peaks.every((p): p is number => p !== null)
      ? `${formatMiB(Math.max(...peaks))} peak`
      : 'n/a (no /usr/bin/time)';
  };
  rows.push(
    row(`${version} CLI, Debian model (fast), original image`, debian[0]!.seconds, debian, rss(debian)),
    row(`${version} CLI, reader's model (best_int), prepared image`, same[0]!.seconds, same, rss(same)),
  );
  const ratio = (a: Measured[], b: Measured[], key: 'seconds' | 'cpuSeconds'): string => {
    const x = a.map((r) => r[key]);
    const y = b.map((r) => r[key]);
    return x.includes(null) || y.includes(null)
      ? 'n/a'
      : formatRatio(mean(x as number[]) / mean(y as number[]));
  };
  notes.push(
    `ratio, warm reader / tesseract CLI on the original image: ${ratio(ours, debian, 'seconds')} wall, ${ratio(ours, debian, 'cpuSeconds')} CPU (per screenshot; >1 is slower)`,
    `ratio, warm reader / tesseract CLI doing the same work natively: ${ratio(ours, same, 'seconds')} wall, ${ratio(ours, same, 'cpuSeconds')} CPU`,
    `ratio, first read / warm read: ${formatRatio(first.seconds / mean(ours.map((r) => r.seconds)))}`,
    `tesseract CLI, Debian model, original images, same parser: ${accuracy(scored(debian))}`,
    `tesseract CLI, reader's model, prepared images, same parser: ${accuracy(scored(same))}`,
    'each CLI run is a process of its own (it loads its model every time), single-threaded (OMP_THREAD_LIMIT=1)',
  );
  json['tesseractCli'] = {
    version,
    debianModelOriginalImages: { runs: strip(debian), score: scored(debian) },
    readerModelPreparedImages: { runs: strip(same), score: scored(same) },
  };
  return { columns: COLUMNS, rows, targets: [], notes, json };
}

const COLUMNS = ['OCR', 'first s', 'per image s (mean)', 'p50 s', 'max s', 'CPU s per image', 'memory'];

export const evidenceBench: BenchSection = {
  name: 'evidence',
  title: 'Screenshot reader: seconds per screenshot and memory, beside Debian tesseract',
  run: (settings) => runEvidenceBench(settings.log, process.argv.includes('--quick')),
};
