/**
 * `POST /api/v1/evidence/ticket/{ticketId}`: the server reads the ticket's image attachments through
 * the ticket system (when connected), keeps what it read, and says which of the two screenshots of
 * step 1 (the dashboard, the subscription page) is missing. A signed request (the sidebar) may read
 * only its own ticket. Attachments that are not screenshots are left out and listed, never fatal.
 */
import { SCREENSHOT_MAX_BYTES, SCREENSHOTS_PER_READ, TICKET_ID_MAX_LENGTH } from '../limits.js';
import { fail, useCase, type Outcome } from '../outcome.js';
import type { Actor, TicketImage } from '../ports.js';
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
import { mergeEvidence, missingScreenshots } from './merge.js';
import type { EvidencePorts } from './ports.js';
import { IMAGE_MEDIA_TYPES, type ImageRefusalCode } from './types.js';

export interface ReadTicketInput {
  ticketId: string;
  actor: Actor;
}

/** An attachment not read, and why. */
export interface SkippedAttachment {
  fileName: string | null;
  code: ImageRefusalCode | 'NOT_READ';
  message: string;
}

export interface TicketEvidenceView extends Omit<EvidenceView, 'evidenceId' | 'createdAt'> {
  /** Null when no attachment could be read (nothing was kept). */
  evidenceId: string | null;
  createdAt: string | null;
  /** How many image attachments the ticket has. */
  attachments: number;
  skipped: SkippedAttachment[];
}

const READ_TYPES = new Set<string>(Object.values(IMAGE_MEDIA_TYPES));

export function readTicketScreenshots(
  input: ReadTicketInput,
  ports: EvidencePorts,
): Outcome<TicketEvidenceView> {
  return useCase(async () => {
    const { reader } = evidencePortsOf(ports);
    requireReaderRole(input.actor);
    const { ticketId, actor } = input;
    if (ticketId.length > TICKET_ID_MAX_LENGTH || !/^[1-9][0-9]*$/.test(ticketId))
      fail('VALIDATION_FAILED', 'ticketId: must be a ticket number', { field: 'ticketId' });
    if (actor.origin && actor.origin.ticketId !== ticketId)
      fail(
        'FORBIDDEN',
        `this signed request was made on ${actor.origin.ticketId ? `ticket ${actor.origin.ticketId}` : 'no ticket'}; it may read only that ticket's screenshots`,
      );
    const tickets = ports.tickets;
    if (!tickets)
      fail(
        'INVALID_STATE',
        'the ticket system is not connected (TICKETS=zendesk): upload the screenshots instead',
      );
    await countRead(ports, actor);

    const listed = await tickets.imageAttachments(ticketId);
    const skipped: SkippedAttachment[] = [];
    const candidates: TicketImage[] = [];
    for (const image of listed) {
      const fileName = fileNameOf(image.fileName);
      if (!READ_TYPES.has(image.contentType.toLowerCase()))
        skipped.push({ fileName, code: 'IMAGE_UNSUPPORTED', message: `${image.contentType} is not read` });
      else if (image.size !== null && image.size > SCREENSHOT_MAX_BYTES)
        skipped.push({ fileName, code: 'IMAGE_TOO_LARGE', message: `${image.size} bytes` });
      else candidates.push(image);
    }
    // The newest ones: a customer asked again sends better screenshots later.
    const chosen = candidates.slice(-SCREENSHOTS_PER_READ);
    for (const image of candidates.slice(0, -SCREENSHOTS_PER_READ)) {
      skipped.push({
        fileName: fileNameOf(image.fileName),
        code: 'NOT_READ',
        message: `only the newest ${SCREENSHOTS_PER_READ} images are read`,
      });
    }

    const reads: ImageRead[] = [];
    for (const image of chosen) {
      const fileName = fileNameOf(image.fileName);
      const bytes = await tickets.downloadAttachment(ticketId, image, SCREENSHOT_MAX_BYTES);
      if (!bytes) {
        skipped.push({ fileName, code: 'IMAGE_TOO_LARGE', message: 'larger than the limit' });
        continue;
      }
      const read = await reader.read(bytes);
      if (!read.ok) skipped.push({ fileName, code: read.code, message: read.message });
      else reads.push({ bytes, fileName, ...read.image, evidence: read.evidence });
    }

    const ticket = { attachments: listed.length, skipped };
    if (reads.length === 0) {
      const evidence = mergeEvidence([]);
      return {
        evidenceId: null,
        createdAt: null,
        source: 'ticket',
        ticketId,
        actor: actor.name,
        evidence,
        missing: missingScreenshots(evidence.pages),
        images: [],
        ...ticket,
      };
    }
    const record = await keepReads(reads, { actor, source: 'ticket', ticketId }, ports);
    return { ...evidenceView(record), ...ticket };
  });
}
