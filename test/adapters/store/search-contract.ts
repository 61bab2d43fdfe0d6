/**
 * The request list's search and attention filters (issue 20 items 8 and 10), run by the Store
 * contract on SQLite and PostgreSQL through real connections: the start of an email, a domain, a
 * company or a fingerprint finds the request, newest first with paging; quotes, `%` and `_` are only
 * characters; retention forgets the text terms; both plans (a few matches by id, many by reading
 * newest first) answer the same.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { purgePersonalData } from '../../../src/adapters/store/retention.js';
import type { KyselyStore } from '../../../src/adapters/store/kysely-store.js';
import { parseSearch, type RequestSearch } from '../../../src/core/issuance/search.js';
import type { DeliveryRecord, RequestRecord } from '../../../src/core/ports.js';
import { randomIds } from '../../../src/app.js';
import { license, request } from './contract.js';

const search = (q: string): RequestSearch => {
  const parsed = parseSearch(q);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

/** A unique word for this run, so that the shared database's other rows never match. */
const unique = (): string => `w${randomBytes(5).toString('hex')}`;
const hex64 = (): string => randomBytes(32).toString('hex');

function withCompany(company: string, licenseeEmail: string, fingerprint: string): Partial<RequestRecord> {
  return {
    evidence: {
      ...request().evidence,
      source: 'license',
      previousLicense: {
        fingerprint,
        json: {},
        licenseeEmail,
        licenseeCompany: company,
        subscriptionId: null,
      },
    },
  };
}

