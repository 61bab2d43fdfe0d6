/**
 * The screenshot reader of a process, made on its first use: tesseract.js and sharp are loaded, and
 * the OCR worker started, only when a screenshot is first read (a command or a server that never
 * reads one never loads them). Then it stays warm until `close`.
 */
import type { ScreenshotReader } from '../../core/evidence/index.js';

export function readerOnFirstUse(): ScreenshotReader {
  let made: Promise<ScreenshotReader> | null = null;
  const reader = (): Promise<ScreenshotReader> =>
    (made ??= import('./reader.js').then((m) => m.createScreenshotReader()));
  return {
    read: async (image) => (await reader()).read(image),
    inspect: async (image) => (await reader()).inspect(image),
    crop: async (image, box) => (await reader()).crop(image, box),
    close: async () => {
      if (made) await (await made).close();
    },
  };
}
