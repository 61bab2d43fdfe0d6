/**
 * Canonical forms of what identifies a customer (PRODUCT.md §12), so that rule 9 and the staff
 * domain check compare like with like: spelling variants of one address, domain or company are one
 * value. Pure; the public-suffix list comes with `tldts`.
 */
import { getDomain } from 'tldts';

/** Gmail ignores dots in the local part, and googlemail.com is the same mailbox. */
const GMAIL = 'gmail.com';
const DOMAIN_ALIASES: Readonly<Record<string, string>> = { 'googlemail.com': GMAIL };

/** Invisible format characters (zero-width space, joiners, BOM, bidi controls). */
const FORMAT_CHARACTERS = /\p{Cf}/gu;
const EDGE_PUNCTUATION = /^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu;

/** NFKC (full-width and compatibility forms folded), no format characters, lower case, spaces collapsed. */
function folded(text: string): string {
  return text.normalize('NFKC').replace(FORMAT_CHARACTERS, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** A company name or subscription id as rule 9 compares it: folded, edge punctuation trimmed. */
export function canonicalName(text: string | null | undefined): string | null {
  const value = folded(text ?? '').replace(EDGE_PUNCTUATION, '');
  return value === '' ? null : value;
}

/** The domain as mail treats it: lower case, aliases folded (googlemail.com → gmail.com). */
function mailDomain(domain: string): string {
  const d = folded(domain).replace(/\.$/, '');
  return DOMAIN_ALIASES[d] ?? d;
}

/**
 * The registrable domain (the part a company registers: `eu.acme.example` → `acme.example`,
 * `b.co.uk` for `a.b.co.uk`), by the public-suffix list; the domain itself when it has none.
 */
export function registrableDomain(domain: string | null | undefined): string | null {
  if (!domain) return null;
  const d = mailDomain(domain);
  if (d === '') return null;
  return getDomain(d, { allowPrivateDomains: false }) ?? d;
}

export function isPublicMailDomain(domain: string, publicDomains: ReadonlySet<string>): boolean {
  const d = mailDomain(domain);
  return publicDomains.has(d) || publicDomains.has(registrableDomain(d) ?? d);
}

/** The lower-cased domain list of a setting, aliases folded, as a set. */
export function domainSet(domains: readonly string[]): ReadonlySet<string> {
  return new Set(domains.map(mailDomain));
}

/**
 * One mailbox, one spelling: lower case, the domain's aliases folded, the `+tag` dropped and, on
 * Gmail, the dots: anyone can make those variants of their own address at a public mail provider.
 * (On a company's own domain the variants are the same customer by domain anyway, so the form does
 * not depend on the configured list of public domains, and stored keys stay valid when it changes.)
 */
export function canonicalEmail(email: string | null | undefined): string | null {
  const text = folded(email ?? '');
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return text === '' ? null : text;
  const domain = mailDomain(text.slice(at + 1));
  let local = text.slice(0, at).replace(/\+.*$/, '');
  if (domain === GMAIL) local = local.replace(/\./g, '');
  return local === '' ? text : `${local}@${domain}`;
}

/** The registrable domain of an address, or null. */
export function emailDomain(email: string | null | undefined): string | null {
  const text = email ?? '';
  const at = text.lastIndexOf('@');
  return at < 0 ? null : registrableDomain(text.slice(at + 1));
}
