/**
 * The request list's one search box (`q`, issue 20 item 8). It matches the start of: the customer's
 * email; its domain or a parent domain; the previous license's licensee email, company, or a word
 * of the company; and, from 8 hex digits on, a license fingerprint (the issued license's, one it was
 * known by, or the previous license's). The store files every request under these terms, folded as
 * here, and answers a prefix by index; the query never becomes a pattern, so `%`, `_` or quotes in
 * it are only characters.
 */
import { EMAIL_MAX_LENGTH, FINGERPRINT_PREFIX_MIN_LENGTH, SEARCH_MIN_LENGTH } from '../limits.js';
import type { Evidence } from '../ports.js';
import { err, ok, type Result } from '../result.js';

export type SearchTermKind = 'text' | 'fingerprint';

export interface SearchTerm {
  kind: SearchTermKind;
  term: string;
}

/** A parsed `q`: the folded text, and the fingerprint prefix it can also be. */
export interface RequestSearch {
  text: string | null;
  fingerprint: string | null;
}

/** The most words of a company a request is filed under (a word and the rest of the name). */
const MAX_COMPANY_WORDS = 12;

/** NFKC, no control or format characters, lower case, spaces collapsed: how terms and queries compare. */
export function searchFold(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/[\p{Cf}]/gu, '')
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .toLowerCase()
    .trim();
}

/** `a.b.example` → `a.b.example`, `b.example` (never the last label alone). */
function domainsOf(email: string): string[] {
  const at = email.lastIndexOf('@');
  if (at < 0) return [];
  const labels = email.slice(at + 1).split('.');
  const domains: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) domains.push(labels.slice(i).join('.'));
  return domains;
}

/** The company and each word of it with the words after it: "acme corp gmbh", "corp gmbh", "gmbh". */
function companyTerms(company: string): string[] {
  const words = searchFold(company)
    .replace(/^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu, '')
    .split(' ')
    .filter((w) => w !== '');
  return words.slice(0, MAX_COMPANY_WORDS).map((_, i) => words.slice(i).join(' '));
}

/** The terms a request is found by (its license's fingerprints are filed with the license). */
export function requestSearchTerms(request: {
  requesterEmail: string;
  evidence: Pick<Evidence, 'previousLicense'> | null;
}): SearchTerm[] {
  const previous = request.evidence?.previousLicense ?? null;
  const texts: string[] = [];
  for (const email of [request.requesterEmail, previous?.licenseeEmail ?? '']) {
    const folded = searchFold(email);
    if (folded === '') continue;
    texts.push(folded, ...domainsOf(folded));
  }
  if (previous?.licenseeCompany) texts.push(...companyTerms(previous.licenseeCompany));
  const terms: SearchTerm[] = [...new Set(texts)]
    .filter((t) => t.length <= EMAIL_MAX_LENGTH)
    .map((term) => ({ kind: 'text', term }));
  if (previous?.fingerprint) terms.push({ kind: 'fingerprint', term: previous.fingerprint });
  return terms;
}

export const fingerprintTerms = (fingerprints: readonly string[]): SearchTerm[] =>
  [...new Set(fingerprints)].map((term) => ({ kind: 'fingerprint', term }));

const FINGERPRINT_PREFIX = /^(?:sha256:)?([0-9a-f]+)$/;

/** Reads `q`; says what is wrong with it (for the field `q`) when it cannot be searched for. */
export function parseSearch(q: string): Result<RequestSearch, string> {
  const text = searchFold(q).replace(/^@/, '');
  if (text.length < SEARCH_MIN_LENGTH)
    return err(`type at least ${SEARCH_MIN_LENGTH} characters of an email, domain, company or fingerprint`);
  if (text.length > EMAIL_MAX_LENGTH) return err(`at most ${EMAIL_MAX_LENGTH} characters`);
  const hex = FINGERPRINT_PREFIX.exec(text)?.[1] ?? null;
  const fingerprint = hex !== null && hex.length >= FINGERPRINT_PREFIX_MIN_LENGTH ? hex.slice(0, 64) : null;
  if (text.startsWith('sha256:')) {
    if (fingerprint === null)
      return err(`a fingerprint needs at least ${FINGERPRINT_PREFIX_MIN_LENGTH} hex digits after sha256:`);
    return ok({ text: null, fingerprint });
  }
  return ok({ text, fingerprint });
}
