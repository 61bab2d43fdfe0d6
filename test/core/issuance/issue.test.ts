import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  checkRequest,
  issueEmergencyLicense,
  type IssueInput,
  approveRequest,
  lookupRequests,
  rejectRequest,
  resendLicense,
  retryRequest,
  voidRequest,
} from '../../../src/core/issuance/index.js';
import { decodeLicense } from '../../../src/core/license/codec.js';
import type { CalendarDate } from '../../../src/core/dates.js';
import { engineer, licensing, sqliteHarness, unusableKey, type Harness } from '../../helpers/issuance.js';
import { testPublicKey, VECTORS_DIR } from '../../helpers/vectors.js';
import { join } from 'node:path';
import { unwrap } from '../../../src/core/outcome.js';

const SATURDAY = '2026-11-28' as CalendarDate;
const TUESDAY = '2026-11-24' as CalendarDate;

function input(overrides: Partial<IssueInput['request']> = {}, extra: Partial<IssueInput> = {}): IssueInput {
  return {
    request: {
      ticketId: '4242',
      requesterEmail: 'Ops@Acme.example',
      seats: 120,
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: 100,
      maximumUsers: 110,
      ...overrides,
    },
    actor: engineer,
    today: SATURDAY,
    ...extra,
  };
}

/** The §5 JSON, exactly, in the gem's key order. */
function section5(email: string, seats: number, issuedAt: string, expiresAt: string): string {
  return JSON.stringify({
    version: 1,
    licensee: { Name: 'Emergency Trial', Company: 'Emergency Trial License', Email: email },
    issued_at: issuedAt,
    expires_at: expiresAt,
    cloud_licensing_enabled: false,
    offline_cloud_licensing_enabled: false,
    auto_renew_enabled: false,
    seat_reconciliation_enabled: false,
    operational_metrics_enabled: false,
    generated_from_customers_dot: false,
    generated_from_cancellation: false,
    restrictions: { active_user_count: seats, plan: 'ultimate', trial: true },
  });
}

