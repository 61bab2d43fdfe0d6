/** Screenshot evidence (issue 21): types, the parser from OCR output, merging, and the use cases. */
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
export type { EvidencePorts, EvidenceRecord, EvidenceStore, KeptImage } from './ports.js';
export { evidenceView, type EvidenceView, type ImageSummary } from './keep.js';
export { readScreenshots, type ReadScreenshotsInput, type UploadedImage } from './read-screenshots.js';
export {
  readTicketScreenshots,
  type ReadTicketInput,
  type SkippedAttachment,
  type TicketEvidenceView,
} from './read-ticket-screenshots.js';
export { CROP_FIELDS, evidenceCrop, evidenceImage, showEvidence, type CropField } from './show.js';
export {
  COMPARED_FIELDS,
  describeScreenshots,
  EVIDENCE_USABLE_HOURS,
  evidenceProblem,
  screenshotsUsed,
  type ScreenshotsUsed,
} from './used.js';
