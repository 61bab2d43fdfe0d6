/**
 * The retention purge on SQLite and PostgreSQL: after it, no old customer's email, name or license
 * text is left in any column of any table; the audit chain verifies (sealed and legacy entries);
 * lookups by id, fingerprint and tracker link still work; --dry-run changes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { purgePersonalData } from '../../src/adapters/store/retention.js';
import { auditHash, detailsDigest } from '../../src/core/audit.js';
import type { CalendarDate } from '../../src/core/dates.js';
import { issueEmergencyLicense, resendLicense, voidRequest } from '../../src/core/issuance/index.js';
import { loadRequestView } from '../../src/core/issuance/view.js';
import {
  purgeVerdict,
  REDACTED,
  retentionCutoff,
  scrubText,
  parseRetentionDays,
} from '../../src/core/retention.js';
import { drain } from '../deliveries/harness.js';
import { postgresForTests, removeTempDirs } from '../integration/helpers.js';
import { dumpAll, opsApp, previousLicense, whereFound, type OpsApp } from './helpers.js';
import { unwrap } from '../../src/core/outcome.js';
import { storeOf } from '../../src/app.js';

const OLD = '2026-06-01T10:00:00.000Z';
const RECENT = '2026-11-28T09:00:00.000Z';
const NOW = new Date('2026-11-28T12:00:00.000Z');
const SATURDAY = '2026-11-28' as CalendarDate;
const licensing = { name: 'lou', role: 'licensing' as const };

let n = 0;
async function issue(h: OpsApp, at: string, email: string, previous?: string) {
  h.setNow(at);
  n++;
  const outcome = unwrap(
    await issueEmergencyLicense(
      {
        request: {
          ticketId: `${Date.now() % 100000}${n}`,
          ticketUrl: `https://acme.zendesk.com/agent/tickets/${n}`,
          requesterEmail: email,
          seats: 120,
          ...(previous ? {} : { plan: 'premium', expiresAt: '2026-11-14', previousSeats: 100 }),
        },
        ...(previous ? { previousLicenseText: previous } : {}),
        actor: { name: 'erin', role: 'engineer' },
        today: SATURDAY,
      },
      h.app.ports,
      h.app.settings,
    ),
  );
  if (outcome.kind !== 'issued') throw new Error(`expected issued, got ${outcome.kind}`);
  return outcome.view;
}

/** An entry as a Lifeline before migration 0005 wrote it (format 1: the digest of the details as written). */
async function appendLegacyEntry(
  h: OpsApp,
  requestId: string,
  details: Record<string, string>,
): Promise<void> {
  const db = storeOf(h.app).db;
  const head = await db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  const base = {
    seq: Number(head.seq) + 1,
    id: `aud_legacy_${requestId}`,
    at: OLD,
    actor: 'worker (admin)',
    action: 'delivery.failed',
    requestId,
    detailsDigest: detailsDigest(details),
  };
  const hash = auditHash(head.hash, base);
  await db
    .insertInto('audit_log')
    .values({
      seq: base.seq,
      id: base.id,
      at: base.at,
      actor: base.actor,
      action: base.action,
      request_id: requestId,
      details: JSON.stringify(details),
      details_digest: base.detailsDigest,
      prev_hash: head.hash,
      hash,
      format: 1,
      salt: null,
      redacted_at: null,
    })
    .execute();
  await db.updateTable('audit_head').set({ seq: base.seq, hash }).where('id', '=', 1).execute();
}

describe('retention rules (pure)', () => {
  it('reads durations and computes the cutoff from the given now', () => {
    expect(parseRetentionDays('90')).toBe(90);
    expect(parseRetentionDays('90d')).toBe(90);
    expect(parseRetentionDays('12w')).toBe(84);
    expect(parseRetentionDays('1y')).toBe(365);
    for (const bad of ['', '0', '-5', '3 months', '1.5', '99999999'])
      expect(parseRetentionDays(bad)).toBeNull();
    expect(retentionCutoff(NOW, 90)).toBe('2026-08-30T12:00:00.000Z');
  });

  it('leaves recent, pending-approval and still-delivering requests alone', () => {
    const base = {
      createdAt: OLD,
      status: 'issued' as const,
      requesterEmail: 'a@b.example',
      pendingDeliveries: 0,
    };
    const cutoff = retentionCutoff(NOW, 90);
    expect(purgeVerdict(base, cutoff)).toBe('purge');
    expect(purgeVerdict({ ...base, createdAt: RECENT }, cutoff)).toBe('recent');
    expect(purgeVerdict({ ...base, status: 'pending_approval' }, cutoff)).toBe('awaiting_decision');
    expect(purgeVerdict({ ...base, pendingDeliveries: 1 }, cutoff)).toBe('delivering');
    expect(purgeVerdict({ ...base, requesterEmail: REDACTED }, cutoff)).toBe('already_purged');
  });

  it('scrubs known values and any email address from free text', () => {
    expect(scrubText('Olga Kunde <olga@x.example> and bob@y.example', ['Olga Kunde'])).toBe(
      `${REDACTED} <${REDACTED}> and ${REDACTED}`,
    );
  });
});