async function counts(h: Harness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['requests', 'licenses', 'deliveries', 'audit_log'] as const) {
    const row = await h.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

describe('issuing an emergency license', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await sqliteHarness();
  });
  afterEach(async () => h.close());

  it('issues the §5 license, stores it with four queued deliveries and an audit entry', async () => {
    const outcome = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    expect(outcome.kind).toBe('issued');
    if (outcome.kind !== 'issued') return;
    const { request, license, deliveries, events } = outcome.view;
    expect(request.status).toBe('issued');
    expect(request.requesterEmail).toBe('ops@acme.example');
    expect(request.ticketUrl).toBe('https://acme.zendesk.com/agent/tickets/4242');
    expect(license?.fileName).toBe('GitLab_Emergency_Trial_2026-11-28.gitlab-license');
    expect(license?.expiresAt).toBe('2026-12-08');
    const decoded = decodeLicense(license?.text ?? '', [testPublicKey()]);
    expect(decoded.ok && JSON.stringify(decoded.value.json)).toBe(
      section5('ops@acme.example', 120, '2026-11-28', '2026-12-08'),
    );
    expect(deliveries.map((d) => d.channel).sort()).toEqual(['chat', 'email', 'ticket', 'tracker']);
    expect(deliveries.every((d) => d.status === 'queued')).toBe(true);
    expect(deliveries.find((d) => d.channel === 'email')?.recipient).toBe('ops@acme.example');
    expect(events.map((e) => e.action)).toEqual(['license.issued']);
    // Never the license text (nor the customer's email) in the audit trail.
    const trail = JSON.stringify(await h.store.listAudit({}));
    expect(trail).not.toContain(license?.text.slice(0, 40));
    expect(trail).not.toContain('ops@acme.example');
    expect((await h.store.verifyAudit()).ok).toBe(true);
  });

  it('returns the existing record for a repeat on the same ticket, even with other values', async () => {
    const first = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    const again = unwrap(await issueEmergencyLicense(input({ seats: 999 }), h.ports, h.settings));
    expect(again.kind).toBe('existing');
    if (first.kind !== 'issued' || again.kind !== 'existing') return;
    expect(again.view.request.id).toBe(first.view.request.id);
    expect(again.view.license?.fingerprint).toBe(first.view.license?.fingerprint);
    expect(await counts(h)).toMatchObject({ requests: 1, licenses: 1, deliveries: 4 });
  });

  it('refuses with every code and keeps the decision without holding the ticket', async () => {
    const outcome = unwrap(await issueEmergencyLicense(input({}, { today: TUESDAY }), h.ports, h.settings));
    expect(outcome.kind).toBe('refused');
    if (outcome.kind !== 'refused') return;
    expect(outcome.eligibility.refusals.map((r) => r.code)).toEqual(['STILL_IN_GRACE', 'NOT_WEEKEND']);
    expect(outcome.view?.request.status).toBe('refused');
    expect(await h.store.findTicketHolder('4242')).toBeNull();
    expect(await counts(h)).toMatchObject({ requests: 1, licenses: 0, deliveries: 0, audit_log: 1 });
  });

  it('writes nothing for invalid input, and names every field', async () => {
    const outcome = unwrap(
      await issueEmergencyLicense(
        input({
          requesterEmail: 'not-an-email',
          seats: -3,
          expiresAt: '2026-02-30',
          ticketId: 'x'.repeat(1_000_000),
        }),
        h.ports,
        h.settings,
      ),
    );
    expect(outcome.kind).toBe('refused');
    if (outcome.kind !== 'refused') return;
    expect(outcome.view).toBeNull();
    const fields = outcome.eligibility.refusals.map((r) => r.field);
    expect(fields).toEqual(expect.arrayContaining(['ticketId', 'requesterEmail', 'seats', 'expiresAt']));
    expect(outcome.eligibility.refusals.every((r) => r.code === 'INPUT_INVALID')).toBe(true);
    expect(await counts(h)).toEqual({ requests: 0, licenses: 0, deliveries: 0, audit_log: 0 });
  });

  it('refuses a corrupt previous license as invalid input and writes nothing', async () => {
    const outcome = unwrap(
      await issueEmergencyLicense(
        input({}, { previousLicenseText: 'eyJub3QiOiJhIGxpY2Vuc2UifQ==' }),
        h.ports,
        h.settings,
      ),
    );
    expect(outcome.kind === 'refused' && outcome.eligibility.refusals[0]).toMatchObject({
      code: 'INPUT_INVALID',
      field: 'previousLicense',
    });
    expect(await counts(h)).toEqual({ requests: 0, licenses: 0, deliveries: 0, audit_log: 0 });
  });

  it('takes plan, seats and dates from a previous license file, which wins over typed values', async () => {
    // premium_expired: premium, 100 users, expired 2026-01-05 → grace ends 2026-01-19 (a Monday).
    const text = readFileSync(join(VECTORS_DIR, 'premium_expired.gitlab-license'), 'utf8');
    const settings = {
      ...h.settings,
      eligibility: { ...h.settings.eligibility, holidays: ['2026-01-19' as CalendarDate] },
    };
    const result = unwrap(
      await checkRequest(
        input(
          {
            plan: 'ultimate',
            expiresAt: undefined,
            previousSeats: undefined,
            seats: 100,
            maximumUsers: undefined,
          },
          {
            previousLicenseText: text,
            today: '2026-01-19' as CalendarDate,
          },
        ),
        h.ports,
        settings,
      ),
    );
    expect(result.eligible).toBe(true);
    expect(result.facts).toMatchObject({
      source: 'license',
      plan: 'premium',
      previousSeats: 100,
      graceEndsOn: '2026-01-19',
    });
    expect(result.warnings.map((w) => w.code)).toContain('EVIDENCE_MISMATCH');
    expect(await counts(h)).toEqual({ requests: 0, licenses: 0, deliveries: 0, audit_log: 0 });
  });

  it('never bases a license on one it issued itself, and says so', async () => {
    const first = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    if (first.kind !== 'issued') throw new Error(first.kind);
    const outcome = unwrap(
      await issueEmergencyLicense(
        input(
          { ticketId: '5555', requesterEmail: 'other@else.example' },
          { previousLicenseText: first.view.license?.text ?? '' },
        ),
        h.ports,
        h.settings,
      ),
    );
    expect(outcome.kind).toBe('refused');
    if (outcome.kind !== 'refused') return;
    const notPaid = outcome.eligibility.refusals.find((r) => r.code === 'NOT_PAID_PLAN');
    expect(notPaid?.message).toContain(first.view.request.id);
  });

  it('refuses a second license for the same customer within 30 days', async () => {
    unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    const outcome = unwrap(
      await issueEmergencyLicense(
        input({ ticketId: '9999' }, { today: '2026-11-29' as CalendarDate }),
        h.ports,
        h.settings,
      ),
    );
    expect(outcome.kind === 'refused' && outcome.eligibility.refusals.map((r) => r.code)).toEqual([
      'RECENT_EMERGENCY_LICENSE',
    ]);
  });
});

