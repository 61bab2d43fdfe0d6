/**
 * The form's fields beside a screenshot read: which of them a read fills (only empty ones: a value
 * typed stays), and for each field whether it holds what was read, how sure the read was, and
 * whether the decoded license file says otherwise.
 */
import { COMPARED_FIELDS, HIGH_CONFIDENCE, type ComparedField } from '../../../src/core/evidence/fields.js';
import type { EvidenceJson, LicenseReport, ReadField } from '../api.js';
import type { Fields } from './fields.js';

/** The form fields a screenshot can fill (those an issue call sends). */
export type ReadFieldName = ComparedField;

export function filledFromScreenshots(fields: Fields, read: EvidenceJson): Fields {
  const next = { ...fields };
  for (const name of COMPARED_FIELDS) {
    const r = read.evidence[name];
    if (r && next[name].trim() === '') next[name] = String(r.value);
  }
  return next;
}

export interface ReadMarkState {
  field: ReadFieldName;
  read: ReadField;
  /** The field holds what was read. */
  matches: boolean;
  /** Read with low confidence: to be checked against the screenshot. */
  check: boolean;
  /** What the decoded license file says instead, when it disagrees. */
  licenseSays: string | null;
}

const same = (a: string | number, b: string | number): boolean =>
  String(a).trim().toLowerCase() === String(b).trim().toLowerCase();

function fromLicense(field: ReadFieldName, report: LicenseReport | null): string | number | null {
  if (!report?.valid) return null;
  if (field === 'plan') return report.plan;
  if (field === 'expiresAt') return report.expiresAt;
  if (field === 'previousSeats') return report.activeUserCount;
  return null;
}

export function readMark(
  field: ReadFieldName,
  fields: Fields,
  read: EvidenceJson | null,
  license: LicenseReport | null,
): ReadMarkState | null {
  const r = read?.evidence[field];
  if (!r) return null;
  const licensed = fromLicense(field, license);
  return {
    field,
    read: r,
    matches: same(r.value, fields[field]),
    check: r.confidence < HIGH_CONFIDENCE,
    licenseSays: licensed !== null && !same(r.value, licensed) ? String(licensed) : null,
  };
}
