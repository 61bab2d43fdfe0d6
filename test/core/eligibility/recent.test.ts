/** Rule 9 RECENT_EMERGENCY_LICENSE: one emergency license per customer per 30 days. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../src/core/dates.js';
import { findRecentEmergencyLicenses } from '../../../src/core/eligibility/recent.js';
import {
  DEFAULT_ELIGIBILITY_CONFIG,
  customerKeys,
  isWithinRepeatWindow,
  recentLicenseKeys,
  type RecentLicense,
} from '../../../src/core/eligibility/index.js';
import { check, codes, context, d, license, previous, recent } from './fixtures.js';

const TODAY = '2026-11-28';
const FINGERPRINT = 'f'.repeat(64); // the fixture's previous license

const withRecent = (
  recentLicenses: RecentLicense[],
  request: Parameters<typeof check>[0] = {},
  config = DEFAULT_ELIGIBILITY_CONFIG,
) => check(request, context(TODAY, { recentLicenses }), config);

describe('what makes the same customer', () => {
  it.each<[string, Partial<RecentLicense>, Parameters<typeof check>[0], string | null]>([
    ['same requester email', { requesterEmail: 'ops@acme.example' }, {}, 'same requester email'],
    [
      'same email, other case and spaces',
      { requesterEmail: ' OPS@Acme.Example ' },
      {},
      'same requester email',
    ],
    [
      'same email typed in capitals',
      { requesterEmail: 'ops@acme.example' },
      { requesterEmail: 'OPS@ACME.EXAMPLE' },
      'same requester email',
    ],
    [
      'same domain, another person',
      { requesterEmail: 'cto@acme.example' },
      {},
      'same email domain acme.example',
    ],
    [
      'a subdomain is the same registrable domain',
      { requesterEmail: 'ops@acme-one.example' },
      { requesterEmail: 'ops@eu.acme-one.example' },
      'same email domain acme-one.example',
    ],
    [
      'a country-code second level domain keeps its company label',
      { requesterEmail: 'ops@acme.co.uk' },
      { requesterEmail: 'it@eu.acme.co.uk' },
      'same email domain acme.co.uk',
    ],
    [
      'another company under the same public suffix',
      { requesterEmail: 'ops@beta.co.uk' },
      { requesterEmail: 'it@acme.co.uk' },
      null,
    ],
    [
      'a Gmail +tag is the same mailbox',
      { requesterEmail: 'john.smith@gmail.com' },
      { requesterEmail: 'john.smith+x@gmail.com' },
      'same requester email',
    ],
    [
      'Gmail ignores dots',
      { requesterEmail: 'john.smith@gmail.com' },
      { requesterEmail: 'johnsmith@gmail.com' },
      'same requester email',
    ],
    [
      'googlemail.com is gmail.com',
      { requesterEmail: 'john.smith@gmail.com' },
      { requesterEmail: 'john.smith@googlemail.com' },
      'same requester email',
    ],
    [
      'dots are not dropped outside Gmail',
      { requesterEmail: 'john.smith@outlook.com' },
      { requesterEmail: 'johnsmith@outlook.com' },
      null,
    ],
    [
      'same public domain, another person',
      { requesterEmail: 'jane@gmail.com' },
      { requesterEmail: 'joe@gmail.com' },
      null,
    ],
    [
      'same public domain (googlemail)',
      { requesterEmail: 'jane@googlemail.com' },
      { requesterEmail: 'joe@googlemail.com' },
      null,
    ],
    [
      'same public address',
      { requesterEmail: 'Joe@Gmail.com' },
      { requesterEmail: 'joe@gmail.com' },
      'same requester email',
    ],
    ['same ticket', { ticketId: '4242' }, {}, 'same ticket 4242'],
    [
      'same previous license file',
      { previousLicenseFingerprint: FINGERPRINT },
      {},
      'same previous license file',
    ],
    [
      'same previous licensee email',
      { previousLicenseeEmail: 'IT@acme.example ' },
      {},
      'same previous licensee email',
    ],
    [
      'same previous licensee company',
      { previousLicenseeCompany: '  ACME   corp ' },
      {},
      'same previous licensee company',
    ],
    ['same subscription id', { previousSubscriptionId: ' sub-0001 ' }, {}, 'same subscription id'],
    ['another company', { previousLicenseeCompany: 'Acme Corporation' }, {}, null],
    ['another subscription', { previousSubscriptionId: 'sub-0002' }, {}, null],
    ['another customer entirely', {}, {}, null],
  ])('%s', (_name, earlier, request, reason) => {
    const result = withRecent([recent(earlier)], request);
    if (reason === null) {
      expect(result.eligible).toBe(true);
      expect(result.facts.matchingRecentRequestIds).toEqual([]);
      return;
    }
    expect(codes(result)).toEqual(['RECENT_EMERGENCY_LICENSE']);
    const message = result.refusals[0]?.message ?? '';
    expect(message).toContain('req_earlier');
    expect(message).toContain('2026-11-20');
    expect(message).toContain(reason);
    expect(message).toContain('30 days');
    expect(result.facts.matchingRecentRequestIds).toEqual(['req_earlier']);
    expect(result.overridable).toBe(true);
  });

  it.each([
    [
      'trailing punctuation',
      { previousLicenseeCompany: 'Globex Corporation' },
      { Company: 'Globex Corporation.' },
    ],
    [
      'full-width letters and case',
      { previousLicenseeCompany: 'globex corporation' },
      { Company: 'ＧＬＯＢＥＸ Corporation' },
    ],
    [
      'a zero-width space',
      { previousLicenseeCompany: 'Globex Corporation' },
      { Company: 'Globex\u200b Corporation' },
    ],
  ])('the same company written differently (%s) is the same customer', (_name, earlier, licensee) => {
    const lic = license({ licensee: { Name: 'X', Email: 'it@globex.example', ...licensee } });
    const result = check(
      {},
      context(TODAY, {
        previousLicense: previous(lic, { fingerprint: 'a'.repeat(64) }),
        recentLicenses: [recent(earlier)],
      }),
    );
    expect(codes(result)).toEqual(['RECENT_EMERGENCY_LICENSE']);
    expect(result.refusals[0]?.message).toContain('same previous licensee company');
  });

  it.each([
    ['a zero-width space', 'sub-\u200b0001'],
    ['a full-width digit', 'sub-000１'],
    ['upper case and a trailing dot', 'SUB-0001.'],
  ])('the same subscription id written with %s is the same customer', (_name, id) => {
    const lic = license({ restrictions: { plan: 'premium', active_user_count: 100, subscription_id: id } });
    const result = check(
      {},
      context(TODAY, {
        previousLicense: previous(lic, { fingerprint: 'a'.repeat(64) }),
        recentLicenses: [recent({ previousSubscriptionId: 'sub-0001' })],
      }),
    );
    expect(result.refusals[0]?.message).toContain('same subscription id');
  });

  it('a previous license known by its fingerprint before 2026-12 still matches', () => {
    const legacy = 'b'.repeat(64);
    const result = check(
      {},
      context(TODAY, {
        previousLicense: previous(license(), { fingerprint: 'a'.repeat(64), legacyFingerprint: legacy }),
        recentLicenses: [recent({ previousLicenseFingerprint: legacy })],
      }),
    );
    expect(result.refusals[0]?.message).toContain('same previous license file');
  });

  it('a license voided by a replace is ignored for its own ticket, not for another', () => {
    const replaced = recent({ ticketId: '4242', voidedByReplace: true });
    expect(withRecent([replaced]).eligible).toBe(true);
    const otherTicket = recent({
      ticketId: '1000',
      requesterEmail: 'ops@acme.example',
      voidedByReplace: true,
    });
    expect(codes(withRecent([otherTicket]))).toEqual(['RECENT_EMERGENCY_LICENSE']);
  });

  it('the public-domain list is configuration', () => {
    const config = { ...DEFAULT_ELIGIBILITY_CONFIG, publicEmailDomains: ['ACME.example'] };
    expect(withRecent([recent({ requesterEmail: 'cto@acme.example' })], {}, config).eligible).toBe(true);
    const noPublic = { ...DEFAULT_ELIGIBILITY_CONFIG, publicEmailDomains: [] };
    expect(
      codes(
        withRecent(
          [recent({ requesterEmail: 'jane@gmail.com' })],
          { requesterEmail: 'joe@gmail.com' },
          noPublic,
        ),
      ),
    ).toEqual(['RECENT_EMERGENCY_LICENSE']);
  });

  it('empty licensee fields never match each other', () => {
    const blank = license({
      licensee: { Name: 'X', Company: '  ', Email: '' },
      restrictions: { plan: 'premium' },
    });
    const result = check(
      {},
      context(TODAY, {
        previousLicense: previous(blank, { fingerprint: '' }),
        recentLicenses: [
          recent({
            previousLicenseeCompany: '',
            previousLicenseeEmail: '',
            previousLicenseFingerprint: '',
            previousSubscriptionId: '',
          }),
        ],
      }),
    );
    expect(result.eligible).toBe(true);
  });

  it("Lifeline's generic licensee company identifies no customer", () => {
    const generic = license({
      licensee: { Name: 'Emergency Trial', Company: 'Emergency Trial License', Email: 'x@y.example' },
    });
    const result = check(
      {},
      context(TODAY, {
        previousLicense: previous(generic),
        recentLicenses: [recent({ previousLicenseeCompany: 'Emergency Trial License' })],
      }),
    );
    expect(result.eligible).toBe(true);
  });

  it('license-based matches need a license file; typed evidence matches by email and domain only', () => {
    const ctx = context(TODAY, {
      previousLicense: null,
      recentLicenses: [recent({ previousLicenseeCompany: 'Acme Corp', previousSubscriptionId: 'sub-0001' })],
    });
    expect(check({ expiresAt: '2026-11-14' }, ctx).eligible).toBe(true);
  });
});

describe('the repeat window: issued after today − 30 days', () => {
  it.each([
    [0, true], // today
    [1, true],
    [29, true], // 2026-10-30: the earliest day still in the window
    [30, false], // 2026-10-29: exactly 30 days ago, out
    [45, false],
    [-1, true], // dated tomorrow (a caller in another time zone): still counts
  ])('issued %i days before today → match %s', (ago, matches) => {
    const issuedAt = addDays(d(TODAY), -ago);
    expect(isWithinRepeatWindow(issuedAt, d(TODAY), 30)).toBe(matches);
    const result = withRecent([recent({ requesterEmail: 'ops@acme.example', issuedAt })]);
    expect(codes(result)).toEqual(matches ? ['RECENT_EMERGENCY_LICENSE'] : []);
  });

  it('the window length is configuration', () => {
    const config = { ...DEFAULT_ELIGIBILITY_CONFIG, repeatWindowDays: 7 };
    const at = (ago: number) =>
      recent({ requesterEmail: 'ops@acme.example', issuedAt: addDays(d(TODAY), -ago) });
    expect(withRecent([at(6)], {}, config).eligible).toBe(false);
    expect(withRecent([at(7)], {}, config).eligible).toBe(true);
    expect(withRecent([at(6)], {}, config).refusals[0]?.message).toContain('7 days');
  });
});

describe('several earlier licenses', () => {
  it('lists every match, most recent first, each with its reasons, in one refusal', () => {
    const result = withRecent([
      recent({ requestId: 'req_old', issuedAt: d('2026-11-02'), requesterEmail: 'cto@acme.example' }),
      recent({ requestId: 'req_other', issuedAt: d('2026-11-25'), requesterEmail: 'x@other.example' }),
      recent({
        requestId: 'req_new',
        issuedAt: d('2026-11-21'),
        requesterEmail: 'ops@acme.example',
        previousSubscriptionId: 'sub-0001',
      }),
      recent({ requestId: 'req_expired', issuedAt: d('2026-10-01'), requesterEmail: 'ops@acme.example' }),
    ]);
    expect(result.refusals).toHaveLength(1);
    expect(result.facts.matchingRecentRequestIds).toEqual(['req_new', 'req_old']);
    const message = result.refusals[0]?.message ?? '';
    expect(message).toContain('request req_new on 2026-11-21 (same requester email, same subscription id)');
    expect(message).toContain('request req_old on 2026-11-02 (same email domain acme.example)');
    expect(message.indexOf('req_new')).toBeLessThan(message.indexOf('req_old'));
  });
});

describe("rule 9's keys (the store's index finds every candidate)", () => {
  const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
  const cased = (values: readonly string[]) =>
    fc
      .tuple(pick(values), fc.boolean(), fc.boolean())
      .map(([v, upper, pad]) => (pad ? `  ${upper ? v.toUpperCase() : v} ` : upper ? v.toUpperCase() : v));
  const nullable = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: null });
  const emails = [
    'ops@acme.example',
    'cto@acme.example',
    'jane@gmail.com',
    'joe@gmail.com',
    'it@beta.example',
  ];
  const companies = ['Acme Corp', 'acme  corp', 'Beta', 'Emergency Trial License', ''];
  const recentArb = fc.record({
    requestId: fc.constantFrom('req_a', 'req_b', 'req_c'),
    ticketId: cased(['4242', '77', 'ab-1']),
    requesterEmail: cased(emails),
    issuedAt: fc.integer({ min: -2, max: 40 }).map((ago) => addDays(d(TODAY), -ago)),
    previousLicenseFingerprint: nullable(cased(['f'.repeat(64), 'e'.repeat(64), ''])),
    previousLicenseeEmail: nullable(cased(emails)),
    previousLicenseeCompany: nullable(cased(companies)),
    previousSubscriptionId: nullable(cased(['sub-0001', 'sub-0002', ''])),
  });
  const requestArb = fc.record({
    ticketId: cased(['4242', '77', '9']),
    requesterEmail: cased(emails),
    fingerprint: nullable(cased(['f'.repeat(64), 'e'.repeat(64)])),
    licenseeEmail: nullable(cased(emails)),
    licenseeCompany: nullable(cased(companies)),
    subscriptionId: nullable(cased(['sub-0001', 'sub-0003'])),
  });

  it("a license matches only if it shares one of the request's keys: filtering by keys changes no verdict", () => {
    const options = {
      today: d(TODAY),
      repeatWindowDays: 30,
      publicEmailDomains: DEFAULT_ELIGIBILITY_CONFIG.publicEmailDomains,
    };
    fc.assert(
      fc.property(requestArb, fc.array(recentArb, { maxLength: 8 }), (request, recentLicenses) => {
        const identity = {
          fingerprint: request.fingerprint,
          licenseeEmail: request.licenseeEmail,
          licenseeCompany: request.licenseeCompany,
          subscriptionId: request.subscriptionId,
        };
        const keys = new Set(
          customerKeys(request, { publicEmailDomains: DEFAULT_ELIGIBILITY_CONFIG.publicEmailDomains }),
        );
        const candidates = recentLicenses.filter((l) => recentLicenseKeys(l).some((k) => keys.has(k)));
        const all = findRecentEmergencyLicenses(request, identity, recentLicenses, options);
        const filtered = findRecentEmergencyLicenses(request, identity, candidates, options);
        expect(filtered).toEqual(all);
      }),
      { numRuns: 3000, seed: 20261128 },
    );
  });

  it('keys are normalised like the rule compares, and a public domain or the generic company is no key', () => {
    expect(
      customerKeys(
        {
          ticketId: ' 4242 ',
          requesterEmail: 'Joe@Gmail.COM',
          fingerprint: null,
          licenseeEmail: null,
          licenseeCompany: 'Emergency  Trial License',
          subscriptionId: 'SUB-1',
        },
        { publicEmailDomains: ['gmail.com'] },
      ),
    ).toEqual(['ticket:4242', 'email:joe@gmail.com', 'subscription:sub-1']);
    expect(
      recentLicenseKeys({
        ticketId: '4242',
        requesterEmail: 'joe@gmail.com',
        previousLicenseFingerprint: null,
        previousLicenseeEmail: ' ',
        previousLicenseeCompany: 'Acme   Corp',
        previousSubscriptionId: null,
      }),
    ).toEqual(['ticket:4242', 'email:joe@gmail.com', 'domain:gmail.com', 'licensee-company:acme corp']);
  });
});
