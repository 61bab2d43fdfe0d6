/**
 * The request list's search index (core/issuance/search.ts): `request_search` holds each request
 * under the terms it is found by, so that a prefix of a term is one index range (the requests are
 * then read, newest first, from their own table). Written with the request and with its license;
 * retention deletes a purged request's text terms (its fingerprints are no personal data).
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { RequestSearch, SearchTerm } from '../../core/issuance/search.js';
import type { Evidence } from '../../core/ports.js';

export interface RequestSearchRow {
  kind: string;
  term: string;
  request_id: string;
}

export function searchRows(requestId: string, terms: readonly SearchTerm[]): RequestSearchRow[] {
  const seen = new Set<string>();
  const rows: RequestSearchRow[] = [];
  for (const t of terms) {
    const key = `${t.kind} ${t.term}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ kind: t.kind, term: t.term, request_id: requestId });
  }
  return rows;
}

/** A request's evidence as stored (JSON), or null when it cannot be read. */
export function parseEvidence(text: string | null): Evidence | null {
  try {
    return text ? (JSON.parse(text) as Evidence) : null;
  } catch {
    return null;
  }
}

/** Above every character a term can hold: `prefix + HIGHEST` bounds the terms starting with `prefix`. */
const HIGHEST = '\u{10FFFF}';

/** The rows of `request_search` (as `s`) whose term starts with the search's text or fingerprint. */
export function termMatches(search: RequestSearch): Expression<SqlBool> {
  const ranges = [
    ...(search.text !== null ? [{ kind: 'text', prefix: search.text }] : []),
    ...(search.fingerprint !== null ? [{ kind: 'fingerprint', prefix: search.fingerprint }] : []),
  ].map(
    (r) => sql<SqlBool>`(s.kind = ${r.kind} and s.term >= ${r.prefix} and s.term < ${r.prefix + HIGHEST})`,
  );
  return ranges.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${sql.join(ranges, sql` or `)})`;
}
