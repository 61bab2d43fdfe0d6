/** The ticket's earlier requests, asked 400 ms after the ticket field last changed: a ticket gets one license. */
import { useState } from 'preact/hooks';
import { query, type ApiClient, type RecordJson } from '../api.js';
import { useDebouncedQuery } from './useDebouncedQuery.js';

/** `ticket` is the trimmed ticket id, or '' for none; nothing is asked while not `active`. */
export function useEarlierRequests(api: ApiClient, ticket: string, active: boolean): RecordJson[] {
  const [earlier, setEarlier] = useState<RecordJson[]>([]);
  useDebouncedQuery({
    key: active && ticket !== '' ? ticket : null,
    delayMs: 400,
    ask: () =>
      api.get<{ requests: RecordJson[] }>(`/api/v1/emergency-licenses${query({ ticket, limit: 5 })}`),
    onAnswer: (res) =>
      setEarlier(res.status === 200 && Array.isArray(res.body.requests) ? res.body.requests : []),
    onUnreachable: () => setEarlier([]),
    onIdle: () => setEarlier([]),
  });
  return earlier;
}
