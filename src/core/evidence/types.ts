/**
 * Screenshot evidence (issue 21): what a customer's screenshot of GitLab's Subscription, older
 * License, or Admin dashboard page says, field by field. Every field carries how sure the reader
 * is and the text and place it was read from; a field that could not be read is null, never guessed.
 */
import type { CalendarDate } from '../dates.js';

/** A rectangle in the image's pixels, as tesseract gives it (x1, y1 exclusive). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** One field read from an image. */
export interface EvidenceField<T> {
  value: T;
  /** 0–1; high (≥ HIGH_CONFIDENCE) means the reader would not expect it to be wrong. */
  confidence: number;
  /** The text the value was read from, as the OCR gave it. */
  text: string;
  /** Where in the image (original pixels) the value was read: for the crop shown to the engineer. */
  box: Box;
}

export { HIGH_CONFIDENCE } from './fields.js';

export type EvidencePage = 'subscription' | 'license' | 'dashboard' | 'unknown';

/**
 * Plans as GitLab names them today. GitLab.com's tier names of before 2021 map onto them (Bronze =
 * starter, Silver = premium, Gold = ultimate), "Core" is the old name of "Free", and a trial keeps
 * GitLab's own plan code (`ultimate_trial`), so the eligibility rules see it is not a paid plan.
 */
export const EVIDENCE_PLANS = [
  'starter',
  'premium',
  'ultimate',
  'free',
  'premium_trial',
  'ultimate_trial',
] as const;
export type EvidencePlan = (typeof EVIDENCE_PLANS)[number];

type Field<T> = EvidenceField<T> | null;

export interface Licensee {
  name: Field<string>;
  email: Field<string>;
  company: Field<string>;
}

export interface ScreenshotEvidence {
  page: EvidencePage;
  plan: Field<EvidencePlan>;
  startedAt: Field<CalendarDate>;
  expiresAt: Field<CalendarDate>;
  /** "Users in subscription" (Subscription page) or "Users in License" (older License page). */
  previousSeats: Field<number>;
  billableUsers: Field<number>;
  maximumUsers: Field<number>;
  /** "Users over subscription" / "Users over License". */
  usersOverSubscription: Field<number>;
  licensee: Licensee;
  /** Dashboard and older License page. */
  activeUsers: Field<number>;
  /** Dashboard: the GitLab component's version, e.g. "16.5.1-ee". */
  gitlabVersion: Field<string>;
}

export { FIELD_LABELS, VALUE_FIELDS, type ValueFieldName } from './fields.js';
export const LICENSEE_FIELDS = ['name', 'email', 'company'] as const;
export type LicenseeFieldName = (typeof LICENSEE_FIELDS)[number];

// ------------------------------------------------------------------------------------------------
// OCR output, as tesseract.js gives it (a structural subset, so the parser takes its result as is).

export interface OcrWord {
  text: string;
  /** 0–100, tesseract's own scale. */
  confidence: number;
  bbox: Box;
}

export interface OcrLine {
  text: string;
  confidence: number;
  bbox: Box;
  words: OcrWord[];
}

/** tesseract.js's `blocks` output: blocks → paragraphs → lines → words. */
export interface OcrBlock {
  paragraphs: { lines: OcrLine[] }[];
}

// ------------------------------------------------------------------------------------------------
// The reader port: what the adapter behind it does, in the core's terms.

/** Why an image was refused before any text was read; each is a code of src/core/errors.ts. */
export type ImageRefusalCode = 'IMAGE_UNSUPPORTED' | 'IMAGE_TOO_LARGE' | 'IMAGE_UNREADABLE' | 'OCR_TIMEOUT';

export type ScreenshotRead =
  | {
      ok: true;
      evidence: ScreenshotEvidence;
      image: { format: ImageFormat; width: number; height: number };
    }
  | { ok: false; code: ImageRefusalCode; message: string };

/** The image formats read, by media type. */
export const IMAGE_MEDIA_TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;
export type ImageFormat = keyof typeof IMAGE_MEDIA_TYPES;

/** What an image's header says, checked against the bounds, before anything is decoded. */
export type ImageCheck =
  | { ok: true; format: ImageFormat; width: number; height: number }
  | { ok: false; code: ImageRefusalCode; message: string };

export interface ScreenshotReader {
  read(image: Uint8Array): Promise<ScreenshotRead>;
  /** The bounds `read` applies first (size, format, dimensions), without decoding the image. */
  inspect(image: Uint8Array): Promise<ImageCheck>;
  /** The part of an image around `box` (original pixels), as PNG: the crop shown beside a field. */
  crop(image: Uint8Array, box: Box): Promise<Uint8Array>;
  close(): Promise<void>;
}
