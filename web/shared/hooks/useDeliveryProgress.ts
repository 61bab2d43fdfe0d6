/** A request's deliveries followed until none is queued or sending: the record asked again every `pollMs`. */
import { useState } from 'preact/hooks';
import { describeFailure, type ApiClient, type RecordJson } from '../api.js';
import { deliveriesInFlight } from '../components.js';
import { useDebouncedQuery } from './useDebouncedQuery.js';

export interface DeliveryProgress {
  record: RecordJson | null;
  /** The record an issue call answered with (polling starts from it), or null. */
  setRecord: (record: RecordJson | null) => void;
  /** Why the last poll failed (polling goes on). */
  error: string | null;
}

/** Polls only while `active` (the form shows its result). */
export function useDeliveryProgress(api: ApiClient, active: boolean, pollMs = 1000): DeliveryProgress {
  const [record, setRecord] = useState<RecordJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Each poll that ends asks for the next one.
  const [polls, setPolls] = useState(0);
  const id = active && record && deliveriesInFlight(record.deliveries) ? record.id : null;
  useDebouncedQuery({
    key: id === null ? null : `${id}#${polls}`,
    delayMs: pollMs,
    ask: () => api.get<RecordJson>(`/api/v1/emergency-licenses/${encodeURIComponent(id ?? '')}`),
    onAnswer: (res) => {
      if (res.status === 200) setRecord(res.body);
      setError(res.status === 200 ? null : describeFailure(res));
    },
    onUnreachable: () => setError('Lifeline could not be reached; retrying.'),
    onSettled: () => setPolls((n) => n + 1),
  });
  return { record, setRecord, error };
}
