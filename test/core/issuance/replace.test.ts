/** Replace (PRODUCT.md §12): a corrected license for the same ticket, both records linked. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarDate } from '../../../src/core/dates.js';
import {
  issueEmergencyLicense,
  type IssueInput,
  lookupById,
  voidRequest,
} from '../../../src/core/issuance/index.js';
import { replaceRequest } from '../../../src/core/issuance/replace.js';
import { decodeLicense } from '../../../src/core/license/codec.js';
import { engineer, licensing, sqliteHarness, type Harness } from '../../helpers/issuance.js';
import { testPublicKey } from '../../helpers/vectors.js';
import { unwrap } from '../../../src/core/outcome.js';

const SATURDAY = '2026-11-28' as CalendarDate;
const REASON = 'Issued to the wrong address by mistake';

function input(overrides: Partial<IssueInput['request']> = {}): IssueInput {
  return {
    request: {
      ticketId: '4242',
      requesterEmail: 'ops@acme.example',
      seats: 120,
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: 100,
      ...overrides,
    },
    actor: engineer,
    today: SATURDAY,
  };
}

describe('replacing a license', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await sqliteHarness();
  });
  afterEach(async () => h.close());

  async function issued(): Promise<string> {
    const outcome = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    if (outcome.kind !== 'issued') throw new Error(outcome.kind);
    return outcome.view.request.id;
  }

  it('voids the old record and issues a new license for the same ticket, linked both ways, dated today', async () => {
    const oldId = await issued();
    // Monday: the rules run again on the original decision date (Saturday), so the weekend rule passes.
    h.setNow('2026-11-30T08:00:00Z');
    const outcome = unwrap(
      await replaceRequest(
        { requestId: oldId, actor: licensing, requesterEmail: 'it@acme.example', seats: 150, reason: REASON },
        h.ports,
        h.settings,
      ),
    );
    if (outcome.kind !== 'replaced') throw new Error(outcome.kind);
    const { view, replaced } = outcome;
    expect(view.request).toMatchObject({
      status: 'issued',
      ticketId: '4242',
      requesterEmail: 'it@acme.example',
      seats: 150,
      replaces: oldId,
      issueDate: '2026-11-30',
    });
    expect(view.license).toMatchObject({ email: 'it@acme.example', seats: 150, issuedAt: '2026-11-30' });
    const decoded = decodeLicense(view.license?.text ?? '', [testPublicKey()]);
    expect(decoded.ok && decoded.value.license.licensee['Email']).toBe('it@acme.example');
    expect(view.deliveries.map((d) => d.channel).sort()).toEqual(['chat', 'email', 'ticket', 'tracker']);
    expect(replaced.request).toMatchObject({ status: 'voided', replacedBy: view.request.id });
    expect(replaced.request.voided?.reason).toContain(REASON);
    expect(
      replaced.deliveries
        .filter((d) => d.purpose === 'void')
        .map((d) => d.channel)
        .sort(),
    ).toEqual(['chat', 'tracker']);
    // The ticket now belongs to the replacement: a repeat issue call returns it.
    expect((await h.store.findTicketHolder('4242'))?.id).toBe(view.request.id);
    const again = unwrap(await issueEmergencyLicense(input(), h.ports, h.settings));
    expect(again.kind === 'existing' && again.view.request.id).toBe(view.request.id);
    // One non-void license per ticket.
    const licenses = await h.store.db
      .selectFrom('licenses')
      .innerJoin('requests', 'requests.id', 'licenses.request_id')
      .select(['requests.status'])
      .where('requests.ticket_id', '=', '4242')
      .execute();
    expect(licenses.map((l) => l.status).sort()).toEqual(['issued', 'voided']);
    expect((await h.store.verifyAudit()).ok).toBe(true);
  });

  it('replaces a replacement on the decision date of the ticket’s first request', async () => {
    const oldId = await issued();
    h.setNow('2026-11-30T08:00:00Z');
    const first = unwrap(
      await replaceRequest(
        { requestId: oldId, actor: licensing, requesterEmail: 'it@acme.example', reason: REASON },
        h.ports,
        h.settings,
      ),
    );
    if (first.kind !== 'replaced') throw new Error(first.kind);
    expect(first.view.request.issueDate).toBe('2026-11-30');
    // Wednesday: the rules run on Saturday again (not on the first replacement's Monday).
    h.setNow('2026-12-02T08:00:00Z');
    const second = unwrap(
      await replaceRequest(
        { requestId: first.view.request.id, actor: licensing, seats: 140, reason: REASON },
        h.ports,
        h.settings,
      ),
    );
    if (second.kind !== 'replaced') throw new Error(JSON.stringify(second.eligibility.refusals));
    expect(second.view.request).toMatchObject({
      issueDate: '2026-12-02',
      seats: 140,
      replaces: first.view.request.id,
    });
    expect(second.view.request.eligibility.facts.isWeekendOrHoliday).toBe(true);
    const audit = second.view.events.find((e) => e.action === 'license.replacement_issued');
    expect(audit?.details).toMatchObject({ decisionDate: SATURDAY });
  });

  it('replaces a record voided earlier, and the ticket can have a license again', async () => {
    const oldId = await issued();
    unwrap(
      await voidRequest(
        { requestId: oldId, actor: licensing, reason: 'issued to the wrong address' },
        h.ports,
      ),
    );
    const outcome = unwrap(
      await replaceRequest(
        { requestId: oldId, actor: licensing, requesterEmail: 'it@acme.example', reason: REASON },
        h.ports,
        h.settings,
      ),
    );
    expect(outcome.kind).toBe('replaced');
    if (outcome.kind !== 'replaced') return;
    expect(outcome.replaced.request).toMatchObject({ status: 'voided', replacedBy: outcome.view.request.id });
    // Voided once, by the first void: no second void note.
    expect(outcome.replaced.deliveries.filter((d) => d.purpose === 'void')).toHaveLength(2);
  });

  it('takes a pinned date only with LIFELINE_ALLOW_PINNED_DATES, and then records it on the replacement', async () => {
    const oldId = await issued();
    h.setNow('2026-11-30T08:00:00Z');
    const strict = { ...h.settings, allowPinnedDates: false };
    const pinned = {
      requestId: oldId,
      actor: licensing,
      reason: REASON,
      today: '2026-12-01' as CalendarDate,
    };
    expect(await replaceRequest(pinned, h.ports, strict)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', field: 'today' },
    });
    expect(unwrap(await lookupById(h.ports, oldId)).request).toMatchObject({
      status: 'issued',
      replacedBy: null,
    });

    const outcome = unwrap(await replaceRequest(pinned, h.ports, h.settings));
    if (outcome.kind !== 'replaced') throw new Error(outcome.kind);
    expect(outcome.view.request).toMatchObject({ issueDate: '2026-12-01', datePinned: true });
    expect(outcome.view.license).toMatchObject({ issuedAt: '2026-12-01' });
    expect(outcome.view.events.find((e) => e.action === 'license.replacement_issued')?.details).toMatchObject(
      {
        pinnedToday: '2026-12-01',
      },
    );
  });

  it('is for licensing only, once per record, with a reason, and refuses a recipient rule 1 refuses', async () => {
    const oldId = await issued();
    expect(
      await replaceRequest({ requestId: oldId, actor: engineer, reason: REASON }, h.ports, h.settings),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(
      await replaceRequest({ requestId: oldId, actor: licensing, reason: 'typo' }, h.ports, h.settings),
    ).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID', field: 'reason' } });
    const bad = unwrap(
      await replaceRequest(
        { requestId: oldId, actor: licensing, requesterEmail: 'not an email', reason: REASON },
        h.ports,
        h.settings,
      ),
    );
    expect(bad.kind === 'refused' && bad.eligibility.refusals.map((r) => r.field)).toEqual([
      'requesterEmail',
    ]);
    expect(unwrap(await lookupById(h.ports, oldId)).request.status).toBe('issued');

    const first = unwrap(
      await replaceRequest({ requestId: oldId, actor: licensing, reason: REASON }, h.ports, h.settings),
    );
    expect(first.kind).toBe('replaced');
    expect(
      await replaceRequest({ requestId: oldId, actor: licensing, reason: REASON }, h.ports, h.settings),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: expect.stringMatching(/already replaced/) },
    });
  });

  it('rule 9 ignores the license it replaces, not another license of the customer; the reason overrides it', async () => {
    const oldId = await issued();
    // Another ticket of the same customer domain, issued with licensing's override the same day.
    const other = unwrap(
      await issueEmergencyLicense(
        {
          ...input({ ticketId: '5555', requesterEmail: 'cto@acme.example' }),
          actor: licensing,
          overrideReason: 'A second instance of the same customer is down',
        },
        h.ports,
        h.settings,
      ),
    );
    if (other.kind !== 'issued') throw new Error(other.kind);
    const outcome = unwrap(
      await replaceRequest(
        { requestId: oldId, actor: licensing, seats: 130, reason: REASON },
        h.ports,
        h.settings,
      ),
    );
    if (outcome.kind !== 'replaced') throw new Error(outcome.kind);
    expect(outcome.view.request.eligibility.facts.matchingRecentRequestIds).toEqual([other.view.request.id]);
    expect(outcome.view.request.override).toMatchObject({
      codes: ['RECENT_EMERGENCY_LICENSE'],
      reason: REASON,
    });
  });
});