describe('overrides, approvals and the life of a request', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await sqliteHarness();
  });
  afterEach(async () => h.close());

  const reason = 'Customer is a bank; outage confirmed by the TAM on the call.';

  it("puts an engineer's override on hold until licensing approves it", async () => {
    const pending = unwrap(
      await issueEmergencyLicense(input({}, { today: TUESDAY, overrideReason: reason }), h.ports, h.settings),
    );
    expect(pending.kind).toBe('pending_approval');
    if (pending.kind !== 'pending_approval') return;
    expect(pending.view.license).toBeNull();
    expect(pending.view.request.override).toMatchObject({
      reason,
      by: 'erin',
      codes: ['STILL_IN_GRACE', 'NOT_WEEKEND'],
    });
    // The ticket is held: a repeat returns the pending request.
    expect(unwrap(await issueEmergencyLicense(input(), h.ports, h.settings)).kind).toBe('existing');

    expect(
      await approveRequest({ requestId: pending.view.request.id, actor: engineer }, h.ports, h.settings),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'FORBIDDEN',
      },
    });
    const approved = unwrap(
      await approveRequest(
        { requestId: pending.view.request.id, actor: licensing, today: '2026-11-25' as CalendarDate },
        h.ports,
        h.settings,
      ),
    );
    expect(approved.request.status).toBe('issued');
    expect(approved.request.decision).toMatchObject({ decision: 'approved', by: 'lou' });
    expect(approved.license?.issuedAt).toBe('2026-11-25');
    // The license's four deliveries; the engineer's chat thread and ticket are told it as the decision.
    expect(
      approved.deliveries
        .filter((d) => d.purpose !== 'pending')
        .map((d) => `${d.channel}:${d.purpose}`)
        .sort(),
    ).toEqual(['chat:decision', 'email:issue', 'ticket:decision', 'tracker:issue']);
    const pendingChannels = approved.deliveries.filter((d) => d.purpose === 'pending').map((d) => d.channel);
    expect(pendingChannels.sort()).toEqual(['chat', 'ticket']);
    expect(approved.events.map((e) => e.action)).toEqual(['request.pending_approval', 'request.approved']);
    expect(
      await approveRequest({ requestId: pending.view.request.id, actor: licensing }, h.ports, h.settings),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_STATE',
      },
    });
  });

  it('rejecting frees the ticket', async () => {
    const pending = unwrap(
      await issueEmergencyLicense(input({}, { today: TUESDAY, overrideReason: reason }), h.ports, h.settings),
    );
    if (pending.kind !== 'pending_approval') throw new Error(pending.kind);
    expect(
      await rejectRequest({ requestId: pending.view.request.id, actor: licensing }, h.ports),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
      },
    });
    const rejected = unwrap(
      await rejectRequest(
        { requestId: pending.view.request.id, actor: licensing, reason: 'not an outage' },
        h.ports,
      ),
    );
    expect(rejected.request.status).toBe('rejected');
    expect(await h.store.findTicketHolder('4242')).toBeNull();
    expect(unwrap(await issueEmergencyLicense(input(), h.ports, h.settings)).kind).toBe('issued');
  });

  it("applies a licensing user's override at once", async () => {
    const outcome = unwrap(
      await issueEmergencyLicense(
        input({}, { today: TUESDAY, overrideReason: reason, actor: licensing }),
        h.ports,
        h.settings,
      ),
    );
    expect(outcome.kind).toBe('issued');
    if (outcome.kind === 'issued') expect(outcome.view.request.override?.role).toBe('licensing');
  });

  it('does not override rules 1–3, and needs a 20-character reason', async () => {
    const trial = unwrap(
      await issueEmergencyLicense(
        input({ plan: 'free' }, { overrideReason: reason, actor: licensing }),
        h.ports,
        h.settings,
      ),
    );
    expect(trial.kind === 'refused' && trial.eligibility.refusals.map((r) => r.code)).toContain(
      'NOT_PAID_PLAN',
    );
    const short = unwrap(
      await issueEmergencyLicense(
        input({}, { today: TUESDAY, overrideReason: 'because' }),
        h.ports,
        h.settings,
      ),
    );
    expect(short.kind === 'refused' && short.eligibility.refusals.at(-1)).toMatchObject({
      field: 'overrideReason',
    });
    expect(short.kind === 'refused' && short.view).toBeNull();
  });

  it('records a failure when no license can be generated, and retry issues it once the key is fixed', async () => {
    const broken = { ...h.ports, signer: { privateKey: unusableKey(), development: false } };
    const failed = unwrap(await issueEmergencyLicense(input(), broken, h.settings));
    expect(failed.kind).toBe('failed');
    if (failed.kind !== 'failed') return;
    expect(failed.view.request.failure?.code).toBe('KEY_UNUSABLE');
    expect(failed.view.deliveries.map((d) => `${d.channel}:${d.purpose}`).sort()).toEqual([
      'chat:failure',
      'tracker:failure',
    ]);
    expect(await h.store.findTicketHolder('4242')).toBeNull();

    const retried = unwrap(
      await retryRequest({ requestId: failed.view.request.id, actor: engineer }, h.ports, h.settings),
    );
    expect(retried.kind).toBe('issued');
    if (retried.kind !== 'issued') return;
    expect(retried.view.request.status).toBe('issued');
    expect(retried.view.license).not.toBeNull();
    expect(
      await retryRequest({ requestId: failed.view.request.id, actor: engineer }, h.ports, h.settings),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_STATE',
      },
    });
  });

  it('resends the same license; only licensing may send it elsewhere; void stops resends', async () => {
    const issued = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    const id = issued.view.request.id;
    const resent = unwrap(await resendLicense({ requestId: id, actor: engineer }, h.ports, h.settings));
    expect(resent.deliveries.filter((d) => d.purpose === 'resend').map((d) => d.recipient)).toContain(
      'ops@acme.example',
    );
    expect(resent.license?.fingerprint).toBe(issued.view.license?.fingerprint);
    expect(
      await resendLicense({ requestId: id, actor: engineer, to: 'cto@acme.example' }, h.ports, h.settings),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'FORBIDDEN',
      },
    });
    expect(
      await resendLicense({ requestId: id, actor: licensing, to: 'nonsense' }, h.ports, h.settings),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'INPUT_INVALID',
        field: 'to',
      },
    });
    const elsewhere = unwrap(
      await resendLicense({ requestId: id, actor: licensing, to: 'CTO@acme.example' }, h.ports, h.settings),
    );
    expect(elsewhere.deliveries.map((d) => d.recipient)).toContain('cto@acme.example');
    expect((await h.store.db.selectFrom('licenses').selectAll().execute()).length).toBe(1);

    expect(
      await voidRequest({ requestId: id, actor: engineer, reason: 'wrong address' }, h.ports),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'FORBIDDEN',
      },
    });
    const voided = unwrap(
      await voidRequest({ requestId: id, actor: licensing, reason: 'issued to the wrong address' }, h.ports),
    );
    expect(voided.request.status).toBe('voided');
    expect(
      voided.deliveries
        .filter((d) => d.purpose === 'void')
        .map((d) => d.channel)
        .sort(),
    ).toEqual(['chat', 'tracker']);
    expect(await resendLicense({ requestId: id, actor: engineer }, h.ports, h.settings)).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_STATE',
      },
    });
    // A voided license still holds its ticket: the same ticket never gets two licenses.
    expect(unwrap(await issueEmergencyLicense(input(), h.ports, h.settings)).kind).toBe('existing');
    expect((await h.store.verifyAudit()).ok).toBe(true);
  });

  it('looks requests up by id, email, ticket and fingerprint', async () => {
    const issued = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    const id = issued.view.request.id;
    const ids = async (q: Parameters<typeof lookupRequests>[1]): Promise<string[]> =>
      unwrap(await lookupRequests(h.ports, q)).map((v) => v.request.id);
    expect(await ids({ id })).toEqual([id]);
    expect(await ids({ email: 'OPS@acme.example' })).toEqual([id]);
    expect(await ids({ ticketId: '4242' })).toEqual([id]);
    expect(await ids({ fingerprint: issued.view.license?.fingerprint ?? '' })).toEqual([id]);
    expect(await ids({ email: 'nobody@acme.example' })).toEqual([]);
    expect(await lookupRequests(h.ports, {})).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });
});

