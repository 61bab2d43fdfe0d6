/**
 * A kept read, one of its images, or the crop around a field read from it (for the console's
 * "read from screenshot" marks and the record). Every signed-in role may look, as at any record.
 */
import { RECORD_ID_MAX_LENGTH } from '../limits.js';
import { fail, useCase, type Outcome } from '../outcome.js';
import { evidencePortsOf, evidenceView, type EvidenceView } from './keep.js';
import type { SourcedField } from './merge.js';
import type { EvidencePorts, EvidenceRecord } from './ports.js';
import { IMAGE_MEDIA_TYPES, LICENSEE_FIELDS, VALUE_FIELDS, type Box } from './types.js';

/** The fields a crop may be asked for: the value fields and `licensee.name|email|company`. */
export const CROP_FIELDS = [...VALUE_FIELDS, ...LICENSEE_FIELDS.map((k) => `licensee.${k}` as const)];
export type CropField = (typeof CROP_FIELDS)[number];

async function load(ports: EvidencePorts, id: string): Promise<EvidenceRecord> {
  const { evidence } = evidencePortsOf(ports);
  const record = id.length <= RECORD_ID_MAX_LENGTH ? await evidence.getEvidence(id) : null;
  if (!record) fail('NOT_FOUND', `no screenshots were read with the id ${JSON.stringify(id.slice(0, 64))}`);
  return record;
}

export function showEvidence(input: { evidenceId: string }, ports: EvidencePorts): Outcome<EvidenceView> {
  return useCase(async () => evidenceView(await load(ports, input.evidenceId)));
}

export interface EvidenceImage {
  bytes: Uint8Array;
  mediaType: string;
  fileName: string;
}

export function evidenceImage(
  input: { evidenceId: string; n: number },
  ports: EvidencePorts,
): Outcome<EvidenceImage> {
  return useCase(async () => {
    const record = await load(ports, input.evidenceId);
    const image = record.images.find((i) => i.n === input.n);
    const bytes = image ? await evidencePortsOf(ports).evidence.getEvidenceImage(record.id, image.n) : null;
    if (!image || !bytes) fail('NOT_FOUND', `the read ${record.id} has no image ${input.n}`);
    return {
      bytes,
      mediaType: IMAGE_MEDIA_TYPES[image.format],
      fileName: `${record.id}-${image.n}.${image.format === 'jpeg' ? 'jpg' : image.format}`,
    };
  });
}

export interface EvidenceCrop {
  field: CropField;
  image: number;
  box: Box;
  /** PNG. */
  png: Uint8Array;
}

export function evidenceCrop(
  input: { evidenceId: string; field: string },
  ports: EvidencePorts,
): Outcome<EvidenceCrop> {
  return useCase(async () => {
    const { evidence, reader } = evidencePortsOf(ports);
    const field = CROP_FIELDS.find((f) => f === input.field);
    if (!field) fail('VALIDATION_FAILED', `field: one of ${CROP_FIELDS.join(', ')}`, { field: 'field' });
    const record = await load(ports, input.evidenceId);
    const e = record.evidence;
    const read: SourcedField<unknown> | null = field.startsWith('licensee.')
      ? e.licensee[field.slice('licensee.'.length) as (typeof LICENSEE_FIELDS)[number]]
      : e[field as (typeof VALUE_FIELDS)[number]];
    if (!read) fail('NOT_FOUND', `${field} was not read from these screenshots`);
    const bytes = await evidence.getEvidenceImage(record.id, read.image);
    if (!bytes) fail('NOT_FOUND', `the image ${read.image} of ${record.id} is no longer kept`);
    return { field, image: read.image, box: read.box, png: await reader.crop(bytes, read.box) };
  });
}
