/**
 * What the screenshot use cases share: who may have screenshots read, the call counted against the
 * caller's limit, a set of reads kept as one record, and the view every interface shows of it.
 */
import { LifelineError } from '../errors.js';
import { fail } from '../outcome.js';
import type { Actor } from '../ports.js';
import { fieldsRead, mergeEvidence, missingScreenshots, type MergedEvidence } from './merge.js';
import { READER_ROLES, type EvidencePorts, type EvidenceRecord, type EvidenceStore } from './ports.js';
import {
  IMAGE_MEDIA_TYPES,
  type EvidencePage,
  type ImageFormat,
  type ScreenshotEvidence,
  type ScreenshotReader,
} from './types.js';

/** One image read, with its bytes (kept for the crops) and its file's name. */
export interface ImageRead {
  bytes: Uint8Array;
  fileName: string | null;
  format: ImageFormat;
  width: number;
  height: number;
  evidence: ScreenshotEvidence;
}

export interface ImageSummary {
  n: number;
  page: EvidencePage;
  mediaType: (typeof IMAGE_MEDIA_TYPES)[ImageFormat];
  size: number;
  width: number;
  height: number;
  fileName: string | null;
  /** How many fields were read from this image. */
  fieldsRead: number;
}

/** A kept read as the API, the CLI and the forms show it. */
export interface EvidenceView {
  evidenceId: string;
  createdAt: string;
  source: EvidenceRecord['source'];
  ticketId: string | null;
  actor: string;
  evidence: MergedEvidence;
  /** The screenshots the workflow asks for that none of the images is. */
  missing: ('dashboard' | 'subscription')[];
  images: ImageSummary[];
}

export function evidenceView(record: EvidenceRecord): EvidenceView {
  return {
    evidenceId: record.id,
    createdAt: record.createdAt,
    source: record.source,
    ticketId: record.ticketId,
    actor: record.actor,
    evidence: record.evidence,
    missing: missingScreenshots(record.evidence.pages),
    images: record.images.map((i) => ({
      n: i.n,
      page: i.evidence.page,
      mediaType: IMAGE_MEDIA_TYPES[i.format],
      size: i.size,
      width: i.width,
      height: i.height,
      fileName: i.fileName,
      fieldsRead: fieldsRead(i.evidence),
    })),
  };
}

/** The store and the reader, which the composition root always provides. */
export function evidencePortsOf(ports: EvidencePorts): { evidence: EvidenceStore; reader: ScreenshotReader } {
  if (!ports.evidence || !ports.reader)
    throw new LifelineError('CONFIG_INVALID', 'the screenshot reader is not wired into this app');
  return { evidence: ports.evidence, reader: ports.reader };
}

export function requireReaderRole(actor: Actor): void {
  if (!READER_ROLES.includes(actor.role))
    fail('FORBIDDEN', `only ${READER_ROLES.join(', ')} may have screenshots read`);
}

/**
 * Counts a read that passed authorization and validation against the caller's limit (the one of
 * issue and resend, PRODUCT.md §10), before any image is read.
 */
export async function countRead(ports: EvidencePorts, actor: Actor): Promise<void> {
  if (!ports.limits) return;
  const decision = await ports.limits.take(actor, null, ports.clock.now().getTime());
  if (decision.allowed) return;
  fail(
    'RATE_LIMITED',
    `too many screenshot reads, issue and resend calls in the last hour for this caller; retry in ${decision.retryAfterSeconds} s`,
    { retryAfterSeconds: decision.retryAfterSeconds },
  );
}

/** A file's name as it is kept: printable, at most 200 characters. */
export function fileNameOf(name: string | null | undefined): string | null {
  if (typeof name !== 'string') return null;
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return clean === '' ? null : clean.slice(0, 200);
}

/** Keeps the reads as one record (merged, with each image's bytes) and returns it. */
export async function keepReads(
  reads: readonly ImageRead[],
  meta: { actor: Actor; source: EvidenceRecord['source']; ticketId: string | null },
  ports: EvidencePorts,
): Promise<EvidenceRecord> {
  const { evidence } = evidencePortsOf(ports);
  const record: EvidenceRecord = {
    id: ports.ids.next('evd'),
    createdAt: ports.clock.now().toISOString(),
    actor: meta.actor.name,
    actorRole: meta.actor.role,
    source: meta.source,
    ticketId: meta.ticketId,
    evidence: mergeEvidence(reads.map((r) => r.evidence)),
    images: reads.map((r, n) => ({
      n,
      format: r.format,
      size: r.bytes.length,
      width: r.width,
      height: r.height,
      fileName: r.fileName,
      evidence: r.evidence,
    })),
  };
  await evidence.insertEvidence(
    record,
    reads.map((r) => r.bytes),
  );
  return record;
}
