/**
 * The Store contract: the same suite runs on SQLite and PostgreSQL, so both adapters keep the same
 * promises (one ticket holder, all-or-nothing transactions, a verifiable audit chain, lookups).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../src/adapters/store/schema.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/adapters/store/kysely-store.js';
import type { CalendarDate } from '../../../src/core/dates.js';
import type { DeliveryRecord, LicenseRecord, RequestRecord } from '../../../src/core/ports.js';
import { randomIds } from '../../../src/app.js';
import { searchContract } from './search-contract.js';

let clock = Date.UTC(2026, 10, 28, 12, 0, 0);
const tick = (): string => new Date((clock += 1000)).toISOString();

export function request(overrides: Partial<RequestRecord> = {}): RequestRecord {
  const now = tick();
  return {
    id: randomIds.next('req'),
    ticketId: `T-${randomIds.next('req')}`,
    ticketUrl: 'https://example.zendesk.com/agent/tickets/1',
    requesterEmail: 'cust@acme.example',
    engineer: 'ed',
    actorRole: 'engineer',
    seats: 100,
    issueDate: '2026-11-28' as CalendarDate,
    status: 'issued',
    evidence: {
      source: 'typed',
      plan: 'premium',
      expiresAt: '2026-11-14' as CalendarDate,
      previousSeats: 100,
      maximumUsers: null,
      billableUsers: null,
      previousLicense: null,
    },
    eligibility: {
      eligible: true,
      refusals: [],
      warnings: [{ code: 'SEATS_BELOW_PREVIOUS', message: 'fewer seats' }],
      facts: {} as RequestRecord['eligibility']['facts'],
      request: null,
      overridable: false,
    },
    override: null,
    decision: null,
    failure: null,
    voided: null,
    origin: null,
    datePinned: false,
    replaces: null,
    replacedBy: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** Inserts a request with the columns every schema since 0004 has (to set up migration tests). */
export async function insertOldRequest(db: Kysely<Database>, r: RequestRecord): Promise<void> {
  await sql`insert into requests (id, ticket_id, ticket_claim, ticket_url, requester_email, engineer, actor_role, seats,
      issue_date, status, evidence, eligibility, created_at, updated_at)
    values (${r.id}, ${r.ticketId}, ${r.ticketId}, ${r.ticketUrl}, ${r.requesterEmail}, ${r.engineer}, ${r.actorRole},
      ${r.seats}, ${r.issueDate}, ${r.status}, ${JSON.stringify(r.evidence)}, ${JSON.stringify(r.eligibility)},
      ${r.createdAt}, ${r.updatedAt})`.execute(db);
}

export function license(requestId: string, overrides: Partial<LicenseRecord> = {}): LicenseRecord {
  return {
    id: randomIds.next('lic'),
    requestId,
    text: `license text ${requestId}`,
    fingerprint: randomIds.next('lic').replace('lic_', '').padEnd(64, '0'),
    fileName: 'GitLab_Emergency_Trial_2026-11-28.gitlab-license',
    email: 'cust@acme.example',
    seats: 100,
    issuedAt: '2026-11-28' as CalendarDate,
    expiresAt: '2026-12-08' as CalendarDate,
    createdAt: tick(),
    ...overrides,
  };
}

function delivery(requestId: string, channel: DeliveryRecord['channel']): DeliveryRecord {
  const now = tick();
  return {
    id: randomIds.next('dlv'),
    requestId,
    channel,
    purpose: 'issue',
    status: 'queued',
    recipient: channel === 'email' ? 'cust@acme.example' : null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: now,
    externalRef: null,
    createdAt: now,
    updatedAt: now,
  };
}

const audit = (requestId: string | null, action = 'test.event') => ({
  id: randomIds.next('aud'),
  at: tick(),
  actor: 'ed (engineer)',
  action,
  requestId,
  details: { n: 1, nested: { b: 2, a: [1, 'x'] } },
});

