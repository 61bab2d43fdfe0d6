/**
 * The screenshot reader: one tesseract.js worker thread kept warm and reused, one image at a time,
 * with a time limit per image (past it the worker is ended and the next read starts a new one).
 * Nothing is downloaded or cached: the English data comes from @tesseract.js-data/eng in
 * node_modules (`langPath`), the WebAssembly core from tesseract.js-core, and `cacheMethod: 'none'`
 * keeps tesseract.js from reading or writing a cache file.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import {
  evidenceFromOcr,
  type Box,
  type OcrBlock,
  type ScreenshotRead,
  type ScreenshotReader,
} from '../../core/evidence/index.js';
import { cropImage, IMAGE_LIMITS, inspectImage, prepareImage, type ImageLimits } from './image.js';

const require = createRequire(import.meta.url);

/** The directory of eng.traineddata.gz (the LSTM model tesseract.js itself would fetch). */
export function englishDataPath(): string {
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

export interface ReaderOptions {
  /** Longest OCR of one image, in ms (default 20 s). */
  timeoutMs?: number;
  /** Longest start of the worker (loading the model), in ms (default 60 s). */
  startTimeoutMs?: number;
  limits?: ImageLimits;
  /**
   * Reads after which the worker is replaced by a new one (default 50): tesseract.js's memory grows
   * slowly from read to read, and its authors advise refreshing workers now and then.
   */
  recycleAfter?: number;
}

export interface WarmScreenshotReader extends ScreenshotReader {
  /** Reads one image; `timeoutMs` overrides the reader's time limit for it. */
  read(image: Uint8Array, options?: { timeoutMs?: number }): Promise<ScreenshotRead>;
  /** Starts the worker now rather than at the first read. */
  warm(): Promise<void>;
}

class TimedOut extends Error {}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`over ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const scaleBox = (b: Box, s: number): Box => ({
  x0: Math.floor(b.x0 / s),
  y0: Math.floor(b.y0 / s),
  x1: Math.ceil(b.x1 / s),
  y1: Math.ceil(b.y1 / s),
});

/** tesseract.js's blocks, boxes back in the original image's pixels. */
function originalPixels(blocks: OcrBlock[], scale: number): OcrBlock[] {
  return blocks.map((block) => ({
    paragraphs: block.paragraphs.map((p) => ({
      lines: p.lines.map((l) => ({
        text: l.text,
        confidence: l.confidence,
        bbox: scaleBox(l.bbox, scale),
        words: l.words.map((w) => ({
          text: w.text,
          confidence: w.confidence,
          bbox: scaleBox(w.bbox, scale),
        })),
      })),
    })),
  }));
}

export function createScreenshotReader(options: ReaderOptions = {}): WarmScreenshotReader {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const limits = options.limits ?? IMAGE_LIMITS;
  const recycleAfter = options.recycleAfter ?? 50;
  let worker: Promise<Worker> | null = null;
  let readsByWorker = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  function start(): Promise<Worker> {
    if (!worker) readsByWorker = 0;
    worker ??= (async () => {
      const w = await createWorker('eng', OEM.LSTM_ONLY, {
        langPath: englishDataPath(),
        cacheMethod: 'none',
        gzip: true,
        logger: () => {},
        errorHandler: () => {},
      });
      // Screenshots are scattered labels and values, not a column of prose.
      await w.setParameters({ tessedit_pageseg_mode: PSM.SPARSE_TEXT, user_defined_dpi: '144' });
      return w;
    })();
    return worker;
  }

  async function stop(): Promise<void> {
    const current = worker;
    worker = null;
    if (current) await current.then((w) => w.terminate()).catch(() => {});
  }

  async function readOne(bytes: Uint8Array, timeoutMs: number): Promise<ScreenshotRead> {
    const prepared = await prepareImage(bytes, limits);
    if (!prepared.ok) return prepared;
    const { image } = prepared;
    const w = await within(start(), startTimeoutMs).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
    let blocks: OcrBlock[];
    try {
      const result = await within(w.recognize(image.png, {}, { blocks: true, text: false }), timeoutMs);
      blocks = (result.data.blocks ?? []) as OcrBlock[];
    } catch (error) {
      await stop(); // a worker past its time may still be busy: a new one serves the next read
      if (error instanceof TimedOut) {
        return {
          ok: false,
          code: 'OCR_TIMEOUT',
          message: `Reading the image took longer than ${timeoutMs / 1000} s; it was given up.`,
        };
      }
      throw error;
    }
    if (++readsByWorker >= recycleAfter) await stop();
    const evidence = evidenceFromOcr(originalPixels(blocks, image.scale), {
      width: image.width,
      height: image.height,
    });
    return { ok: true, evidence, image: { format: image.format, width: image.width, height: image.height } };
  }

  return {
    warm: async () => {
      await within(start(), startTimeoutMs);
    },
    read(bytes, readOptions = {}) {
      if (closed) return Promise.reject(new Error('the screenshot reader is closed'));
      const run = queue.then(() => readOne(bytes, readOptions.timeoutMs ?? timeoutMs));
      queue = run.catch(() => {});
      return run;
    },
    inspect: (bytes) => inspectImage(bytes, limits),
    crop: (bytes, box) => cropImage(bytes, box, limits),
    close: async () => {
      closed = true;
      await queue;
      await stop();
    },
  };
}
