/**
 * GitLab's numbers on one page depend on each other, so a misread digit usually shows:
 *  - users over subscription = max(0, maximum users − users in subscription);
 *  - billable users and active users never exceed maximum users (the period's peak of them);
 *  - a subscription starts before it ends.
 * Fields that contradict each other are capped below high confidence (which one is wrong cannot be
 * told); the three counts that agree exactly (some users over) are raised to high confidence when
 * each was read fairly well, since a misread that keeps the equation true is improbable.
 */
import type { EvidenceField, ScreenshotEvidence } from './types.js';

export const CONTRADICTION_CAP = 0.6;
/** Each of the three counts must be at least this sure on its own to be raised. */
const AGREEMENT_FLOOR = 0.75;
const AGREEMENT_CONFIDENCE = 0.95;

type NumberField = EvidenceField<number> | null;

function cap<T>(field: EvidenceField<T> | null): EvidenceField<T> | null {
  return field && { ...field, confidence: Math.min(field.confidence, CONTRADICTION_CAP) };
}

function raise(field: EvidenceField<number>): EvidenceField<number> {
  return { ...field, confidence: Math.max(field.confidence, AGREEMENT_CONFIDENCE) };
}

function atMost(e: ScreenshotEvidence, lower: 'billableUsers' | 'activeUsers'): ScreenshotEvidence {
  const small: NumberField = e[lower];
  const peak = e.maximumUsers;
  if (!small || !peak || small.value <= peak.value) return e;
  return { ...e, [lower]: cap(small), maximumUsers: cap(peak) };
}

export function checkConsistency(evidence: ScreenshotEvidence): ScreenshotEvidence {
  let e = evidence;
  const { previousSeats: seats, maximumUsers: peak, usersOverSubscription: over } = e;
  if (seats && peak && over) {
    if (over.value !== Math.max(0, peak.value - seats.value)) {
      e = { ...e, previousSeats: cap(seats), maximumUsers: cap(peak), usersOverSubscription: cap(over) };
    } else if (over.value > 0 && [seats, peak, over].every((f) => f.confidence >= AGREEMENT_FLOOR)) {
      // With nobody over, the equation only says maximum ≤ seats: it proves no digit.
      e = {
        ...e,
        previousSeats: raise(seats),
        maximumUsers: raise(peak),
        usersOverSubscription: raise(over),
      };
    }
  }
  e = atMost(atMost(e, 'billableUsers'), 'activeUsers');
  if (e.startedAt && e.expiresAt && e.startedAt.value >= e.expiresAt.value) {
    e = { ...e, startedAt: cap(e.startedAt), expiresAt: cap(e.expiresAt) };
  }
  return e;
}
