/**
 * The search part of the lookup bench (issue 20 item 8): what the fill adds for `q` (a previous
 * license with a licensee company for a third of the customers, and every request's search terms as
 * the store files them), and the queries measured: the start of an email, a domain, a company, a
 * fingerprint prefix of 8 hex digits, and two broad ones (every request; one in 15).
 */
import { createHash } from 'node:crypto';
import { fingerprintTerms, requestSearchTerms, type SearchTerm } from '../src/core/issuance/search.js';
import type { Evidence } from '../src/core/ports.js';
import { seededRandom } from '../src/tools/seeded-random.js';

/** Customers with `e % COMPANY_EVERY === 0` gave their previous license (with its licensee). */
const COMPANY_EVERY = 3;
const SUFFIXES = ['GmbH', 'Inc.', 'Ltd', 'S.A.', 'AG'];

const previousFingerprint = (e: number): string => createHash('sha256').update(`previous-${e}`).digest('hex');

export const companyOf = (e: number): string => `Company ${e} ${SUFFIXES[e % SUFFIXES.length]}`;

const TYPED =
  '{"source":"typed","plan":"premium","expiresAt":"2026-11-14","previousSeats":100,"maximumUsers":null,' +
  '"billableUsers":null,"previousLicense":null}';

/** The evidence of customer `e`'s requests (JSON as stored), and what it is. */
export function evidenceOf(e: number): { json: string; evidence: Pick<Evidence, 'previousLicense'> } {
  if (e % COMPANY_EVERY !== 0) return { json: TYPED, evidence: { previousLicense: null } };
  const previousLicense = {
    fingerprint: previousFingerprint(e),
    json: {},
    licenseeEmail: `admin@customer${e}.example`,
    licenseeCompany: companyOf(e),
    subscriptionId: null,
  };
  const evidence: Evidence = {
    source: 'license',
    plan: 'premium',
    expiresAt: '2026-11-14' as Evidence['expiresAt'],
    previousSeats: 100,
    maximumUsers: null,
    billableUsers: null,
    previousLicense,
  };
  return { json: JSON.stringify(evidence), evidence };
}

/** A request's terms (and its license's fingerprint) as the store files them. */
export function termsOf(
  email: string,
  evidence: Pick<Evidence, 'previousLicense'>,
  licenseFingerprint: string | null,
): SearchTerm[] {
  return [
    ...requestSearchTerms({ requesterEmail: email, evidence }),
    ...(licenseFingerprint ? fingerprintTerms([licenseFingerprint]) : []),
  ];
}

export interface SearchQuerySet {
  label: string;
  queries: string[];
}

/**
 * `count` queries of each kind for customers drawn uniformly among `emails` (a few have no request);
 * `fingerprints` are issued licenses' fingerprints of the database.
 */
export function searchQueries(
  count: number,
  emails: number,
  fingerprints: readonly string[],
  seed: number,
): SearchQuerySet[] {
  const random = seededRandom(seed);
  const customers = (step = 1): number[] =>
    Array.from({ length: count }, () => Math.floor((random() * emails) / step) * step);
  return [
    { label: 'q=email start', queries: customers().map((e) => `it-ops@customer${e}.exa`) },
    { label: 'q=domain', queries: customers().map((e) => `customer${e}.example`) },
    {
      label: 'q=company start',
      queries: customers(COMPANY_EVERY).map((e) => companyOf(e).slice(0, -2).toLowerCase()),
    },
    {
      label: 'q=fingerprint, 8 hex',
      queries: Array.from(
        { length: count },
        () => fingerprints[Math.floor(random() * fingerprints.length)]?.slice(0, 8) ?? 'deadbeef',
      ),
    },
    { label: 'q=broad (every request)', queries: Array.from({ length: count }, () => 'it-ops') },
    { label: 'q=broad ("gmbh": 1 in 15)', queries: Array.from({ length: count }, () => 'gmbh') },
  ];
}