export function storeContract(
  name: string,
  open: () => Promise<KyselyStore>,
  skip: string | null = null,
): void {
  describe.skipIf(skip !== null)(`Store contract on ${name}`, () => {
    let store: KyselyStore;
    beforeAll(async () => {
      store = await open();
      await store.migrate();
    });
    afterAll(async () => {
      await store?.close();
    });

    searchContract(() => store);

    it('migrates idempotently', async () => {
      const again = await store.migrate();
      expect(again.applied).toEqual([]);
    });

    it('stores a request and reads it back unchanged', async () => {
      const r = request();
      await store.transaction(async (tx) => expect(await tx.insertRequest(r)).toBe('inserted'));
      expect(await store.getRequest(r.id)).toEqual(r);
      expect(await store.getRequest('req_missing')).toBeNull();
    });

    it('keeps where a signed request came from', async () => {
      const origin = {
        via: 'zendesk',
        ticketId: '1001',
        agentEmail: 'sam@acme.example',
        agentName: 'Sam',
      } as const;
      const r = request({ origin });
      await store.transaction(async (tx) => expect(await tx.insertRequest(r)).toBe('inserted'));
      expect((await store.getRequest(r.id))?.origin).toEqual(origin);
    });

    it('filters requests by engineer', async () => {
      const engineer = `eng-${randomIds.next('req')}`;
      const mine = request({ engineer });
      await store.transaction(async (tx) => {
        await tx.insertRequest(mine);
        await tx.insertRequest(request());
      });
      expect((await store.findRequests({ engineer })).map((r) => r.id)).toEqual([mine.id]);
    });

    it('summarises requests for the dashboard: status, refusal codes, when the license email was sent', async () => {
      const at = (m: number) => new Date(Date.UTC(2031, 0, 6, 10, m)).toISOString();
      const issued = request({ createdAt: at(0), updatedAt: at(0) });
      const refused = request({
        status: 'refused',
        createdAt: at(1),
        updatedAt: at(1),
        eligibility: {
          ...request().eligibility,
          eligible: false,
          refusals: [
            { code: 'NOT_WEEKEND', message: 'x' },
            { code: 'PROSPECT', message: 'y' },
          ] as RequestRecord['eligibility']['refusals'],
        },
      });
      const outside = request({ createdAt: at(0).replace('2031-01-06', '2031-02-06') });
      const email = { ...delivery(issued.id, 'email'), status: 'sent' as const, updatedAt: at(3) };
      await store.transaction(async (tx) => {
        for (const r of [issued, refused, outside]) await tx.insertRequest(r);
        await tx.insertDeliveries([email, delivery(issued.id, 'chat')]);
      });
      const rows = await store.requestSummaries({
        createdFrom: '2031-01-06T00:00:00.000Z',
        createdTo: '2031-01-06T23:59:59.999Z',
      });
      expect(rows.sort((a, b) => a.createdAt.localeCompare(b.createdAt))).toEqual([
        { status: 'issued', createdAt: at(0), refusalCodes: [], emailSentAt: at(3) },
        { status: 'refused', createdAt: at(1), refusalCodes: ['NOT_WEEKEND', 'PROSPECT'], emailSentAt: null },
      ]);
    });

    it('lets one request hold a ticket; refusals do not hold it', async () => {
      const ticketId = `T-${randomIds.next('req')}`;
      const refused1 = request({ ticketId, status: 'refused' });
      const refused2 = request({ ticketId, status: 'refused' });
      const issued = request({ ticketId });
      const second = request({ ticketId, status: 'pending_approval' });
      await store.transaction(async (tx) => {
        expect(await tx.insertRequest(refused1)).toBe('inserted');
        expect(await tx.insertRequest(refused2)).toBe('inserted');
        expect(await tx.insertRequest(issued)).toBe('inserted');
      });
      await store.transaction(async (tx) => expect(await tx.insertRequest(second)).toBe('ticket_taken'));
      expect(await store.getRequest(second.id)).toBeNull();
      expect((await store.findTicketHolder(ticketId))?.id).toBe(issued.id);
    });

    it('moves a request only from the expected status, and frees the ticket when it stops holding it', async () => {
      const pending = request({ status: 'pending_approval' });
      await store.transaction(async (tx) => tx.insertRequest(pending));
      const at = tick();
      await store.transaction(async (tx) => {
        expect(await tx.transitionRequest(pending.id, 'issued', { status: 'voided', updatedAt: at })).toBe(
          false,
        );
        expect(
          await tx.transitionRequest(pending.id, 'pending_approval', {
            status: 'rejected',
            decision: { decision: 'rejected', by: 'lee', at, reason: 'no' },
            updatedAt: at,
          }),
        ).toBe(true);
      });
      const after = await store.getRequest(pending.id);
      expect(after?.status).toBe('rejected');
      expect(after?.decision?.by).toBe('lee');
      expect(await store.findTicketHolder(pending.ticketId)).toBeNull();
      const next = request({ ticketId: pending.ticketId });
      await store.transaction(async (tx) => expect(await tx.insertRequest(next)).toBe('inserted'));
    });

    it('claims the ticket again when a failed request becomes issued, unless another holds it', async () => {
      const failed = request({ status: 'failed' });
      await store.transaction(async (tx) => tx.insertRequest(failed));
      expect(await store.findTicketHolder(failed.ticketId)).toBeNull();
      await store.transaction(async (tx) =>
        expect(await tx.transitionRequest(failed.id, 'failed', { status: 'issued', updatedAt: tick() })).toBe(
          true,
        ),
      );
      expect((await store.findTicketHolder(failed.ticketId))?.id).toBe(failed.id);

      const failed2 = request({ ticketId: failed.ticketId, status: 'failed' });
      await store.transaction(async (tx) => tx.insertRequest(failed2));
      await expect(
        store.transaction(async (tx) =>
          tx.transitionRequest(failed2.id, 'failed', { status: 'issued', updatedAt: tick() }),
        ),
      ).rejects.toThrow();
      expect((await store.getRequest(failed2.id))?.status).toBe('failed');
    });

    it('commits all of a transaction or nothing', async () => {
      const r = request();
      const before = await store.verifyAudit();
      await expect(
        store.transaction(async (tx) => {
          await tx.insertRequest(r);
          await tx.insertLicense(license(r.id));
          await tx.insertDeliveries([delivery(r.id, 'email')]);
          await tx.appendAudit(audit(r.id));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.getRequest(r.id)).toBeNull();
      expect(await store.getLicenseForRequest(r.id)).toBeNull();
      expect(await store.listDeliveries(r.id)).toEqual([]);
      expect(await store.listAudit({ requestId: r.id })).toEqual([]);
      const after = await store.verifyAudit();
      expect(after).toEqual(before);
    });

    it('stores licenses and deliveries and finds them', async () => {
      const r = request();
      const l = license(r.id);
      await store.transaction(async (tx) => {
        await tx.insertRequest(r);
        await tx.insertLicense(l);
        await tx.insertDeliveries(
          ['email', 'tracker', 'chat', 'ticket'].map((c) => delivery(r.id, c as DeliveryRecord['channel'])),
        );
      });
      expect(await store.getLicenseForRequest(r.id)).toEqual(l);
      expect(await store.findLicenseByFingerprint(l.fingerprint.toUpperCase())).toEqual(l);
      const deliveries = await store.listDeliveries(r.id);
      expect(deliveries.map((d) => d.channel)).toEqual(['email', 'tracker', 'chat', 'ticket']);
      expect(deliveries.every((d) => d.status === 'queued' && d.attempts === 0)).toBe(true);
      // A fingerprint is unique.
      const r2 = request();
      await expect(
        store.transaction(async (tx) => {
          await tx.insertRequest(r2);
          await tx.insertLicense(license(r2.id, { fingerprint: l.fingerprint }));
        }),
      ).rejects.toThrow();
      expect(await store.getRequest(r2.id)).toBeNull();
    });

    it('searches requests by email, ticket, status and dates, newest first, with paging', async () => {
      const email = `${randomIds.next('req')}@paging.example`;
      const made: RequestRecord[] = [];
      for (let i = 0; i < 5; i++)
        made.push(request({ requesterEmail: email, status: i % 2 ? 'refused' : 'issued' }));
      await store.transaction(async (tx) => {
        for (const r of made) await tx.insertRequest(r);
      });
      const all = await store.findRequests({ email: email.toUpperCase() });
      expect(all.map((r) => r.id)).toEqual(made.map((r) => r.id).reverse());
      const page1 = await store.findRequests({ email, limit: 2 });
      const page2 = await store.findRequests({ email, limit: 2, before: page1[1]?.id as string });
      expect([...page1, ...page2].map((r) => r.id)).toEqual(all.slice(0, 4).map((r) => r.id));
      expect((await store.findRequests({ email, status: 'refused' })).length).toBe(2);
      expect((await store.findRequests({ ticketId: made[2]?.ticketId as string })).map((r) => r.id)).toEqual([
        made[2]?.id,
      ]);
      const from = made[1]?.createdAt as string;
      const to = made[3]?.createdAt as string;
      expect((await store.findRequests({ email, createdFrom: from, createdTo: to })).length).toBe(3);
    });

    it('a replace hands the ticket to the replacement in one transaction, once; rule 9 sees the old one as replaced', async () => {
      const old = request({ requesterEmail: 'replace@acme.example' });
      await store.transaction(async (tx) => {
        await tx.insertRequest(old);
        await tx.insertLicense(license(old.id, { issuedAt: '2026-11-20' as CalendarDate }));
      });
      const next = request({
        ticketId: old.ticketId,
        replaces: old.id,
        requesterEmail: 'right@acme.example',
      });
      // Without letting go first, the ticket is taken.
      await expect(
        store.transaction(async (tx) => {
          if ((await tx.insertRequest(next)) === 'ticket_taken') throw new Error('taken');
        }),
      ).rejects.toThrow('taken');
      await store.transaction(async (tx) => {
        const moved = await tx.transitionRequest(old.id, 'issued', {
          status: 'voided',
          voided: { reason: 'replaced', by: 'lou', at: tick() },
          replacedBy: next.id,
          updatedAt: tick(),
        });
        expect(moved).toBe(true);
        expect(await tx.insertRequest(next)).toBe('inserted');
      });
      expect((await store.findTicketHolder(old.ticketId))?.id).toBe(next.id);
      expect(await store.getRequest(old.id)).toMatchObject({ status: 'voided', replacedBy: next.id });
      expect(await store.getRequest(next.id)).toMatchObject({ replaces: old.id, replacedBy: null });
      // A second replace of the same record loses the race.
      const lost = await store.transaction((tx) =>
        tx.transitionRequest(old.id, 'voided', { replacedBy: 'req_other', updatedAt: tick() }),
      );
      expect(lost).toBe(false);
      const recent = await store.recentLicenses('2026-11-20' as CalendarDate, ['email:replace@acme.example']);
      expect(recent.find((x) => x.requestId === old.id)?.voidedByReplace).toBe(true);
    });

    it('lists recent licenses with what rule 9 compares', async () => {
      const r = request({
        requesterEmail: 'recent@acme.example',
        evidence: {
          ...request().evidence,
          source: 'license',
          previousLicense: {
            fingerprint: 'f'.repeat(64),
            json: {},
            licenseeEmail: 'it@acme.example',
            licenseeCompany: 'Acme',
            subscriptionId: 'sub-1',
          },
        },
      });
      await store.transaction(async (tx) => {
        await tx.insertRequest(r);
        await tx.insertLicense(license(r.id, { issuedAt: '2026-11-20' as CalendarDate }));
      });
      const recent = await store.recentLicenses('2026-11-20' as CalendarDate, ['email:recent@acme.example']);
      const mine = recent.find((x) => x.requestId === r.id);
      expect(mine).toEqual({
        requestId: r.id,
        ticketId: r.ticketId,
        requesterEmail: 'recent@acme.example',
        issuedAt: '2026-11-20',
        previousLicenseFingerprint: 'f'.repeat(64),
        previousLicenseeEmail: 'it@acme.example',
        previousLicenseeCompany: 'Acme',
        previousSubscriptionId: 'sub-1',
        voidedByReplace: false,
      });
      expect(
        (await store.recentLicenses('2026-11-21' as CalendarDate, ['email:recent@acme.example'])).some(
          (x) => x.requestId === r.id,
        ),
      ).toBe(false);
      // Filed under every key of its customer (normalised as rule 9 compares), and only those.
      const findsIt = async (keys: string[]) =>
        (await store.recentLicenses('2026-11-20' as CalendarDate, keys)).some((x) => x.requestId === r.id);
      for (const key of [
        `ticket:${r.ticketId.toLowerCase()}`,
        'domain:acme.example',
        `fingerprint:${'f'.repeat(64)}`,
        'licensee-email:it@acme.example',
        'licensee-company:acme',
        'subscription:sub-1',
      ]) {
        expect(await findsIt(['email:nobody@else.example', key]), key).toBe(true);
      }
      expect(await findsIt(['email:nobody@else.example', 'licensee-company:acme corp'])).toBe(false);
      expect(await findsIt(['licensee-email:recent@acme.example'])).toBe(false); // like with like
      expect(await findsIt([])).toBe(false);
    });

    it('claims each due delivery for one worker at a time, and records how it ended', async () => {
      const r = request();
      const made = Array.from({ length: 30 }, (_, i) => delivery(r.id, i % 2 ? 'chat' : 'tracker'));
      await store.transaction(async (tx) => {
        await tx.insertRequest(r);
        await tx.insertDeliveries(made);
      });
      const now = new Date(clock + 60_000).toISOString();
      const lease = new Date(clock + 120_000).toISOString();
      const claims = await Promise.all(
        ['w1', 'w2', 'w3'].map((w) => store.claimDueDeliveries(now, lease, w, 12)),
      );
      const ids = claims.flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThanOrEqual(30);
      expect(claims.flat().every((d) => d.status === 'claimed' && d.attempts === 1)).toBe(true);
      // Nothing left to claim while the leases hold.
      expect(await store.claimDueDeliveries(now, lease, 'w4', 50)).toEqual([]);
      const ownerIndex = claims.findIndex((c) => c.length > 0);
      const first = claims[ownerIndex]?.[0] as DeliveryRecord;
      const owner = ['w1', 'w2', 'w3'][ownerIndex] as string;
      const done = {
        status: 'sent' as const,
        lastError: null,
        nextAttemptAt: null,
        externalRef: '42',
        updatedAt: now,
      };
      expect(await store.transaction((tx) => tx.completeDelivery(first.id, 'not-me', done))).toBe(false);
      expect(await store.transaction((tx) => tx.completeDelivery(first.id, owner, done))).toBe(true);
      const after = (await store.listDeliveries(first.requestId)).find((d) => d.id === first.id);
      expect(after).toMatchObject({ status: 'sent', externalRef: '42' });
      // A lease that expired (the worker died) is claimed again by another worker.
      const later = new Date(clock + 180_000).toISOString();
      const reclaimed = await store.claimDueDeliveries(
        later,
        new Date(clock + 240_000).toISOString(),
        'w5',
        100,
      );
      expect(reclaimed.map((d) => d.id).sort()).toEqual(ids.filter((id) => id !== first.id).sort());
      expect(reclaimed.every((d) => d.attempts === 2)).toBe(true);
    });

    it('claims the earliest due first, queued and expired claims alike, at most `limit`', async () => {
      const r = request();
      const at = (s: number) => new Date(clock + s * 1000).toISOString();
      const made = [50, 10, 40, 20, 30, 5_000].map((s) => ({
        ...delivery(r.id, 'chat'),
        nextAttemptAt: at(s),
      }));
      await store.transaction(async (tx) => {
        await tx.insertRequest(r);
        await tx.insertDeliveries(made);
      });
      const order = (claimed: DeliveryRecord[]) => claimed.map((d) => made.findIndex((m) => m.id === d.id));
      // The earliest two (due at +10 s and +20 s), for a lease until +100 s.
      const first = await store.claimDueDeliveries(at(60), at(100), 'w1', 2, r.id);
      expect(order(first).sort()).toEqual([1, 3]);
      // w1 died; at +200 s its two (due earliest) come back first, then the earliest queued one.
      const second = await store.claimDueDeliveries(at(200), at(300), 'w2', 3, r.id);
      expect(order(second).sort()).toEqual([1, 3, 4]);
      // What is left: the one due at +40 s, then +50 s; the one due at +5,000 s is not due.
      expect(order(await store.claimDueDeliveries(at(200), at(300), 'w3', 10, r.id)).sort()).toEqual([0, 2]);
    });

    it('gives back a delivery left sending by a stopped worker still marked sending, never as claimable anew', async () => {
      const r = request();
      const email = delivery(r.id, 'email');
      await store.transaction(async (tx) => {
        await tx.insertRequest(r);
        await tx.insertDeliveries([email]);
      });
      const t0 = new Date(clock + 300_000).toISOString();
      const mine = (all: DeliveryRecord[]) => all.filter((d) => d.id === email.id);
      const [claimed] = mine(
        await store.claimDueDeliveries(t0, new Date(clock + 301_000).toISOString(), 'w1', 100),
      );
      expect(claimed?.status).toBe('claimed');
      expect(await store.markSending(email.id, 'w2', t0)).toBe(false);
      expect(await store.markSending(email.id, 'w1', t0)).toBe(true);
      expect((await store.pendingDeliveries(r.id)).count).toBe(1);
      // While w1's lease holds, nobody else gets it.
      expect(mine(await store.claimDueDeliveries(t0, t0, 'w2', 100))).toEqual([]);
      // w1 died: after the lease, w2 gets it back, still `sending`, so it can record it as unknown.
      const t1 = new Date(clock + 400_000).toISOString();
      const [again] = mine(
        await store.claimDueDeliveries(t1, new Date(clock + 401_000).toISOString(), 'w2', 100),
      );
      expect(again).toMatchObject({ status: 'sending', attempts: 2 });
      const unknown = {
        status: 'unknown' as const,
        lastError: 'may have arrived',
        nextAttemptAt: null,
        externalRef: null,
        updatedAt: t1,
      };
      expect(await store.transaction((tx) => tx.completeDelivery(email.id, 'w2', unknown))).toBe(true);
      expect((await store.listDeliveries(r.id))[0]?.status).toBe('unknown');
      expect((await store.pendingDeliveries(r.id)).count).toBe(0);
    });

    it('keeps the tracker link of a request', async () => {
      const r = request();
      await store.transaction(async (tx) => tx.insertRequest(r));
      expect(await store.getTrackerLink(r.id)).toBeNull();
      await store.transaction(async (tx) =>
        tx.setTrackerLink(r.id, { iid: '17', url: 'https://gitlab.example/i/17' }),
      );
      expect(await store.getTrackerLink(r.id)).toEqual({ iid: '17', url: 'https://gitlab.example/i/17' });
    });

    it('keeps a hash chain through concurrent appends', async () => {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => void (await tx.appendAudit(audit(null)))),
        ),
      );
      const result = await store.verifyAudit();
      expect(result.ok).toBe(true);
      const entries = await store.listAudit({});
      expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    });

    it('detects an edited, a deleted and a removed newest audit entry', async () => {
      for (let i = 0; i < 3; i++)
        await store.transaction(async (tx) => void (await tx.appendAudit(audit(null, `e${i}`))));
      const entries = await store.listAudit({});
      const middle = entries[Math.floor(entries.length / 2)] as (typeof entries)[number];
      const last = entries.at(-1) as (typeof entries)[number];
      expect((await store.verifyAudit()).ok).toBe(true);

      await sql`update audit_log set actor = 'mallory' where seq = ${middle.seq}`.execute(store.db);
      expect((await store.verifyAudit()).brokenAt?.seq).toBe(middle.seq);
      await sql`update audit_log set actor = ${middle.actor} where seq = ${middle.seq}`.execute(store.db);

      await sql`update audit_log set details = ${JSON.stringify({ n: 2 })} where seq = ${middle.seq}`.execute(
        store.db,
      );
      expect((await store.verifyAudit()).brokenAt).toEqual({
        seq: middle.seq,
        reason: 'its details were changed',
      });
      await sql`update audit_log set details = ${JSON.stringify(middle.details)} where seq = ${middle.seq}`.execute(
        store.db,
      );
      expect((await store.verifyAudit()).ok).toBe(true);

      await sql`delete from audit_log where seq = ${last.seq}`.execute(store.db);
      expect((await store.verifyAudit()).ok).toBe(false);

      await sql`delete from audit_log where seq = ${middle.seq}`.execute(store.db);
      const broken = await store.verifyAudit();
      expect(broken.ok).toBe(false);
      expect(broken.brokenAt?.seq).toBe(middle.seq + 1);
    });
  });
}