/** The search tests, inside the Store contract's suite (its store, opened and migrated). */
export function searchContract(storeOf: () => KyselyStore): void {
  describe('the request search', () => {
    const ids = async (q: string, extra: Parameters<KyselyStore['findRequests']>[0] = {}) =>
      (await storeOf().findRequests({ search: search(q), ...extra })).map((r) => r.id);

    it('finds a request by the start of its email, its domain or a parent domain, its company or a word of it, and a licensee email', async () => {
      const w = unique();
      const r = request({
        requesterEmail: `it-ops@eu.${w}-bank.example`,
        ...withCompany(`Ｂanque ${w} Générale S.A.`, `admin@${w}-hq.example`, hex64()),
      });
      const other = request({ requesterEmail: `someone@${w}-other.example` });
      await storeOf().transaction(async (tx) => {
        await tx.insertRequest(r);
        await tx.insertRequest(other);
      });
      expect(await ids(`it-ops@eu.${w}`)).toEqual([r.id]);
      expect(await ids(`eu.${w}-bank.example`)).toEqual([r.id]);
      expect(await ids(`@${w}-bank`)).toEqual([r.id]);
      expect(await ids(`${w}-bank.exam`)).toEqual([r.id]);
      // Full-width letters are folded (NFKC), case is ignored, and a word of the name finds it.
      expect(await ids(`BANQUE ${w.toUpperCase()}`)).toEqual([r.id]);
      expect(await ids(`${w} générale`)).toEqual([r.id]);
      expect(await ids(`générale s.a`)).toContain(r.id);
      expect(await ids(`admin@${w}-hq`)).toEqual([r.id]);
      expect(await ids(`${w}-`)).toEqual([other.id, r.id]);
      // Not a start of anything: no match (a search is by prefix, not anywhere in the text).
      expect(await ids(`ops@eu.${w}`)).toEqual([]);
      expect(await ids(`bank.example`)).not.toContain(r.id);
    });

    it('finds a request by a fingerprint prefix of 8 hex digits or more: its license, or the previous license', async () => {
      const r = request({ requesterEmail: `fp@${unique()}.example` });
      const l = license(r.id, { fingerprint: hex64() });
      const previous = hex64();
      const p = request({
        requesterEmail: `prev@${unique()}.example`,
        ...withCompany('X', 'x@x.example', previous),
      });
      await storeOf().transaction(async (tx) => {
        await tx.insertRequest(r);
        await tx.insertLicense(l);
        await tx.insertRequest(p);
      });
      expect(await ids(l.fingerprint.slice(0, 12))).toEqual([r.id]);
      expect(await ids(`sha256:${l.fingerprint.slice(0, 8).toUpperCase()}`)).toEqual([r.id]);
      expect(await ids(l.fingerprint)).toEqual([r.id]);
      expect(await ids(previous.slice(0, 10))).toEqual([p.id]);
      // Fewer than 8 hex digits are no fingerprint (only text, which no term starts with).
      expect(await ids(l.fingerprint.slice(0, 7))).toEqual([]);
    });

    it('pages newest first, combines with the other filters, and treats quotes, % and _ as characters', async () => {
      const w = unique();
      const made: RequestRecord[] = [];
      for (let i = 0; i < 5; i++)
        made.push(request({ requesterEmail: `p${i}@${w}.example`, status: i % 2 ? 'refused' : 'issued' }));
      const odd = request({ requesterEmail: `o'brien_100%@${w}.example` });
      await storeOf().transaction(async (tx) => {
        for (const r of [...made, odd]) await tx.insertRequest(r);
      });
      const all = await ids(`${w}.example`);
      expect(all).toEqual([...made, odd].map((r) => r.id).reverse());
      const page1 = await ids(`${w}.example`, { limit: 2 });
      const page2 = await ids(`${w}.example`, { limit: 2, before: page1[1] as string });
      expect([...page1, ...page2]).toEqual(all.slice(0, 4));
      expect(await ids(`${w}.example`, { status: 'refused' })).toEqual([made[3]!.id, made[1]!.id]);
      expect(await ids(`o'brien_100%@`)).toEqual([odd.id]);
      expect(await ids(`o'brien_1`)).toEqual([odd.id]);
      // As patterns, these would match every row; as text they match none.
      expect(await ids(`%%%`)).toEqual([]);
      expect(await ids(`___`)).toEqual([]);
      expect(await ids(`' or 1=1 --`)).toEqual([]);
    });

    it('answers a broad search (many matches) like a narrow one: newest first, only matches', async () => {
      const w = unique();
      const rows: RequestRecord[] = [];
      for (let i = 0; i < 2_050; i++) rows.push(request({ requesterEmail: `b${i}@${w}.example` }));
      await storeOf().transaction(async (tx) => {
        for (const r of rows) await tx.insertRequest(r);
      });
      const newest = rows.map((r) => r.id).reverse();
      expect(await ids(`${w}.example`, { limit: 30 })).toEqual(newest.slice(0, 30));
      const page2 = await ids(`${w}.example`, { limit: 30, before: newest[29] as string });
      expect(page2).toEqual(newest.slice(30, 60));
      // Narrower within the same customers: the id plan.
      expect(await ids(`b2049@${w}`)).toEqual([rows[2049]!.id]);
    });

    it('lists the requests that need attention: a failed delivery, an unknown email, deliveries in flight', async () => {
      const [failed, unknown, moving, fine] = [request(), request(), request(), request()];
      const dlv = (
        r: RequestRecord,
        channel: DeliveryRecord['channel'],
        status: DeliveryRecord['status'],
      ) => {
        const now = new Date().toISOString();
        return {
          id: randomIds.next('dlv'),
          requestId: r.id,
          channel,
          purpose: 'issue' as const,
          status,
          recipient: null,
          attempts: 1,
          lastError: status === 'failed' || status === 'unknown' ? 'broken' : null,
          nextAttemptAt: now,
          externalRef: null,
          createdAt: now,
          updatedAt: now,
        };
      };
      await storeOf().transaction(async (tx) => {
        for (const r of [failed, unknown, moving, fine]) await tx.insertRequest(r);
        await tx.insertDeliveries([
          dlv(failed, 'chat', 'failed'),
          dlv(unknown, 'email', 'unknown'),
          dlv(moving, 'tracker', 'queued'),
          dlv(fine, 'email', 'sent'),
        ]);
      });
      const ids4 = async (attention: 'failed_delivery' | 'unknown_email' | 'delivering') =>
        (await storeOf().findRequests({ attention, limit: 500 })).map((r) => r.id);
      expect(await ids4('failed_delivery')).toContain(failed.id);
      expect(await ids4('failed_delivery')).not.toContain(unknown.id);
      expect(await ids4('unknown_email')).toContain(unknown.id);
      expect(await ids4('unknown_email')).not.toContain(failed.id);
      expect(await ids4('delivering')).toContain(moving.id);
      expect(await ids4('delivering')).not.toContain(fine.id);
      // Sent again (a newer delivery of the channel): no longer needs a human.
      await storeOf().transaction(async (tx) => tx.insertDeliveries([dlv(failed, 'chat', 'sent')]));
      expect(await ids4('failed_delivery')).not.toContain(failed.id);
    });

    it("forgets a purged request's text terms, and keeps its fingerprint findable", async () => {
      const w = unique();
      const r = request({ requesterEmail: `old@${w}.example`, createdAt: '2024-01-02T00:00:00.000Z' });
      const l = license(r.id, { fingerprint: hex64() });
      await storeOf().transaction(async (tx) => {
        await tx.insertRequest(r);
        await tx.insertLicense(l);
      });
      expect(await ids(`old@${w}`)).toEqual([r.id]);
      const purged = await purgePersonalData(storeOf(), {
        cutoff: '2024-06-01T00:00:00.000Z',
        now: new Date(),
      });
      expect(purged.requestIds).toContain(r.id);
      expect(await ids(`old@${w}`)).toEqual([]);
      expect(await ids(`${w}.example`)).toEqual([]);
      expect(await ids(l.fingerprint.slice(0, 16))).toEqual([r.id]);
    });
  });
}
