/**
 * A kept screenshot read, as an issue call refers to it (`evidenceId`): the rules run on the values
 * the engineer sent, and the request records beside them what the screenshots said and which of
 * the values the engineer changed from what was read ("values sent by a client are not evidence").
 */
import type { CalendarDate } from '../dates.js';
import type { NormalizedRequest } from '../eligibility/index.js';
import { missingScreenshots, type MergedEvidence } from './merge.js';
import type { EvidenceRecord } from './ports.js';
import { COMPARED_FIELDS, FIELD_LABELS, type ComparedField } from './fields.js';
import type { EvidencePage } from './types.js';

export { COMPARED_FIELDS, type ComparedField };
/** Also recorded: read, shown, not sent with a request. */
const RECORDED_FIELDS = [...COMPARED_FIELDS, 'activeUsers', 'gitlabVersion'] as const;
type RecordedField = (typeof RECORDED_FIELDS)[number];

/** A kept read may be used by an issue call for this long after it was made. */
export const EVIDENCE_USABLE_HOURS = 24;

export interface ReadValue {
  value: string | number;
  confidence: number;
  /** The image it was read from (its place in the read, from 0). */
  image: number;
}

export interface ChangedField {
  field: ComparedField;
  read: string | number;
  /** What the request was sent with instead (null: left out). */
  sent: string | number | null;
}

/** What a request records of the screenshots it was made with. */
export interface ScreenshotsUsed {
  evidenceId: string;
  readAt: string;
  pages: EvidencePage[];
  missing: ('dashboard' | 'subscription')[];
  read: Partial<Record<RecordedField, ReadValue>>;
  changed: ChangedField[];
}

type Sent = Pick<NormalizedRequest, ComparedField>;

const same = (read: string | number, sent: string | number | null): boolean =>
  typeof read === 'string' && typeof sent === 'string'
    ? read.trim().toLowerCase() === sent.trim().toLowerCase()
    : read === sent;

/** The record of a kept read beside the values the request was sent with. */
export function screenshotsUsed(record: EvidenceRecord, sent: Sent): ScreenshotsUsed {
  const e: MergedEvidence = record.evidence;
  const read: ScreenshotsUsed['read'] = {};
  for (const field of RECORDED_FIELDS) {
    const f = e[field];
    if (f) read[field] = { value: f.value, confidence: f.confidence, image: f.image };
  }
  const changed: ChangedField[] = [];
  for (const field of COMPARED_FIELDS) {
    const r = read[field];
    const s: string | number | CalendarDate | null = sent[field];
    if (r && !same(r.value, s)) changed.push({ field, read: r.value, sent: s });
  }
  return {
    evidenceId: record.id,
    readAt: record.createdAt,
    pages: e.pages,
    missing: missingScreenshots(e.pages),
    read,
    changed,
  };
}

/**
 * Why a kept read cannot be used by this request, or null: it must exist, be recent, and, when it
 * belongs to a ticket, belong to this one.
 */
export function evidenceProblem(
  record: EvidenceRecord | null,
  ticketId: string | null,
  now: Date,
): string | null {
  if (!record) return 'no screenshots were read with this id (upload them again)';
  const age = now.getTime() - Date.parse(record.createdAt);
  if (!(age <= EVIDENCE_USABLE_HOURS * 3_600_000))
    return `the screenshots were read more than ${EVIDENCE_USABLE_HOURS} hours ago; read them again`;
  if (record.ticketId !== null && ticketId !== null && record.ticketId !== ticketId)
    return `the screenshots belong to ticket ${record.ticketId}, not this one`;
  return null;
}

const LABELS: Record<RecordedField, string> = FIELD_LABELS;
const shown = (v: string | number | null): string => (v === null ? 'nothing' : String(v));

/**
 * The record in two plain phrases, for the tracker issue, the CLI and the console: what was read,
 * and what the engineer changed (each consumer escapes them for its format).
 */
export function describeScreenshots(used: ScreenshotsUsed): { read: string; changed: string } {
  const read = RECORDED_FIELDS.flatMap((k) => {
    const r = used.read[k];
    return r ? [`${LABELS[k].toLowerCase()} ${r.value}`] : [];
  });
  const changed = used.changed.map(
    (c) => `${LABELS[c.field].toLowerCase()} (read ${c.read}, sent ${shown(c.sent)})`,
  );
  return {
    read: read.length > 0 ? read.join(', ') : 'nothing',
    changed: changed.length > 0 ? changed.join(', ') : 'nothing',
  };
}
