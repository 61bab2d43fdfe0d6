import { parseFingerprint } from '../license/codec.js';
import type { RequestQuery } from '../ports.js';
import type { IssuancePorts } from './context.js';
import { loadRequest } from './guards.js';
import { parseSearch } from './search.js';
import { loadRequestView, type RequestView } from './view.js';
import { fail, type Outcome, useCase } from '../outcome.js';

/** A request with its license, deliveries and events (NOT_FOUND when there is none). */
export async function viewOf(ports: Pick<IssuancePorts, 'store'>, id: string): Promise<RequestView> {
  return loadRequestView(ports.store, await loadRequest(ports, id));
}

export function lookupById(ports: Pick<IssuancePorts, 'store'>, id: string): Outcome<RequestView> {
  return useCase(async () => {
    return loadRequestView(ports.store, await loadRequest(ports, id));
  });
}

export interface LookupQuery {
  id?: string;
  email?: string;
  ticketId?: string;
  fingerprint?: string;
  limit?: number;
}

/** Finds requests by record id, customer email, ticket id or license fingerprint (newest first). */
export function lookupRequests(
  ports: Pick<IssuancePorts, 'store'>,
  query: LookupQuery,
): Outcome<RequestView[]> {
  return useCase(async () => {
    const { store } = ports;
    if (query.id) {
      const r = await store.getRequest(query.id);
      return r ? [await loadRequestView(store, r)] : [];
    }
    if (query.fingerprint) {
      const hex = parseFingerprint(query.fingerprint);
      if (!hex) {
        fail('VALIDATION_FAILED', 'fingerprint: must be sha256:<64 hex digits> or the 64 hex digits alone', {
          field: 'fingerprint',
        });
      }
      const license = await store.findLicenseByFingerprint(hex);
      const r = license ? await store.getRequest(license.requestId) : null;
      return r ? [await loadRequestView(store, r)] : [];
    }
    if (!query.email && !query.ticketId) {
      fail('VALIDATION_FAILED', 'say what to look up: an id, email, ticket or fingerprint');
    }
    const requests = await store.findRequests({
      ...(query.email ? { email: query.email } : {}),
      ...(query.ticketId ? { ticketId: query.ticketId } : {}),
      limit: query.limit ?? 50,
    });
    return Promise.all(requests.map((r) => loadRequestView(store, r)));
  });
}

export interface ListInput extends Omit<RequestQuery, 'limit' | 'search'> {
  /** The search box (search.ts): the start of an email, domain, company or fingerprint. */
  q?: string;
  limit?: number;
}

/** A page of requests, newest first; `next` is the cursor (the last id) when there are more. */
export function listRequests(
  ports: Pick<IssuancePorts, 'store'>,
  input: ListInput,
): Outcome<{ requests: RequestView[]; next: string | null }> {
  return useCase(async () => {
    const { q, ...query } = input;
    const search = q === undefined ? null : parseSearch(q);
    if (search && !search.ok) fail('VALIDATION_FAILED', `q: ${search.error}`, { field: 'q' });
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const records = await ports.store.findRequests({
      ...query,
      ...(search ? { search: search.value } : {}),
      limit: limit + 1,
    });
    const page = records.slice(0, limit);
    const requests = await Promise.all(page.map((r) => loadRequestView(ports.store, r)));
    return { requests, next: records.length > limit ? (page.at(-1)?.id ?? null) : null };
  });
}
