/**
 * Rules 2 (PROSPECT) and 3 (NOT_PAID_PLAN), and where the facts come from: the decoded license file
 * (it wins), typed screenshot values, or nothing.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeLicense,
  encodeLicense,
  licenseFingerprint,
  type License,
} from '../../../src/core/license/index.js';
import { check, codes, context, d, license, previous, recent, warningCodes } from './fixtures.js';

const SAT = '2026-11-28';
const MON = '2026-11-30';
const typedOnly = (today = SAT) => context(today, { previousLicense: null });
const withFile = (lic: License, extra: Parameters<typeof previous>[1] = {}, today = SAT) =>
  context(today, { previousLicense: previous(lic, extra) });

describe('rule 2 PROSPECT: no evidence of a previous license at all', () => {
  it('no license file, no plan, no expiry → PROSPECT only (rules 3–8 are not evaluated)', () => {
    // A Monday with an implausible seat count: rules 6 and 8 would refuse, but need evidence.
    const result = check({ seats: 5000, previousSeats: 10, maximumUsers: 9000 }, typedOnly(MON));
    expect(codes(result)).toEqual(['PROSPECT']);
    expect(result.refusals[0]?.message).toContain('route the customer to sales');
    expect(result.facts.source).toBe('none');
    expect(result.overridable).toBe(false);
    // The recommendation is still shown.
    expect(result.facts.minimumSeats).toBe(8182);
    expect(result.facts.recommendedSeats).toBe(9000);
  });

  it('rule 9 still runs for a prospect', () => {
    const result = check(
      {},
      context(SAT, {
        previousLicense: null,
        recentLicenses: [recent({ requesterEmail: 'ops@acme.example' })],
      }),
    );
    expect(codes(result)).toEqual(['PROSPECT', 'RECENT_EMERGENCY_LICENSE']);
  });

  it('blank plan and expiry count as not entered', () => {
    expect(codes(check({ plan: '  ', expiresAt: '' }, typedOnly()))).toEqual(['PROSPECT']);
  });
});

describe('rule 3 NOT_PAID_PLAN', () => {
  it.each([
    ['premium', false],
    ['starter', false],
    ['ultimate', false],
    ['free', true],
    ['bronze', true],
    ['silver', true],
    ['gold', true],
    ['early_adopter', true],
    ['opensource', true],
  ])('license plan %s → refused %s', (plan, refused) => {
    const result = check({}, withFile(license({ restrictions: { plan, active_user_count: 100 } })));
    expect(codes(result)).toEqual(refused ? ['NOT_PAID_PLAN'] : []);
    expect(result.facts.plan).toBe(plan);
    if (refused) {
      expect(result.refusals[0]?.message).toContain(`"${plan}"`);
      expect(result.refusals[0]?.message).toContain('only paid plans');
      expect(result.overridable).toBe(false);
    }
  });

  it('a trial previous license (trial: true) is refused; the window uses §4 formula (expiry + 14 days)', () => {
    const lic = license({
      expiresAt: d('2026-11-14'),
      restrictions: { plan: 'ultimate', trial: true, active_user_count: 50 },
    });
    const result = check({}, withFile(lic));
    expect(codes(result)).toEqual(['NOT_PAID_PLAN']);
    expect(result.refusals[0]?.message).toContain('trial');
    expect(result.facts).toMatchObject({ trial: true, plan: 'ultimate', graceEndsOn: '2026-11-28' });
  });

  it('a license with trial: false or no trial key is paid', () => {
    expect(check({}, withFile(license({ restrictions: { plan: 'ultimate', trial: false } }))).eligible).toBe(
      true,
    );
    const noKey = check({}, withFile(license({ restrictions: { plan: 'ultimate' } })));
    expect(noKey.eligible).toBe(true);
    expect(noKey.facts.trial).toBeNull();
  });

  it('a planless previous license counts as starter, which is paid', () => {
    const result = check({}, withFile(license({ restrictions: { active_user_count: 25 } })));
    expect(result.eligible).toBe(true);
    expect(result.facts).toMatchObject({ plan: 'starter', previousSeats: 25, graceEndsOn: SAT });
    const noRestrictions = check({}, withFile(license({ restrictions: null })));
    expect(noRestrictions.eligible).toBe(true);
    expect(noRestrictions.facts.plan).toBe('starter');
  });

  it('a previous license Lifeline issued: NOT_PAID_PLAN, the message says so and names the request', () => {
    const emergency = license({
      licensee: { Name: 'Emergency Trial', Company: 'Emergency Trial License', Email: 'ops@acme.example' },
      issuedAt: d('2026-11-04'),
      expiresAt: d('2026-11-14'),
      restrictions: { active_user_count: 100, plan: 'ultimate', trial: true },
    });
    const result = check({}, withFile(emergency, { issuedByLifelineRequestId: 'req_01HEMERGENCY' }));
    expect(codes(result)).toEqual(['NOT_PAID_PLAN']);
    expect(result.refusals[0]?.message).toContain('Lifeline issued');
    expect(result.refusals[0]?.message).toContain('req_01HEMERGENCY');
    expect(result.refusals[0]?.message).toContain('never the basis of another');
    expect(result.facts.issuedByLifelineRequestId).toBe('req_01HEMERGENCY');
  });

  it("is refused even when the Lifeline license's content claims a paid plan", () => {
    const result = check({}, withFile(license(), { issuedByLifelineRequestId: 'req_x' }));
    expect(codes(result)).toEqual(['NOT_PAID_PLAN']);
    expect(result.refusals[0]?.message).toContain('req_x');
  });

  it('typed plans are compared lower-cased; an unknown typed plan is refused on the plan field', () => {
    expect(check({ plan: 'Premium', expiresAt: '2026-11-14' }, typedOnly()).eligible).toBe(true);
    const gold = check({ plan: 'Gold', expiresAt: '2026-11-14' }, typedOnly());
    expect(gold.refusals).toEqual([expect.objectContaining({ code: 'NOT_PAID_PLAN', field: 'plan' })]);
  });

  it('a sales-issued temporary extension (a paid plan, not a trial) counts as paid', () => {
    const extension = license({
      expiresAt: d('2026-11-14'),
      restrictions: { plan: 'premium', trial: false, active_user_count: 100 },
    });
    expect(check({}, withFile(extension)).eligible).toBe(true);
  });
});

describe('typed evidence only', () => {
  it('plan and expiry: grace ends on expiry + 14 days', () => {
    const result = check({ plan: 'ultimate', expiresAt: '2026-11-14', previousSeats: 80 }, typedOnly());
    expect(result.eligible).toBe(true);
    expect(result.facts).toMatchObject({
      source: 'typed',
      plan: 'ultimate',
      trial: null,
      expiresAt: '2026-11-14',
      previousSeats: 80,
      graceEndsOn: '2026-11-28',
      daysSinceGraceEnd: 0,
      issuedByLifelineRequestId: null,
    });
  });

  it('expiry without a plan: the plan counts as starter, as GitLab does', () => {
    const result = check({ expiresAt: '2026-11-14' }, typedOnly());
    expect(result.eligible).toBe(true);
    expect(result.facts.plan).toBe('starter');
    expect(result.request?.plan).toBeNull();
  });

  it('no mismatch warnings without a file to disagree with', () => {
    expect(
      warningCodes(check({ plan: 'premium', expiresAt: '2026-11-14', previousSeats: 1 }, typedOnly())),
    ).toEqual([]);
  });
});

describe('license file and typed values', () => {
  it('the file wins; each disagreeing typed value is an EVIDENCE_MISMATCH warning naming the field', () => {
    const result = check({ plan: 'ultimate', expiresAt: '2026-11-10', previousSeats: 90, seats: 100 });
    expect(result.eligible).toBe(true); // the file's expiry (2026-11-14) puts Saturday 28 in the window
    expect(warningCodes(result)).toEqual(['EVIDENCE_MISMATCH', 'EVIDENCE_MISMATCH', 'EVIDENCE_MISMATCH']);
    expect(result.warnings.map((w) => w.field)).toEqual(['plan', 'expiresAt', 'previousSeats']);
    expect(result.warnings[0]?.message).toContain('"ultimate"');
    expect(result.warnings[0]?.message).toContain('"premium"');
    expect(result.warnings[1]?.message).toContain('2026-11-10');
    expect(result.warnings[1]?.message).toContain('2026-11-14');
    expect(result.warnings.every((w) => w.message.includes('license file is used'))).toBe(true);
    expect(result.facts).toMatchObject({
      source: 'license',
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: 100,
    });
    // The request keeps what was typed.
    expect(result.request).toMatchObject({ plan: 'ultimate', expiresAt: '2026-11-10', previousSeats: 90 });
  });

  it('agreeing typed values (any case) give no warning', () => {
    expect(warningCodes(check({ plan: 'PREMIUM', expiresAt: '2026-11-14', previousSeats: 100 }))).toEqual([]);
  });

  it('a typed plan disagrees with a planless file (which is starter)', () => {
    const result = check({ plan: 'premium' }, withFile(license({ restrictions: { active_user_count: 10 } })));
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'EVIDENCE_MISMATCH', field: 'plan' })]);
    expect(result.facts.plan).toBe('starter');
  });

  it('the file wins for refusals too: a typed paid plan does not save a trial file', () => {
    const lic = license({ restrictions: { plan: 'ultimate', trial: true } });
    const result = check({ plan: 'ultimate' }, withFile(lic));
    expect(codes(result)).toEqual(['NOT_PAID_PLAN']);
  });
});

describe('a real license file, encoded and decoded with a generated key', () => {
  let privateKey: KeyObject;
  let publicKey: KeyObject;

  beforeAll(() => {
    ({ privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  });

  it('decoded Premium license that expired Saturday 2026-11-14: eligible on Saturday 28', () => {
    const encoded = encodeLicense(
      {
        licensee: { Name: 'Olga Ops', Company: 'Acme Corp', Email: 'it@acme.example' },
        issued_at: '2025-11-14',
        expires_at: '2026-11-14',
        restrictions: { plan: 'premium', active_user_count: 250, trial: false, subscription_id: 'sub-9' },
      },
      privateKey,
    );
    if (!encoded.ok) throw new Error(encoded.error.message);
    const decoded = decodeLicense(encoded.value.text, [publicKey]);
    if (!decoded.ok) throw new Error(decoded.error.message);
    const ctx = context(SAT, {
      previousLicense: {
        license: decoded.value.license,
        fingerprint: licenseFingerprint(encoded.value.text),
        issuedByLifelineRequestId: null,
      },
    });
    const result = check({ seats: 250, billableUsers: 240, maximumUsers: 260 }, ctx);
    expect(result.eligible).toBe(true);
    expect(result.facts).toMatchObject({
      source: 'license',
      plan: 'premium',
      trial: false,
      previousSeats: 250,
      graceEndsOn: SAT,
      recommendedSeats: 260,
      minimumSeats: 237,
    });
    // And a second request for the same license file within 30 days is caught by fingerprint.
    const again = check(
      { requesterEmail: 'someone@else.example', ticketId: '777' },
      {
        ...ctx,
        recentLicenses: [
          recent({
            requestId: 'req_first',
            previousLicenseFingerprint: licenseFingerprint(encoded.value.text),
          }),
        ],
      },
    );
    expect(codes(again)).toEqual(['RECENT_EMERGENCY_LICENSE']);
    expect(again.refusals[0]?.message).toContain('same previous license file');
  });
});
