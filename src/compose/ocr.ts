/** Composition for `lifeline evidence read`: the offline screenshot reader and its image bounds. */
export { createScreenshotReader } from '../adapters/ocr/reader.js';
export { IMAGE_LIMITS } from '../adapters/ocr/image.js';