describe('dates, recipients and signed requests (PRODUCT.md §12)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await sqliteHarness();
  });
  afterEach(async () => h.close());

  it('a pinned date is refused unless LIFELINE_ALLOW_PINNED_DATES is set, on check, issue and approve', async () => {
    const strict = { ...h.settings, allowPinnedDates: false };
    const refused = { code: 'VALIDATION_FAILED', field: 'today' };
    expect(await checkRequest(input(), h.ports, strict)).toMatchObject({ ok: false, error: refused });
    expect(await issueEmergencyLicense(input(), h.ports, strict)).toMatchObject({
      ok: false,
      error: refused,
    });
    const pending = unwrap(
      await issueEmergencyLicense(
        input({}, { today: TUESDAY, overrideReason: 'Customer is blocked; approved by the account team' }),
        h.ports,
        h.settings,
      ),
    );
    if (pending.kind !== 'pending_approval') throw new Error(pending.kind);
    expect(
      await approveRequest(
        { requestId: pending.view.request.id, actor: licensing, today: SATURDAY },
        h.ports,
        strict,
      ),
    ).toMatchObject({ ok: false, error: refused });
    expect(await counts(h)).toMatchObject({ requests: 1, licenses: 0 });
    // Without a pinned date the clock's date in the support time zone decides (Saturday 10:00 UTC).
    const clock = unwrap(
      await issueEmergencyLicense(input({ ticketId: '4243' }, { today: undefined }), h.ports, strict),
    );
    expect(clock.kind === 'issued' && clock.view.request).toMatchObject({
      issueDate: SATURDAY,
      datePinned: false,
    });
  });

  it('a pinned date is recorded on the request and in its audit entry', async () => {
    h.setNow('2026-12-02T10:00:00Z');
    const outcome = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    if (outcome.kind !== 'issued') throw new Error(outcome.kind);
    expect(outcome.view.request).toMatchObject({ issueDate: SATURDAY, datePinned: true });
    expect((await h.store.getRequest(outcome.view.request.id))?.datePinned).toBe(true);
    expect(outcome.view.events[0]?.details).toMatchObject({ pinnedToday: SATURDAY });
  });

  it('an expiry date past 2099 (or before 2000) is refused by rule 1, typed or in the license file', async () => {
    for (const expiresAt of ['9999-12-31', '2100-01-01', '1999-12-31']) {
      const result = unwrap(await checkRequest(input({ expiresAt }), h.ports, h.settings));
      expect(result.refusals.map((r) => [r.code, r.field])).toEqual([['INPUT_INVALID', 'expiresAt']]);
    }
  });

  it('a retry is refused, and writes nothing, when the ticket got a license from another request meanwhile', async () => {
    const broken = { ...h.ports, signer: { privateKey: unusableKey(), development: false } };
    const failed = unwrap(await issueEmergencyLicense(input(), broken, h.settings));
    if (failed.kind !== 'failed') throw new Error(failed.kind);
    // The failed request does not hold the ticket: a new request for it issues.
    const other = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    if (other.kind !== 'issued') throw new Error(other.kind);
    expect(
      await retryRequest({ requestId: failed.view.request.id, actor: engineer }, h.ports, h.settings),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: expect.stringContaining(other.view.request.id) },
    });
    expect((await h.store.getRequest(failed.view.request.id))?.status).toBe('failed');
    expect(await h.store.getLicenseForRequest(failed.view.request.id)).toBeNull();
    expect((await h.store.findTicketHolder('4242'))?.id).toBe(other.view.request.id);
  });

  it('a retry runs the rules on the request’s own date, writes a license dated today, and only within 7 days', async () => {
    const broken = { ...h.ports, signer: { privateKey: unusableKey(), development: false } };
    const failed = unwrap(await issueEmergencyLicense(input(), broken, h.settings));
    if (failed.kind !== 'failed') throw new Error(failed.kind);
    // Monday: the weekend rule would refuse a new request, but the failure was Lifeline's.
    h.setNow('2026-11-30T09:00:00Z');
    const retried = unwrap(
      await retryRequest({ requestId: failed.view.request.id, actor: engineer }, h.ports, h.settings),
    );
    expect(retried.kind).toBe('issued');
    if (retried.kind !== 'issued') return;
    expect(retried.view.license).toMatchObject({ issuedAt: '2026-11-30', expiresAt: '2026-12-10' });
    expect(retried.view.events.at(-1)?.details).toMatchObject({ decisionDate: SATURDAY });

    const late = unwrap(
      await issueEmergencyLicense(
        input({ ticketId: '5151', requesterEmail: 'ops@late.example' }),
        broken,
        h.settings,
      ),
    );
    if (late.kind !== 'failed') throw new Error(late.kind);
    h.setNow('2026-12-06T09:00:00Z');
    expect(
      await retryRequest({ requestId: late.view.request.id, actor: engineer }, h.ports, h.settings),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_STATE',
        message: expect.stringMatching(/8 days ago.*up to 7 days/),
      },
    });
  });

  it('a staff domain or the engineer’s own address is never a recipient, on issue and on resend', async () => {
    const staff = {
      ...h.settings,
      eligibility: { ...h.settings.eligibility, staffDomains: ['support.example'] },
    };
    const toStaff = unwrap(
      await checkRequest(input({ requesterEmail: 'lee@eu.support.example' }), h.ports, staff),
    );
    expect(toStaff.refusals.map((r) => [r.code, r.field])).toEqual([['INPUT_INVALID', 'requesterEmail']]);
    expect(toStaff.refusals[0]?.message).toMatch(/LIFELINE_STAFF_DOMAINS/);
    const self = { name: 'erin@partner.example', role: 'engineer' as const };
    const toSelf = unwrap(
      await checkRequest(input({ requesterEmail: 'Erin@Partner.example' }, { actor: self }), h.ports, staff),
    );
    expect(toSelf.refusals[0]?.message).toMatch(/your own address/);

    const issued = unwrap(await issueEmergencyLicense(input(), h.ports, staff));
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    for (const to of ['ops@support.example', 'x\u0000y@evil.example', 'lou@licensing.example']) {
      expect(
        await resendLicense(
          {
            requestId: issued.view.request.id,
            actor: { name: 'lou@licensing.example', role: 'licensing' },
            to,
          },
          h.ports,
          staff,
        ),
      ).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID', field: 'to' } });
    }
    expect(
      (await h.store.listDeliveries(issued.view.request.id)).filter((d) => d.purpose === 'resend'),
    ).toEqual([]);
  });

  it('a signed request acts only on its own ticket: resend, retry, void; and it needs a ticket claim', async () => {
    const issued = unwrap(await issueEmergencyLicense(input({ ticketId: '1001' }), h.ports, h.settings));
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    const sidebar = (ticketId: string | null) => ({
      name: 'agent@support.example',
      role: 'engineer' as const,
      origin: { via: 'zendesk' as const, ticketId, agentEmail: 'agent@support.example', agentName: null },
    });
    const id = issued.view.request.id;
    expect(await resendLicense({ requestId: id, actor: sidebar('2001') }, h.ports, h.settings)).toMatchObject(
      { ok: false, error: { code: 'FORBIDDEN' } },
    );
    expect(await retryRequest({ requestId: id, actor: sidebar('2001') }, h.ports, h.settings)).toMatchObject({
      ok: false,
      error: {
        code: 'FORBIDDEN',
      },
    });
    expect(
      await voidRequest(
        { requestId: id, actor: { ...sidebar('2001'), role: 'licensing' }, reason: 'not mine' },
        h.ports,
      ),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(
      await issueEmergencyLicense(input({ ticketId: '3001' }, { actor: sidebar(null) }), h.ports, h.settings),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Its own ticket: allowed.
    const own = unwrap(await resendLicense({ requestId: id, actor: sidebar('1001') }, h.ports, h.settings));
    expect(own.deliveries.some((d) => d.purpose === 'resend')).toBe(true);
  });

  it('limits count only calls that passed authorization and validation', async () => {
    const taken: string[] = [];
    const ports = {
      ...h.ports,
      limits: {
        take: async (actor: { name: string }, email: string | null) => {
          taken.push(`${actor.name}:${email}`);
          return { allowed: true, retryAfterSeconds: 0 };
        },
      },
    };
    const issued = unwrap(await issueEmergencyLicense(input(), ports, h.settings));
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    expect(taken).toEqual(['erin:ops@acme.example']);
    const id = issued.view.request.id;
    expect(
      await resendLicense({ requestId: id, actor: engineer, to: 'cto@acme.example' }, ports, h.settings),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(
      await resendLicense({ requestId: id, actor: licensing, to: 'not an email' }, ports, h.settings),
    ).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
    unwrap(await checkRequest(input({ requesterEmail: 'bad' }), ports, h.settings));
    unwrap(await issueEmergencyLicense(input({ ticketId: '9', requesterEmail: 'bad' }), ports, h.settings));
    unwrap(await issueEmergencyLicense(input(), ports, h.settings)); // the existing record: nothing written
    expect(taken).toEqual(['erin:ops@acme.example']);
    unwrap(
      await resendLicense({ requestId: id, actor: licensing, to: 'cto@acme.example' }, ports, h.settings),
    );
    expect(taken).toEqual(['erin:ops@acme.example', 'lou:ops@acme.example']);
  });

  it('finds a license by any copy of its text: file, email body, tracker copy, sha256: prefix or bare hex', async () => {
    const issued = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    if (issued.kind !== 'issued' || !issued.view.license) throw new Error('not issued');
    const { fingerprint } = issued.view.license;
    for (const query of [fingerprint, `sha256:${fingerprint}`, `SHA256:${fingerprint.toUpperCase()}`]) {
      expect(unwrap(await lookupRequests(h.ports, { fingerprint: query })).map((v) => v.request.id)).toEqual([
        issued.view.request.id,
      ]);
    }
    expect(await lookupRequests(h.ports, { fingerprint: 'sha256:xyz' })).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        field: 'fingerprint',
      },
    });
  });
});

describe('a resend to another address', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await sqliteHarness();
  });
  afterEach(async () => h.close());

  it('carries the address on all of its deliveries, so the tracker note names it', async () => {
    const issued = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    const view = unwrap(
      await resendLicense(
        { requestId: issued.view.request.id, actor: licensing, to: 'it@acme.example' },
        h.ports,
        h.settings,
      ),
    );
    const resend = view.deliveries.filter((d) => d.purpose === 'resend');
    expect(resend.map((d) => [d.channel, d.recipient]).sort()).toEqual([
      ['email', 'it@acme.example'],
      ['tracker', 'it@acme.example'],
    ]);
    // The license's own deliveries are about the requester, each of them.
    expect(view.deliveries.filter((d) => d.purpose === 'issue').map((d) => d.recipient)).toEqual(
      Array(4).fill('ops@acme.example'),
    );
  });
});