function purgeSuite(kind: 'sqlite' | 'postgres'): void {
  describe(`purge on ${kind}`, () => {
    let h: OpsApp;
    let available = true;
    const oldEmail = `ops@oldcustomer-${kind}.example`;
    const olga = { Name: 'Olga Kunde', Company: 'OldCorp GmbH', Email: `olga@oldcorp-${kind}.example` };
    const recentEmail = `ops@recentcustomer-${kind}.example`;
    let oldIds: string[] = [];
    let recentId = '';
    let oldLicenseText = '';
    let oldFingerprint = '';

    beforeAll(async () => {
      if (kind === 'postgres') available = await postgresForTests();
      if (!available) return;
      h = await opsApp(kind);
      const a = await issue(h, OLD, oldEmail);
      const b = await issue(h, OLD, olga.Email, previousLicense(olga));
      const recent = await issue(h, RECENT, recentEmail);
      oldIds = [a.request.id, b.request.id];
      recentId = recent.request.id;
      oldLicenseText = a.license?.text ?? '';
      oldFingerprint = a.license?.fingerprint ?? '';
      h.setNow(RECENT);
      await drain(h.app);
      // A mail server's error quoting the address, a void reason naming it, and a legacy audit entry.
      await storeOf(h.app)
        .db.updateTable('deliveries')
        .set({ last_error: `550 5.1.1 <${oldEmail}>: no such user` })
        .where('request_id', '=', a.request.id)
        .where('channel', '=', 'email')
        .execute();
      unwrap(
        await voidRequest(
          { requestId: a.request.id, actor: licensing, reason: `issued to the wrong address ${oldEmail}` },
          h.app.ports,
        ),
      );
      await drain(h.app);
      await appendLegacyEntry(h, a.request.id, { error: `550 <${oldEmail}> unknown`, channel: 'email' });
      h.setNow(NOW.toISOString());
    }, 60_000);

    afterAll(async () => {
      if (available) await h.close();
      removeTempDirs();
    });

    it('holds the old customers’ data before the purge (the scan can find it)', async (ctx) => {
      if (!available) return ctx.skip();
      expect(await whereFound(storeOf(h.app), oldEmail)).toEqual(
        expect.arrayContaining([
          'requests.requester_email',
          'licenses.email',
          'deliveries.recipient',
          'audit_log.details',
        ]),
      );
      expect((await whereFound(storeOf(h.app), olga.Name)).length).toBeGreaterThan(0);
      expect(await whereFound(storeOf(h.app), oldLicenseText.split('\n')[1] ?? 'x')).not.toEqual([]);
      expect((await storeOf(h.app).verifyAudit()).ok).toBe(true);
    });

    it('--dry-run reports what would change and changes nothing', async (ctx) => {
      if (!available) return ctx.skip();
      const before = await dumpAll(storeOf(h.app));
      const summary = await purgePersonalData(storeOf(h.app), {
        cutoff: retentionCutoff(NOW, 90),
        now: NOW,
        dryRun: true,
      });
      expect(summary.requests).toBe(2);
      expect([...summary.requestIds].sort()).toEqual([...oldIds].sort());
      expect(summary.rows.licenses).toBe(2);
      expect(summary.rows.audit_log).toBeGreaterThan(2);
      expect(await dumpAll(storeOf(h.app))).toEqual(before);
    });

    it('leaves no old customer data in any column of any table, and keeps the audit chain verifiable', async (ctx) => {
      if (!available) return ctx.skip();
      const trackerBefore = await Promise.all(oldIds.map((id) => storeOf(h.app).getTrackerLink(id)));
      const summary = await purgePersonalData(storeOf(h.app), { cutoff: retentionCutoff(NOW, 90), now: NOW });
      expect(summary.requests).toBe(2);
      expect(summary.fileRewritten).toBe(kind === 'sqlite' ? true : undefined);
      for (const needle of [oldEmail, olga.Email, olga.Name, olga.Company, 'oldcustomer', 'oldcorp']) {
        expect(await whereFound(storeOf(h.app), needle), needle).toEqual([]);
      }
      for (const line of oldLicenseText.split('\n').filter((l) => l.length >= 20)) {
        expect(await whereFound(storeOf(h.app), line)).toEqual([]);
      }
      // The recent customer is untouched.
      expect(await whereFound(storeOf(h.app), recentEmail)).toEqual(
        expect.arrayContaining(['requests.requester_email', 'licenses.email']),
      );
      expect(await storeOf(h.app).verifyAudit()).toMatchObject({ ok: true });
      // Tracker links, ids and fingerprints stay.
      expect(await Promise.all(oldIds.map((id) => storeOf(h.app).getTrackerLink(id)))).toEqual(trackerBefore);
      expect(trackerBefore.every((t) => t !== null)).toBe(true);
    });

    it('on SQLite, leaves nothing of it in the database file or its write-ahead log either', async (ctx) => {
      if (!available || kind !== 'sqlite') return ctx.skip();
      const file = h.databaseUrl.slice('sqlite:'.length);
      for (const path of [file, `${file}-wal`]) {
        if (!existsSync(path)) continue;
        const bytes = readFileSync(path);
        for (const needle of [oldEmail, olga.Email, olga.Name]) {
          expect(bytes.includes(Buffer.from(needle, 'utf8')), `${needle} in ${path}`).toBe(false);
        }
      }
      expect(readFileSync(file).includes(Buffer.from(recentEmail, 'utf8'))).toBe(true);
    });

    it('lookups by record id and fingerprint still work after the purge', async (ctx) => {
      if (!available) return ctx.skip();
      for (const id of oldIds) {
        const request = await storeOf(h.app).getRequest(id);
        expect(request?.requesterEmail).toBe(REDACTED);
        const view = await loadRequestView(storeOf(h.app), request!);
        expect(view.request.id).toBe(id);
        expect(view.events.length).toBeGreaterThan(1);
        expect(view.deliveries.length).toBeGreaterThanOrEqual(4);
      }
      expect((await storeOf(h.app).findLicenseByFingerprint(oldFingerprint))?.requestId).toBe(oldIds[0]);
      expect((await storeOf(h.app).getRequest(recentId))?.requesterEmail).toBe(recentEmail);
      const b = await storeOf(h.app).getRequest(oldIds[1] as string);
      expect(b?.evidence.previousLicense?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(b?.evidence.source).toBe('license');
      expect(JSON.stringify(b?.evidence)).toContain(REDACTED);
    });

    it('a purged license cannot be resent, not even to another address', async (ctx) => {
      if (!available) return ctx.skip();
      const id = oldIds[1] as string;
      expect((await storeOf(h.app).getRequest(id))?.status).toBe('issued');
      const deliveriesBefore = (await storeOf(h.app).listDeliveries(id)).length;
      for (const to of [null, 'someone@else.example']) {
        expect(
          await resendLicense({ requestId: id, actor: licensing, to }, h.app.ports, h.app.settings),
        ).toMatchObject({
          ok: false,
          error: {
            code: 'INVALID_STATE',
            message: expect.stringMatching(/removed by the retention purge/),
          },
        });
      }
      expect((await storeOf(h.app).listDeliveries(id)).length).toBe(deliveriesBefore);
    });

    it('a second purge finds nothing more to do, and new entries after it still verify', async (ctx) => {
      if (!available) return ctx.skip();
      const again = await purgePersonalData(storeOf(h.app), { cutoff: retentionCutoff(NOW, 90), now: NOW });
      expect(again.requests).toBe(0);
      expect(again.alreadyPurged).toBe(2);
      await issue(h, NOW.toISOString(), `ops@later-${kind}.example`);
      expect(await storeOf(h.app).verifyAudit()).toMatchObject({ ok: true });
      const legacy = await sql<{ format: number; redacted_at: string | null }>`
        select format, redacted_at from audit_log where id like 'aud_legacy_%'`.execute(storeOf(h.app).db);
      expect(legacy.rows.map((r) => [Number(r.format), r.redacted_at !== null])).toEqual([[1, true]]);
    });
  });
}

purgeSuite('sqlite');
purgeSuite('postgres');
