/**
 * What the screenshot use cases need from outside (issue 21): the reads kept on the server with
 * their images (for the crops on the record), the reader, and the ticket's image attachments.
 */
import type { Actor, Clock, IdGenerator, RateLimiter, Role, TicketEvidence } from '../ports.js';
import type { MergedEvidence } from './merge.js';
import type { ImageFormat, ScreenshotEvidence, ScreenshotReader } from './types.js';

/** One image of a kept read: what it is and what was read from it (its bytes are kept beside). */
export interface KeptImage {
  /** Its place in the read, from 0: the `image` of a merged field. */
  n: number;
  format: ImageFormat;
  size: number;
  width: number;
  height: number;
  /** The uploaded or attached file's name, when it had one. */
  fileName: string | null;
  evidence: ScreenshotEvidence;
}

/** A read kept on the server: what an issue call refers to by `evidenceId`. */
export interface EvidenceRecord {
  id: string;
  createdAt: string;
  /** Who had it read. */
  actor: string;
  actorRole: Role;
  /** Uploaded by the caller, or read from the ticket's attachments. */
  source: 'upload' | 'ticket';
  /** The ticket the screenshots belong to: the ticket read, or a signed request's ticket. */
  ticketId: string | null;
  evidence: MergedEvidence;
  images: KeptImage[];
}

export interface EvidenceStore {
  /** Stores the record and its images' bytes (`bytes[n]` for `images[n]`) in one transaction. */
  insertEvidence(record: EvidenceRecord, bytes: readonly Uint8Array[]): Promise<void>;
  getEvidence(id: string): Promise<EvidenceRecord | null>;
  getEvidenceImage(id: string, n: number): Promise<Uint8Array | null>;
}

export interface EvidencePorts {
  clock: Clock;
  ids: IdGenerator;
  /** The HTTP API's per-caller limits (shared with issue/resend); the CLI has none. */
  limits?: RateLimiter;
  evidence?: EvidenceStore;
  reader?: ScreenshotReader;
  tickets?: TicketEvidence;
}

/** Who may have screenshots read: every signed-in role (engineer and up). */
export const READER_ROLES: readonly Actor['role'][] = ['engineer', 'licensing', 'admin'];
