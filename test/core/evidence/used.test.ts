/** A kept read beside the values an issue call sent: what was read, what changed, when it may be used. */
import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../../../src/core/dates.js';
import {
  describeScreenshots,
  evidenceProblem,
  mergeEvidence,
  screenshotsUsed,
  type EvidenceRecord,
  type ScreenshotEvidence,
} from '../../../src/core/evidence/index.js';

const box = { x0: 1, y0: 2, x1: 3, y1: 4 };
const f = <T>(value: T, confidence = 0.95) => ({ value, confidence, text: String(value), box });
const subscription: ScreenshotEvidence = {
  page: 'subscription',
  plan: f('premium' as const),
  startedAt: f('2025-03-07' as CalendarDate),
  expiresAt: f('2026-03-07' as CalendarDate),
  previousSeats: f(250),
  billableUsers: f(262),
  maximumUsers: f(271, 0.7),
  usersOverSubscription: f(21),
  licensee: { name: f('Jane Doe'), email: null, company: null },
  activeUsers: null,
  gitlabVersion: null,
};
const record = (over: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
  id: 'evd_1',
  createdAt: '2026-11-28T10:00:00.000Z',
  actor: 'erin',
  actorRole: 'engineer',
  source: 'upload',
  ticketId: null,
  evidence: mergeEvidence([subscription]),
  images: [],
  ...over,
});
const sent = {
  plan: 'Premium',
  expiresAt: '2026-03-07' as CalendarDate,
  previousSeats: 260,
  maximumUsers: 271,
  billableUsers: null,
};

describe('screenshotsUsed', () => {
  it('records the values read and each field sent otherwise (plan case-insensitively)', () => {
    const used = screenshotsUsed(record(), sent);
    expect(used.read).toEqual({
      plan: { value: 'premium', confidence: 0.95, image: 0 },
      expiresAt: { value: '2026-03-07', confidence: 0.95, image: 0 },
      previousSeats: { value: 250, confidence: 0.95, image: 0 },
      maximumUsers: { value: 271, confidence: 0.7, image: 0 },
      billableUsers: { value: 262, confidence: 0.95, image: 0 },
    });
    expect(used.changed).toEqual([
      { field: 'previousSeats', read: 250, sent: 260 },
      { field: 'billableUsers', read: 262, sent: null },
    ]);
    expect(used.missing).toEqual(['dashboard']);
    // The licensee is not copied onto the request (personal data stays with the read).
    expect(JSON.stringify(used)).not.toContain('Jane');
    expect(describeScreenshots(used)).toEqual({
      read: 'plan premium, expires 2026-03-07, users in subscription 250, maximum users 271, billable users 262',
      changed: 'users in subscription (read 250, sent 260), billable users (read 262, sent nothing)',
    });
  });
});

describe('evidenceProblem', () => {
  const now = new Date('2026-11-28T12:00:00.000Z');
  it('accepts a recent read of no ticket or of this ticket', () => {
    expect(evidenceProblem(record(), '4711', now)).toBeNull();
    expect(evidenceProblem(record({ ticketId: '4711' }), '4711', now)).toBeNull();
  });
  it('refuses a missing read, a stale one, or one of another ticket', () => {
    expect(evidenceProblem(null, '4711', now)).toMatch(/no screenshots/);
    expect(evidenceProblem(record({ createdAt: '2026-11-27T11:59:00.000Z' }), null, now)).toMatch(/24 hours/);
    expect(evidenceProblem(record({ ticketId: '4712' }), '4711', now)).toMatch(/ticket 4712/);
  });
});
