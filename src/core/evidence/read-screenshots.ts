/**
 * `POST /api/v1/evidence/screenshots`: the engineer's screenshots read and kept on the server, so an
 * issue call can refer to them by `evidenceId`. Every image is checked against the bounds before
 * anything is counted or read; one image refused refuses the upload (nothing is kept), with the
 * reader's code and the image named.
 */
import { SCREENSHOTS_PER_READ } from '../limits.js';
import { fail, useCase, type Outcome } from '../outcome.js';
import type { Actor } from '../ports.js';
import {
  countRead,
  evidencePortsOf,
  evidenceView,
  fileNameOf,
  keepReads,
  requireReaderRole,
  type EvidenceView,
  type ImageRead,
} from './keep.js';
import type { EvidencePorts } from './ports.js';

export interface UploadedImage {
  bytes: Uint8Array;
  fileName?: string | null;
}

export interface ReadScreenshotsInput {
  images: readonly UploadedImage[];
  actor: Actor;
}

const named = (i: number, image: UploadedImage): string => {
  const name = fileNameOf(image.fileName);
  return `images[${i}]${name ? ` (${JSON.stringify(name)})` : ''}`;
};

export function readScreenshots(input: ReadScreenshotsInput, ports: EvidencePorts): Outcome<EvidenceView> {
  return useCase(async () => {
    const { reader } = evidencePortsOf(ports);
    requireReaderRole(input.actor);
    const { images } = input;
    if (images.length === 0)
      fail('VALIDATION_FAILED', 'images: send at least one screenshot (PNG, JPEG or WebP)', {
        field: 'images',
      });
    if (images.length > SCREENSHOTS_PER_READ)
      fail('VALIDATION_FAILED', `images: at most ${SCREENSHOTS_PER_READ} screenshots at once`, {
        field: 'images',
      });
    for (const [i, image] of images.entries()) {
      const checked = await reader.inspect(image.bytes);
      if (!checked.ok) fail(checked.code, `${named(i, image)}: ${checked.message}`, { field: 'images' });
    }
    await countRead(ports, input.actor);
    const reads: ImageRead[] = [];
    for (const [i, image] of images.entries()) {
      const read = await reader.read(image.bytes);
      if (!read.ok) fail(read.code, `${named(i, image)}: ${read.message}`, { field: 'images' });
      reads.push({
        bytes: image.bytes,
        fileName: fileNameOf(image.fileName),
        ...read.image,
        evidence: read.evidence,
      });
    }
    // A signed request's screenshots belong to its ticket.
    const ticketId = input.actor.origin?.ticketId ?? null;
    return evidenceView(await keepReads(reads, { actor: input.actor, source: 'upload', ticketId }, ports));
  });
}
