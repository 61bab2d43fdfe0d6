/**
 * The kept screenshot read an issue or eligibility call names by `evidenceId` (issue 21): it must
 * exist, be recent and belong to the request's ticket, or the call is invalid (rule 1, naming the
 * field). The rules still run on the values sent; the read is recorded beside them.
 */
import type { Finding, NormalizedRequest, RefusalCode } from '../eligibility/index.js';
import {
  evidenceProblem,
  screenshotsUsed,
  type EvidenceRecord,
  type ScreenshotsUsed,
} from '../evidence/index.js';
import { RECORD_ID_MAX_LENGTH } from '../limits.js';
import type { IssuancePorts } from './context.js';

export interface LinkedEvidence {
  record: EvidenceRecord | null;
  problem: Finding<RefusalCode> | null;
}

const invalid = (message: string): LinkedEvidence => ({
  record: null,
  problem: { code: 'INPUT_INVALID', field: 'evidenceId', message: `The field "evidenceId" ${message}.` },
});

export async function linkedEvidence(
  evidenceId: unknown,
  ticketId: string | null,
  ports: Pick<IssuancePorts, 'evidence' | 'clock'>,
): Promise<LinkedEvidence> {
  if (evidenceId === undefined || evidenceId === null) return { record: null, problem: null };
  if (typeof evidenceId !== 'string' || evidenceId.length > RECORD_ID_MAX_LENGTH || evidenceId.trim() === '')
    return invalid('must be the id of screenshots read by Lifeline (evd_…)');
  const record = ports.evidence ? await ports.evidence.getEvidence(evidenceId.trim()) : null;
  const problem = evidenceProblem(record, ticketId, ports.clock.now());
  return problem ? invalid(`names screenshots that cannot be used: ${problem}`) : { record, problem: null };
}

/** What the request records of the screenshots: null without an evidenceId or without valid input. */
export const recordedScreenshots = (
  linked: LinkedEvidence,
  request: NormalizedRequest | null,
): ScreenshotsUsed | null => (linked.record && request ? screenshotsUsed(linked.record, request) : null);
