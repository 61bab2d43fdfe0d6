/** Screenshot evidence (issue 21): types, the parser from OCR output, and merging several images. */
export * from './types.js';
export { evidenceFromOcr } from './parse.js';
export {
  mergeEvidence,
  missingScreenshots,
  fieldsRead,
  type MergedEvidence,
  type SourcedField,
} from './merge.js';
export { parseCountText, parseDateText, parseEmailText, parsePlanText, parseVersionText } from './values.js';
