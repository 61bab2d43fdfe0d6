/**
 * The retention purge of kept screenshot reads (issue 21), on SQLite and PostgreSQL: reads older
 * than the cutoff are deleted with their images (on SQLite not even left in the file's free space),
 * unless a request awaiting a licensing decision refers to one; recent reads stay; --dry-run
 * changes nothing; a request keeps what it recorded of its screenshots.
 */
import { storeOf } from '../../src/app.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgePersonalData } from '../../src/adapters/store/retention.js';
import type { CalendarDate } from '../../src/core/dates.js';
import {
  mergeEvidence,
  type EvidenceRecord,
  type ScreenshotEvidence,
} from '../../src/core/evidence/index.js';
import { issueEmergencyLicense } from '../../src/core/issuance/index.js';
import { unwrap } from '../../src/core/outcome.js';
import { evidencePurgeVerdict, retentionCutoff } from '../../src/core/retention.js';
import { postgresForTests, removeTempDirs } from '../integration/helpers.js';
import { opsApp, type OpsApp } from './helpers.js';

const OLD = '2026-06-01T10:00:00.000Z';
const RECENT = '2026-11-28T09:00:00.000Z';
const NOW = new Date('2026-11-28T12:00:00.000Z');
const CUTOFF = retentionCutoff(NOW, 90);
const MARKER = 'LIFELINE-SCREENSHOT-BYTES-';

const page: ScreenshotEvidence = {
  page: 'subscription',
  plan: { value: 'premium', confidence: 0.97, text: 'Premium', box: { x0: 10, y0: 10, x1: 90, y1: 30 } },
  startedAt: null,
  expiresAt: null,
  previousSeats: null,
  billableUsers: null,
  maximumUsers: null,
  usersOverSubscription: null,
  licensee: { name: null, email: null, company: null },
  activeUsers: null,
  gitlabVersion: null,
};

async function keep(h: OpsApp, id: string, at: string): Promise<void> {
  const record: EvidenceRecord = {
    id,
    createdAt: at,
    actor: 'erin',
    actorRole: 'engineer',
    source: 'upload',
    ticketId: null,
    evidence: mergeEvidence([page, page]),
    images: [0, 1].map((n) => ({
      n,
      format: 'png' as const,
      size: 40,
      width: 100,
      height: 40,
      fileName: `shot-${n}.png`,
      evidence: page,
    })),
  };
  const bytes = [0, 1].map((n) => Buffer.from(`${MARKER}${id}-${n}`));
  await h.app.ports.evidence?.insertEvidence(record, bytes);
}

const count = async (h: OpsApp, table: 'evidence' | 'evidence_images') =>
  Number(
    (
      await storeOf(h.app)
        .db.selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the rule', () => {
  it('purges reads past the cutoff unless a request awaiting a decision uses one', () => {
    expect(evidencePurgeVerdict({ createdAt: OLD, usedByWaitingRequest: false }, CUTOFF)).toBe('purge');
    expect(evidencePurgeVerdict({ createdAt: OLD, usedByWaitingRequest: true }, CUTOFF)).toBe(
      'awaiting_decision',
    );
    expect(evidencePurgeVerdict({ createdAt: RECENT, usedByWaitingRequest: false }, CUTOFF)).toBe('recent');
  });
});

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`lifeline purge of screenshots on ${kind}`, () => {
    let h: OpsApp;
    let available = true;
    let pendingId = '';

    beforeAll(async () => {
      if (kind === 'postgres') available = await postgresForTests();
      if (!available) return;
      h = await opsApp(kind);
      await keep(h, 'evd_old', OLD);
      await keep(h, 'evd_waiting', OLD);
      await keep(h, 'evd_recent', RECENT);
      // An engineer's override (still in grace) names the second read and waits for licensing.
      h.setNow('2026-06-01T11:00:00.000Z');
      const outcome = unwrap(
        await issueEmergencyLicense(
          {
            request: {
              ticketId: `77${Date.now() % 100000}`,
              requesterEmail: `ops@waiting-${kind}.example`,
              seats: 120,
              plan: 'premium',
              expiresAt: '2026-11-20',
              previousSeats: 100,
            },
            overrideReason: 'The customer is mid-renewal; their account manager confirmed it by phone.',
            evidenceId: 'evd_waiting',
            actor: { name: 'erin', role: 'engineer' },
            today: '2026-11-28' as CalendarDate,
          },
          h.app.ports,
          h.app.settings,
        ),
      );
      if (outcome.kind !== 'pending_approval') throw new Error(`expected pending, got ${outcome.kind}`);
      expect(outcome.view.request.evidence.screenshots?.evidenceId).toBe('evd_waiting');
      pendingId = outcome.view.request.id;
      h.setNow(NOW.toISOString());
    }, 60_000);

    afterAll(async () => {
      await h?.close();
      removeTempDirs();
    });

    it('--dry-run counts the old reads and their images and deletes nothing', async () => {
      if (!available) return;
      const summary = await purgePersonalData(storeOf(h.app), { cutoff: CUTOFF, now: NOW, dryRun: true });
      expect(summary.evidence).toEqual({ records: 1, images: 2, awaitingDecision: 1 });
      expect([await count(h, 'evidence'), await count(h, 'evidence_images')]).toEqual([3, 6]);
    });

    it('deletes the old read and its images; keeps the recent one and the one a request awaits', async () => {
      if (!available) return;
      const summary = await purgePersonalData(storeOf(h.app), { cutoff: CUTOFF, now: NOW });
      expect(summary.evidence).toEqual({ records: 1, images: 2, awaitingDecision: 1 });
      const evidence = h.app.ports.evidence!;
      expect(await evidence.getEvidence('evd_old')).toBeNull();
      expect(await evidence.getEvidenceImage('evd_old', 0)).toBeNull();
      expect((await evidence.getEvidence('evd_waiting'))?.images).toHaveLength(2);
      expect(Buffer.from((await evidence.getEvidenceImage('evd_recent', 1))!).toString()).toBe(
        `${MARKER}evd_recent-1`,
      );
      expect([await count(h, 'evidence'), await count(h, 'evidence_images')]).toEqual([2, 4]);
      // The request still says what it was made with.
      const request = await storeOf(h.app).getRequest(pendingId);
      expect(request?.evidence.screenshots?.read.plan).toMatchObject({ value: 'premium' });
      if (kind === 'sqlite') {
        const file = join(h.dataDir, 'lifeline.db');
        const bytes = Buffer.concat(
          [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)),
        );
        expect(bytes.includes(`${MARKER}evd_old`)).toBe(false);
        expect(bytes.includes(`${MARKER}evd_recent`)).toBe(true);
      }
      // Again: nothing more to do.
      expect((await purgePersonalData(storeOf(h.app), { cutoff: CUTOFF, now: NOW })).evidence.records).toBe(
        0,
      );
    });
  });
}
