/**
 * Several screenshots of one ticket → one set of values for the form: each field from the image
 * that read it most surely (and which image that was, for its crop); two images that read
 * different values leave the field below high confidence. Also which of the two screenshots the
 * workflow asks for (the dashboard, and the Subscription or older License page) is missing.
 */
import {
  LICENSEE_FIELDS,
  VALUE_FIELDS,
  type EvidenceField,
  type EvidencePage,
  type ScreenshotEvidence,
} from './types.js';

/** A merged field: which image (by index in the list given) it was read from. */
export type SourcedField<T> = EvidenceField<T> & { image: number };

type Sourced<F> = [F] extends [EvidenceField<infer T> | null] ? SourcedField<T> | null : never;

export type MergedEvidence = {
  [K in (typeof VALUE_FIELDS)[number]]: Sourced<ScreenshotEvidence[K]>;
} & {
  licensee: { [K in (typeof LICENSEE_FIELDS)[number]]: Sourced<ScreenshotEvidence['licensee'][K]> };
  /** The page of every image, in order ('unknown' for a refused one). */
  pages: EvidencePage[];
};

const DISAGREEMENT_CAP = 0.6;

function pick<T>(fields: (EvidenceField<T> | null)[]): SourcedField<T> | null {
  let best: SourcedField<T> | null = null;
  fields.forEach((f, image) => {
    if (f && (!best || f.confidence > best.confidence)) best = { ...f, image };
  });
  if (!best) return null;
  const chosen: SourcedField<T> = best;
  const disagree = fields.some((f) => f && f.value !== chosen.value);
  return disagree ? { ...chosen, confidence: Math.min(chosen.confidence, DISAGREEMENT_CAP) } : chosen;
}

/** `null` stands for an image that was refused, so the indexes stay those of the images given. */
export function mergeEvidence(list: readonly (ScreenshotEvidence | null)[]): MergedEvidence {
  const merged = {
    pages: list.map((e) => e?.page ?? 'unknown'),
    licensee: Object.fromEntries(
      LICENSEE_FIELDS.map((k) => [k, pick(list.map((e) => e?.licensee[k] ?? null))]),
    ),
    ...Object.fromEntries(VALUE_FIELDS.map((k) => [k, pick<unknown>(list.map((e) => e?.[k] ?? null))])),
  };
  return merged as MergedEvidence;
}

/** The screenshots the workflow asks for that none of these pages is. */
export function missingScreenshots(pages: readonly EvidencePage[]): ('dashboard' | 'subscription')[] {
  const missing: ('dashboard' | 'subscription')[] = [];
  if (!pages.includes('dashboard')) missing.push('dashboard');
  if (!pages.includes('subscription') && !pages.includes('license')) missing.push('subscription');
  return missing;
}

/** How many fields were read (not null). */
export function fieldsRead(e: Pick<ScreenshotEvidence, (typeof VALUE_FIELDS)[number] | 'licensee'>): number {
  return (
    VALUE_FIELDS.filter((k) => e[k] !== null).length +
    LICENSEE_FIELDS.filter((k) => e.licensee[k] !== null).length
  );
}
